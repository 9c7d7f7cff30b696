/**
 * ARENA's toy JumpReLU SAE (`JumpReLUToySAE`, chapter 1.3.1; reference arena-toy-models.md
 * §2, after Rajamanoharan et al. 2024), fused forward + backward. Per instance and sample h:
 *
 *   z = ReLU((h − b_dec)·W_enc + b_enc),   θ = exp(log θ)
 *   acts = JumpReLU(z, θ) = z·1[z > θ]
 *   ĥ = acts·W_dec + b_dec                  (W_dec raw; tied: W_encᵀ)
 *   L_rec = mean over dIn of (ĥ − h)²,   L_sparsity = Σ_j H(z_j, θ_j) = Σ_j 1[z_j > θ_j]   (L0)
 *   loss_i = mean over the batch of L_rec + coeff_i·L_sparsity
 *
 * Straight-through estimators with the rectangle kernel K(u) = 1[|u| < ½] and ε = ste_epsilon:
 *   JumpReLU:  ∂/∂z = 1[z > θ],  ∂/∂θ = −(θ/ε)·K((z − θ)/ε)
 *   Heaviside: ∂/∂z = 0,         ∂/∂θ = −(1/ε)·K((z − θ)/ε)
 * and ∂θ/∂log θ = θ. log θ is an extra [I, dSae] parameter, initialised (and reset by
 * resampling) to log 0.1. This differs from SAELens' JumpReLU of `../jumprelu.ts` (tanh
 * sparsity on decoder-norm-scaled acts, no ReLU before the jump, bandwidth 2).
 * The demo: tied weights, coeff 0.1, ε 0.01.
 */
import { emptySaeParams, type GridBatch, type SaeParams, type SaeShape } from "../types.ts";
import { ARENA_ACTIVE_THRESHOLD } from "../arena-relu/init.ts";
import { arenaInstanceWeights, loadArenaInstance, storeArenaGrads, zeroArenaGrads } from "../arena-relu/instance-weights.ts";
import { emptyArenaSaeStepOutput, storeActivity, type ArenaSaeStepOutput } from "../arena-relu/output.ts";

export const ARENA_THETA_INIT = 0.1;
export const ARENA_STE_EPSILON = 0.01;
export const ARENA_JUMPRELU_DEMO_COEFF = 0.1;

export interface ArenaJumpReluHyper {
  sparsityCoeff: Float64Array;
  tied: boolean;
  /** ste_epsilon ε, default 0.01. */
  steEpsilon?: number;
}

/** log θ = log 0.1 for every latent of every instance. */
export function initArenaLogTheta(shape: Pick<SaeShape, "instances" | "dSae">, theta = ARENA_THETA_INIT): Float32Array {
  return new Float32Array(shape.instances * shape.dSae).fill(Math.log(theta));
}

/** The rectangle kernel K(u) = 1[|u| < ½]. */
export function rectangle(u: number): number {
  return Math.abs(u) < 0.5 ? 1 : 0;
}

/**
 * Fused pass; `grads` and `gradLogTheta` are overwritten. `perSampleReconstruction` [I, B]
 * receives each sample's L_rec. `sparsityUnweighted` is the mean L0 per sample.
 */
export function arenaJumpReluLossAndGrads(
  p: SaeParams,
  logTheta: Float32Array,
  hyper: ArenaJumpReluHyper,
  batch: GridBatch,
  grads: SaeParams,
  gradLogTheta: Float32Array,
  perSampleReconstruction?: Float64Array,
): ArenaSaeStepOutput {
  const { instances: I, dIn: D, dSae: M } = p;
  const B = batch.batch;
  const eps = hyper.steEpsilon ?? ARENA_STE_EPSILON;
  const out = emptyArenaSaeStepOutput(p);
  const w = arenaInstanceWeights(D, M);
  const g = arenaInstanceWeights(D, M);
  const theta = new Float64Array(M);
  const dTheta = new Float64Array(M);
  const hc = new Float64Array(D);
  const z = new Float64Array(M);
  const acts = new Float64Array(M);
  const dxh = new Float64Array(D);
  const dhc = new Float64Array(D);
  const active = new Float64Array(M);
  const invB = 1 / B;
  for (let i = 0; i < I; i++) {
    const x = batch.x[batch.group[i]];
    const coeff = hyper.sparsityCoeff[i];
    loadArenaInstance(p, i, hyper.tied, w);
    zeroArenaGrads(g);
    for (let j = 0; j < M; j++) theta[j] = Math.exp(logTheta[i * M + j]);
    dTheta.fill(0);
    active.fill(0);
    let sumRec = 0,
      sumL0 = 0;
    for (let s = 0; s < B; s++) {
      const xo = s * D;
      for (let k = 0; k < D; k++) hc[k] = x[xo + k] - w.bDec[k];
      for (let j = 0; j < M; j++) {
        let pre = w.bEnc[j];
        for (let k = 0; k < D; k++) pre += hc[k] * w.encT[j * D + k];
        z[j] = pre > 0 ? pre : 0;
        const on = z[j] > theta[j];
        acts[j] = on ? z[j] : 0;
        if (on) sumL0++;
        if (acts[j] > ARENA_ACTIVE_THRESHOLD) active[j]++;
      }
      let rec = 0;
      for (let k = 0; k < D; k++) {
        let xh = w.bDec[k];
        for (let j = 0; j < M; j++) xh += acts[j] * w.dec[j * D + k];
        const r = xh - x[xo + k];
        rec += r * r;
        dxh[k] = (2 * r) / (D * B);
      }
      rec /= D;
      sumRec += rec;
      if (perSampleReconstruction) perSampleReconstruction[i * B + s] = rec;

      for (let k = 0; k < D; k++) {
        g.bDec[k] += dxh[k];
        dhc[k] = 0;
      }
      for (let j = 0; j < M; j++) {
        const window = rectangle((z[j] - theta[j]) / eps);
        const on = z[j] > theta[j];
        if (!on && window === 0) continue;
        let dA = 0; // ∂L_rec/∂acts_j
        for (let k = 0; k < D; k++) dA += w.dec[j * D + k] * dxh[k];
        if (window !== 0) dTheta[j] += -(theta[j] / eps) * dA - (1 / eps) * coeff * invB;
        if (!on) continue;
        // JumpReLU passes ∂/∂z = 1[z > θ]; z > θ > 0 means the ReLU is open too
        for (let k = 0; k < D; k++) g.dec[j * D + k] += acts[j] * dxh[k];
        g.bEnc[j] += dA;
        for (let k = 0; k < D; k++) {
          g.encT[j * D + k] += dA * hc[k];
          dhc[k] += dA * w.encT[j * D + k];
        }
      }
      for (let k = 0; k < D; k++) g.bDec[k] -= dhc[k];
    }
    storeArenaGrads(grads, i, hyper.tied, g);
    for (let j = 0; j < M; j++) gradLogTheta[i * M + j] = dTheta[j] * theta[j];
    storeActivity(out, i, active, B);
    out.reconstruction[i] = sumRec * invB;
    out.sparsityUnweighted[i] = sumL0 * invB;
    out.sparsity[i] = coeff * sumL0 * invB;
    out.loss[i] = out.reconstruction[i] + out.sparsity[i];
  }
  return out;
}

/** Activations of one instance for a [B, dIn] input → [B, dSae]. */
export function encodeArenaJumpRelu(p: SaeParams, logTheta: Float32Array, instance: number, x: ArrayLike<number>, batch: number): Float32Array {
  const { dIn: D, dSae: M } = p;
  const o = instance * D * M;
  const acts = new Float32Array(batch * M);
  for (let s = 0; s < batch; s++) {
    for (let j = 0; j < M; j++) {
      let pre = p.bEnc[instance * M + j];
      for (let k = 0; k < D; k++) pre += (x[s * D + k] - p.bDec[instance * D + k]) * p.wEnc[o + k * M + j];
      if (pre > 0 && pre > Math.exp(logTheta[instance * M + j])) acts[s * M + j] = pre;
    }
  }
  return acts;
}

/** L_rec of every sample [I, B] (the forward of `resample_advanced`). */
export function arenaJumpReluReconstructionPerSample(p: SaeParams, logTheta: Float32Array, hyper: ArenaJumpReluHyper, batch: GridBatch): Float64Array {
  const rec = new Float64Array(p.instances * batch.batch);
  arenaJumpReluLossAndGrads(p, logTheta, hyper, batch, emptySaeParams(p), new Float32Array(logTheta.length), rec);
  return rec;
}
