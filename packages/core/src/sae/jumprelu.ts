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
 * c is the L0 coefficient after its warm-up (see `l0WarmUpFactor`).
 */
import type * as tfTypes from "@tensorflow/tfjs-core";
import { saePreActivations } from "./saelens-base.ts";
import { emptyStepOutput, type GridBatch, type SaeParams, type SaeTensors, type StepOutput } from "./types.ts";

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

/**
 * The coefficient scheduler of SAELens: 0 at step 0, rising linearly to 1 at `warmUpSteps`
 * (value·step/warmUp, step counted before the step's update), 1 without warm-up.
 */
export function l0WarmUpFactor(step: number, warmUpSteps: number): number {
  return warmUpSteps > 0 ? Math.min(1, step / warmUpSteps) : 1;
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
 * kernel, each instance works on Float64 copies (W_enc transposed to [dSae, dIn]).
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
  const wEncT = new Float64Array(M * D);
  const wDec = new Float64Array(M * D);
  const bEnc = new Float64Array(M);
  const bDec = new Float64Array(D);
  const gWEncT = new Float64Array(M * D);
  const gWDec = new Float64Array(M * D);
  const gBEnc = new Float64Array(M);
  const gBDec = new Float64Array(D);
  const t = new Float64Array(M);
  const norm = new Float64Array(M);
  const dNorm = new Float64Array(M); // ∂L/∂‖W_dec,j‖ from the tanh term
  const dT = new Float64Array(M);
  const pre = new Float64Array(M);
  const act = new Float64Array(M);
  const xc = new Float64Array(D);
  const xh = new Float64Array(D);
  const dxh = new Float64Array(D);
  const invB = 1 / B;

  for (let i = 0; i < I; i++) {
    const x = batch.x[batch.group[i]];
    const be = i * M;
    for (let k = 0; k < D; k++) for (let j = 0; j < M; j++) wEncT[j * D + k] = p.wEnc[i * D * M + k * M + j];
    for (let e = 0; e < M * D; e++) wDec[e] = p.wDec[i * M * D + e];
    for (let j = 0; j < M; j++) bEnc[j] = p.bEnc[be + j];
    for (let k = 0; k < D; k++) bDec[k] = p.bDec[i * D + k];
    gWEncT.fill(0);
    gWDec.fill(0);
    gBEnc.fill(0);
    gBDec.fill(0);
    const coeff = hyper.l0Coefficient[i];
    for (let j = 0; j < M; j++) {
      t[j] = Math.exp(logThreshold[be + j]);
      let n2 = 0;
      for (let k = 0; k < D; k++) n2 += wDec[j * D + k] ** 2;
      norm[j] = Math.sqrt(n2);
    }
    dNorm.fill(0);
    dT.fill(0);
    let sumMse = 0;
    let sumSparsity = 0;
    let active = 0;

    for (let s = 0; s < B; s++) {
      const xo = s * D;
      // forward
      for (let k = 0; k < D; k++) {
        xc[k] = x[xo + k] - bDec[k];
        xh[k] = bDec[k];
      }
      for (let j = 0; j < M; j++) {
        const w = j * D;
        let h = bEnc[j];
        for (let k = 0; k < D; k++) h += xc[k] * wEncT[w + k];
        pre[j] = h;
        act[j] = h > t[j] ? h : 0;
        if (act[j] !== 0) {
          active++;
          out.fired[be + j] = 1;
          for (let k = 0; k < D; k++) xh[k] += act[j] * wDec[w + k];
        }
      }
      for (let k = 0; k < D; k++) {
        const r = xh[k] - x[xo + k];
        sumMse += r * r;
        dxh[k] = 2 * r * invB;
        gBDec[k] += dxh[k];
      }
      // ∂L/∂a_j (mse through the decoder + tanh sparsity), then through the jump
      for (let j = 0; j < M; j++) {
        const inWindow = rect((pre[j] - t[j]) / bw) === 1;
        const tanhV = Math.tanh(tanhScale * act[j] * norm[j]);
        sumSparsity += tanhV;
        if (act[j] === 0 && !inWindow) continue;
        const w = j * D;
        const sech2 = 1 - tanhV * tanhV;
        let dA = coeff * invB * tanhScale * norm[j] * sech2;
        for (let k = 0; k < D; k++) dA += wDec[w + k] * dxh[k];
        if (inWindow) dT[j] += -(t[j] / bw) * dA;
        if (act[j] === 0) continue;
        // active: decoder, the norm in the tanh term, and the encoder ([h > t]·∂L/∂a)
        const a = act[j];
        dNorm[j] += coeff * invB * tanhScale * a * sech2;
        gBEnc[j] += dA;
        for (let k = 0; k < D; k++) {
          gWDec[w + k] += a * dxh[k];
          gWEncT[w + k] += xc[k] * dA;
          gBDec[k] -= wEncT[w + k] * dA; // h depends on b_dec through x − b_dec
        }
      }
    }
    // the decoder norm in the tanh term: ∂‖w‖/∂w = w/‖w‖; the threshold: ∂t/∂log_t = t
    for (let j = 0; j < M; j++) {
      if (dNorm[j] !== 0 && norm[j] > 0) {
        const f = dNorm[j] / norm[j];
        for (let k = 0; k < D; k++) gWDec[j * D + k] += f * wDec[j * D + k];
      }
      gradLogThreshold[be + j] = dT[j] * t[j];
    }
    for (let k = 0; k < D; k++) for (let j = 0; j < M; j++) grads.wEnc[i * D * M + k * M + j] = gWEncT[j * D + k];
    grads.wDec.set(gWDec, i * M * D);
    grads.bEnc.set(gBEnc, be);
    grads.bDec.set(gBDec, i * D);
    out.reconstruction[i] = sumMse * invB;
    out.sparsity[i] = coeff * sumSparsity * invB;
    out.loss[i] = out.reconstruction[i] + out.sparsity[i];
    out.l0[i] = active * invB;
  }
  return out;
}

/**
 * JumpReLU as a tfjs op with the original's custom gradients: h [I, B, M], t [I, 1, M].
 * Built per call because tf.customGrad captures the bandwidth.
 */
export function jumpReluOp(tf: typeof tfTypes, bandwidth: number): (h: tfTypes.Tensor, t: tfTypes.Tensor) => tfTypes.Tensor {
  const op = tf.customGrad((...args: (tfTypes.Tensor | tfTypes.GradSaveFunc)[]) => {
    const h = args[0] as tfTypes.Tensor;
    const t = args[1] as tfTypes.Tensor;
    const save = args[2] as tfTypes.GradSaveFunc;
    save([h, t]);
    return {
      value: tf.mul(h, tf.cast(tf.greater(h, t), "float32")),
      gradFunc: (dy: tfTypes.Tensor, saved: tfTypes.Tensor[]) => {
        const [hs, ts] = saved;
        const gate = tf.cast(tf.greater(hs, ts), "float32");
        const u = tf.div(tf.sub(hs, ts), bandwidth);
        const window = tf.cast(tf.logicalAnd(tf.greater(u, -0.5), tf.less(u, 0.5)), "float32");
        const dt = tf.sum(tf.mul(tf.mul(tf.neg(tf.div(ts, bandwidth)), window), dy), 1, true);
        return [tf.mul(gate, dy), dt];
      },
    };
  });
  return (h, t) => op(h, t);
}

/** The same loss in tfjs ops (autodiff reference). x: [I, B, dIn], logThreshold: [I, dSae]. */
export function jumpReluReferenceLoss(
  tf: typeof tfTypes,
  t: SaeTensors,
  logThreshold: tfTypes.Tensor2D,
  x: tfTypes.Tensor3D,
  hyper: JumpReluHyper,
): tfTypes.Tensor1D {
  const I = x.shape[0];
  const h = tf.add(tf.matMul(tf.sub(x, tf.expandDims(t.bDec, 1)), t.wEnc), tf.expandDims(t.bEnc, 1)); // [I,B,M]
  const a = jumpReluOp(tf, hyper.bandwidth)(h, tf.expandDims(tf.exp(logThreshold), 1));
  const xh = tf.add(tf.matMul(a, t.wDec), tf.expandDims(t.bDec, 1));
  const mse = tf.mean(tf.sum(tf.square(tf.sub(xh, x)), 2), 1); // [I]
  const decNorm = tf.expandDims(tf.norm(t.wDec, 2, 2), 1); // [I,1,M]
  const perSample = tf.sum(tf.tanh(tf.mul(hyper.tanhScale, tf.mul(a, decNorm))), 2); // [I,B]
  const coeff = tf.tensor1d(Float32Array.from(hyper.l0Coefficient), "float32");
  return tf.reshape(tf.add(mse, tf.mul(coeff, tf.mean(perSample, 1))), [I]) as tfTypes.Tensor1D;
}
