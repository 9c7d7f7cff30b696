/**
 * SAELens 6.11.1 `JumpReLUTrainingSAE` with the tanh sparsity loss (the JumpReLU appendix
 * notebook of Sparse-but-Wrong).
 *
 *   h = (x − b_dec)·W_enc + b_enc,  t = exp(log_t),  a = h·[h > t]
 *   x̂ = a·W_dec + b_dec
 *   loss = mean_b Σ_d (x̂ − x)²  +  c·mean_b Σ_j tanh(s·a_j·‖W_dec,j‖)      (s = tanh scale, 4)
 *
 * The step has no gradient, so the original defines one (straight-through estimators):
 *   ∂L/∂h_j = [h_j > t_j]·∂L/∂a_j                              (no STE to the input)
 *   ∂L/∂t_j = Σ_b −(t_j/bw)·rect((h_bj − t_j)/bw)·∂L/∂a_bj,   rect(u) = [−½ < u < ½]
 * and autograd chains ∂t/∂log_t = t. ∂L/∂a_bj includes the tanh term, which is non-zero
 * even where a = 0, so the threshold feels the sparsity pressure from just-below samples.
 *
 * The per-instance log threshold is an extra parameter [I, dSae] kept beside SaeParams.
 * c is the L0 coefficient after its warm-up (`train/hyper-schedule.ts`).
 */
import { centreInputs, encoderPreActivations, instanceWeights, loadInstance, saePreActivations, scratchF64, scratchI32 } from "../shared/saelens-base.ts";
import { emptyStepOutput, type GridBatch, type SaeParams, type StepOutput } from "../types.ts";

export const JUMPRELU_BANDWIDTH = 2.0;
export const JUMPRELU_INIT_THRESHOLD = 0.1;
export const JUMPRELU_TANH_SCALE = 4;

export interface JumpReluHyper {
  /** L0 coefficient per instance, already multiplied by the warm-up factor of this step. */
  l0Coefficient: Float64Array;
  bandwidth: number;
  tanhScale: number;
}

export interface JumpReluStepOutput extends StepOutput {
  /** Per instance, mean number of non-zero activations per sample. */
  l0: Float64Array;
}

/** log_t = log(initThreshold) for every latent of every instance. */
export function initLogThreshold(shape: { instances: number; dSae: number }, initThreshold = JUMPRELU_INIT_THRESHOLD): Float32Array {
  return new Float32Array(shape.instances * shape.dSae).fill(Math.log(initThreshold));
}

function rect(u: number): number {
  return u > -0.5 && u < 0.5 ? 1 : 0;
}

/** Codes of one instance for a [B, dIn] batch → [B, dSae]. */
export function encodeJumpRelu(p: SaeParams, logThreshold: Float32Array, instance: number, x: ArrayLike<number>, batch: number): Float32Array {
  const M = p.dSae;
  const h = saePreActivations(p, instance, x, batch, new Float64Array(batch * M));
  const acts = new Float32Array(batch * M);
  for (let s = 0; s < batch; s++) {
    for (let j = 0; j < M; j++) {
      const t = Math.exp(logThreshold[instance * M + j]);
      if (h[s * M + j] > t) acts[s * M + j] = h[s * M + j];
    }
  }
  return acts;
}

/**
 * Fused forward + backward. `grads` and `gradLogThreshold` are overwritten. As the BatchTopK
 * kernel, each instance works on Float64 copies (W_enc transposed to [dSae, dIn]) and reused
 * scratch. Two products are dense: the encoder, and ∂L/∂x̂·W_decᵀ, which the threshold's
 * straight-through gradient needs for every latent inside the rect window (with bandwidth 2,
 * nearly all of them); both run register-blocked (`encoderPreActivations`). The decoder and
 * the weight gradients visit only the active latents, two per pass over dIn.
 */
export function jumpReluLossAndGrads(
  p: SaeParams,
  logThreshold: Float32Array,
  hyper: JumpReluHyper,
  batch: GridBatch,
  grads: SaeParams,
  gradLogThreshold: Float32Array,
): JumpReluStepOutput {
  const { instances: I, dIn: D, dSae: M } = p;
  const B = batch.batch;
  const { bandwidth: bw, tanhScale } = hyper;
  const out: JumpReluStepOutput = { ...emptyStepOutput(p), l0: new Float64Array(I) };
  const w = instanceWeights("jumpRelu", D, M);
  const { wEncT, bEnc, wDec, bDec } = w;
  const xc = scratchF64("jumpRelu.xc", B * D); // x − b_dec
  const pre = scratchF64("jumpRelu.pre", B * M); // h
  const dxh = scratchF64("jumpRelu.dxh", B * D); // ∂mse/∂x̂
  const dDec = scratchF64("jumpRelu.dDec", B * M); // W_dec,j·∂mse/∂x̂
  const zeros = scratchF64("jumpRelu.zeros", M).fill(0, 0, M);
  const gWEncT = scratchF64("jumpRelu.gWEncT", M * D);
  const gWDec = scratchF64("jumpRelu.gWDec", M * D);
  const gBEnc = scratchF64("jumpRelu.gBEnc", M);
  const gBDec = scratchF64("jumpRelu.gBDec", D);
  const t = scratchF64("jumpRelu.t", M);
  const norm = scratchF64("jumpRelu.norm", M);
  const dNorm = scratchF64("jumpRelu.dNorm", M); // ∂L/∂‖W_dec,j‖ from the tanh term
  const dT = scratchF64("jumpRelu.dT", M);
  const xh = scratchF64("jumpRelu.xh", D); // x̂ − b_dec of one sample
  const activeLatent = scratchI32("jumpRelu.activeLatent", M);
  const activeGrad = scratchF64("jumpRelu.activeGrad", M); // ∂L/∂h of the sample's active latents
  const invB = 1 / B;
  const c = 2 * invB;

  for (let i = 0; i < I; i++) {
    const x = batch.x[batch.group[i]];
    const be = i * M;
    loadInstance(p, i, w);
    gWEncT.fill(0, 0, M * D);
    gWDec.fill(0, 0, M * D);
    gBEnc.fill(0, 0, M);
    gBDec.fill(0, 0, D);
    dNorm.fill(0, 0, M);
    dT.fill(0, 0, M);
    const coeff = hyper.l0Coefficient[i];
    const tanhGrad = coeff * invB * tanhScale; // ∂(c·mean_b tanh(s·u))/∂u at u = 0
    for (let j = 0; j < M; j++) {
      t[j] = Math.exp(logThreshold[be + j]);
      let n2 = 0;
      for (let k = 0; k < D; k++) n2 += wDec[j * D + k] ** 2;
      norm[j] = Math.sqrt(n2);
    }

    // forward: h, the jump, the decoder (active latents only) and ∂mse/∂x̂
    centreInputs(x, B, D, bDec, xc);
    encoderPreActivations(xc, B, D, M, wEncT, bEnc, pre);
    let sumMse = 0;
    let active = 0;
    for (let s = 0; s < B; s++) {
      const xo = s * D;
      const row = s * M;
      for (let k = 0; k < D; k++) xh[k] = 0;
      let pending = -1; // an active latent waiting for a partner, to decode two rows per pass
      for (let j = 0; j < M; j++) {
        if (!(pre[row + j] > t[j])) continue;
        active++;
        out.fired[be + j] = 1;
        if (pending < 0) {
          pending = j;
          continue;
        }
        const a0 = pre[row + pending],
          a1 = pre[row + j];
        const w0 = pending * D,
          w1 = j * D;
        for (let k = 0; k < D; k++) xh[k] += a0 * wDec[w0 + k] + a1 * wDec[w1 + k];
        pending = -1;
      }
      if (pending >= 0) {
        const a0 = pre[row + pending];
        const w0 = pending * D;
        for (let k = 0; k < D; k++) xh[k] += a0 * wDec[w0 + k];
      }
      for (let k = 0; k < D; k++) {
        const r = xh[k] - xc[xo + k]; // x̂ − x
        sumMse += r * r;
        dxh[xo + k] = c * r;
        gBDec[k] += c * r;
      }
    }
    // W_dec,j·∂mse/∂x̂ for every sample and latent (dense: the threshold gradient needs most of them)
    encoderPreActivations(dxh, B, D, M, wDec, zeros, dDec);

    // ∂L/∂a_j (mse + tanh sparsity), then through the jump
    let sumSparsity = 0;
    for (let s = 0; s < B; s++) {
      const xo = s * D;
      const row = s * M;
      let nActive = 0;
      for (let j = 0; j < M; j++) {
        const h = pre[row + j];
        const a = h > t[j] ? h : 0;
        const inWindow = rect((h - t[j]) / bw) === 1;
        if (a === 0 && !inWindow) continue;
        let sech2 = 1; // tanh(0) = 0 for an inactive latent
        if (a !== 0) {
          const tanhV = Math.tanh(tanhScale * a * norm[j]);
          sumSparsity += tanhV;
          sech2 = 1 - tanhV * tanhV;
        }
        const dA = tanhGrad * norm[j] * sech2 + dDec[row + j];
        if (inWindow) dT[j] += -(t[j] / bw) * dA;
        if (a === 0) continue;
        // active: decoder, the norm in the tanh term, and the encoder ([h > t]·∂L/∂a)
        dNorm[j] += tanhGrad * a * sech2;
        gBEnc[j] += dA;
        activeLatent[nActive] = j;
        activeGrad[nActive++] = dA;
      }
      // weight gradients of the active latents, two per pass over dIn
      let u = 0;
      for (; u + 1 < nActive; u += 2) {
        const j0 = activeLatent[u],
          j1 = activeLatent[u + 1];
        const a0 = pre[row + j0],
          a1 = pre[row + j1];
        const d0 = activeGrad[u],
          d1 = activeGrad[u + 1];
        const w0 = j0 * D,
          w1 = j1 * D;
        for (let k = 0; k < D; k++) {
          const g = dxh[xo + k];
          const v = xc[xo + k];
          gWDec[w0 + k] += a0 * g;
          gWDec[w1 + k] += a1 * g;
          gWEncT[w0 + k] += d0 * v;
          gWEncT[w1 + k] += d1 * v;
        }
      }
      if (u < nActive) {
        const j0 = activeLatent[u];
        const a0 = pre[row + j0];
        const d0 = activeGrad[u];
        const w0 = j0 * D;
        for (let k = 0; k < D; k++) {
          gWDec[w0 + k] += a0 * dxh[xo + k];
          gWEncT[w0 + k] += d0 * xc[xo + k];
        }
      }
    }

    // h depends on b_dec through x − b_dec: ∂L/∂b_dec −= W_enc·∂L/∂b_enc; the decoder norm in
    // the tanh term: ∂‖w‖/∂w = w/‖w‖; the threshold: ∂t/∂log_t = t
    for (let j = 0; j < M; j++) {
      const wj = j * D;
      const g = gBEnc[j];
      if (g !== 0) for (let k = 0; k < D; k++) gBDec[k] -= wEncT[wj + k] * g;
      if (dNorm[j] !== 0 && norm[j] > 0) {
        const f = dNorm[j] / norm[j];
        for (let k = 0; k < D; k++) gWDec[wj + k] += f * wDec[wj + k];
      }
      gradLogThreshold[be + j] = dT[j] * t[j];
    }
    const we = i * D * M;
    for (let k = 0; k < D; k++) for (let j = 0; j < M; j++) grads.wEnc[we + k * M + j] = gWEncT[j * D + k];
    for (let e = 0; e < M * D; e++) grads.wDec[we + e] = gWDec[e];
    for (let j = 0; j < M; j++) grads.bEnc[be + j] = gBEnc[j];
    for (let k = 0; k < D; k++) grads.bDec[i * D + k] = gBDec[k];
    out.reconstruction[i] = sumMse * invB;
    out.sparsity[i] = coeff * sumSparsity * invB;
    out.loss[i] = out.reconstruction[i] + out.sparsity[i];
    out.l0[i] = active * invB;
  }
  return out;
}
