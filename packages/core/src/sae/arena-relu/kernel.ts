/**
 * ARENA's toy ReLU SAE (`ToySAE.forward`, chapter 1.3.1; reference arena-toy-models.md §2),
 * fused forward + backward, per instance i and sample h:
 *
 *   acts = ReLU((h − b_dec)·W_enc + b_enc)
 *   ĥ = acts·Ŵ_dec + b_dec,   Ŵ_dec row j = W_dec,j / (‖W_dec,j‖ + eps)   (normalised in the forward)
 *   L_rec = mean over dIn of (ĥ − h)²,   L_sparsity = Σ_j |acts_j|
 *   loss_i = mean over the batch of L_rec + coeff_i·L_sparsity
 *
 * The gradient flows through the normalisation: with u = w/(n + eps), n = ‖w‖,
 *   ∂L/∂w = G/(n + eps) − w·(G·w)/(n·(n + eps)²),   G = ∂L/∂u.
 * Tied weights: W_dec = W_encᵀ (still normalised in the forward), gradients summed into W_enc.
 * The original minimises Σ_i loss_i; each instance's gradient is that of its own loss_i.
 * Coefficient: 0.2 in S (OLD: l1_coeff 0.5).
 */
import { emptySaeParams, type GridBatch, type SaeParams } from "../types.ts";
import { ARENA_ACTIVE_THRESHOLD, ARENA_WEIGHT_NORMALIZE_EPS } from "./init.ts";
import { arenaInstanceWeights, loadArenaInstance, rowNorms, storeArenaGrads, zeroArenaGrads } from "./instance-weights.ts";
import { emptyArenaSaeStepOutput, storeActivity, type ArenaSaeStepOutput } from "./output.ts";

export interface ArenaReluHyper {
  /** coeff per instance. */
  sparsityCoeff: Float64Array;
  tied: boolean;
  /** `weight_normalize_eps`, default 1e-8. */
  eps?: number;
}

/** Decoder rows u_j = w_j/(‖w_j‖ + eps) of an instance ([dSae, dIn]) and the norms. */
function normalisedRows(dec: Float64Array, M: number, D: number, eps: number, norms: Float64Array, out: Float64Array): void {
  rowNorms(dec, M, D, norms);
  for (let j = 0; j < M; j++) {
    const s = 1 / (norms[j] + eps);
    for (let k = 0; k < D; k++) out[j * D + k] = dec[j * D + k] * s;
  }
}

/**
 * Fused pass over every instance; `grads` are overwritten. When `perSampleReconstruction`
 * ([I, B]) is given, each sample's L_rec is written there (what advanced resampling needs).
 */
export function arenaReluLossAndGrads(p: SaeParams, hyper: ArenaReluHyper, batch: GridBatch, grads: SaeParams, perSampleReconstruction?: Float64Array): ArenaSaeStepOutput {
  const { instances: I, dIn: D, dSae: M } = p;
  const B = batch.batch;
  const eps = hyper.eps ?? ARENA_WEIGHT_NORMALIZE_EPS;
  const out = emptyArenaSaeStepOutput(p);
  const w = arenaInstanceWeights(D, M);
  const g = arenaInstanceWeights(D, M); // gradients; g.dec first holds ∂L/∂u
  const u = new Float64Array(M * D);
  const norms = new Float64Array(M);
  const hc = new Float64Array(D);
  const acts = new Float64Array(M);
  const dxh = new Float64Array(D);
  const dhc = new Float64Array(D);
  const active = new Float64Array(M);
  const invB = 1 / B;
  for (let i = 0; i < I; i++) {
    const x = batch.x[batch.group[i]];
    const coeff = hyper.sparsityCoeff[i];
    loadArenaInstance(p, i, hyper.tied, w);
    normalisedRows(w.dec, M, D, eps, norms, u);
    zeroArenaGrads(g);
    active.fill(0);
    let sumRec = 0;
    let sumSparsity = 0;
    for (let s = 0; s < B; s++) {
      const xo = s * D;
      for (let k = 0; k < D; k++) hc[k] = x[xo + k] - w.bDec[k];
      for (let j = 0; j < M; j++) {
        let pre = w.bEnc[j];
        for (let k = 0; k < D; k++) pre += hc[k] * w.encT[j * D + k];
        const a = pre > 0 ? pre : 0;
        acts[j] = a;
        sumSparsity += a;
        if (a > ARENA_ACTIVE_THRESHOLD) active[j]++;
      }
      let rec = 0;
      for (let k = 0; k < D; k++) {
        let xh = w.bDec[k];
        for (let j = 0; j < M; j++) xh += acts[j] * u[j * D + k];
        const r = xh - x[xo + k];
        rec += r * r;
        dxh[k] = (2 * r) / (D * B);
      }
      rec /= D;
      sumRec += rec;
      if (perSampleReconstruction) perSampleReconstruction[i * B + s] = rec;
      // backward: b_dec (in ĥ), the normalised decoder, the L1 term, the ReLU, the encoder, b_dec (in h − b_dec)
      for (let k = 0; k < D; k++) {
        g.bDec[k] += dxh[k];
        dhc[k] = 0;
      }
      for (let j = 0; j < M; j++) {
        const a = acts[j];
        if (a === 0) continue; // ReLU closed: no gradient to the encoder, and none to u_j
        let da = coeff * invB;
        for (let k = 0; k < D; k++) {
          g.dec[j * D + k] += a * dxh[k];
          da += u[j * D + k] * dxh[k];
        }
        g.bEnc[j] += da;
        for (let k = 0; k < D; k++) {
          g.encT[j * D + k] += da * hc[k];
          dhc[k] += da * w.encT[j * D + k];
        }
      }
      for (let k = 0; k < D; k++) g.bDec[k] -= dhc[k];
    }
    // ∂L/∂u → ∂L/∂w through u = w/(‖w‖ + eps)
    for (let j = 0; j < M; j++) {
      const n = norms[j];
      const inv = 1 / (n + eps);
      let gw = 0;
      for (let k = 0; k < D; k++) gw += g.dec[j * D + k] * w.dec[j * D + k];
      const radial = n > 0 ? gw / (n * (n + eps) * (n + eps)) : 0;
      for (let k = 0; k < D; k++) g.dec[j * D + k] = g.dec[j * D + k] * inv - radial * w.dec[j * D + k];
    }
    storeArenaGrads(grads, i, hyper.tied, g);
    storeActivity(out, i, active, B);
    out.reconstruction[i] = sumRec * invB;
    out.sparsityUnweighted[i] = sumSparsity * invB;
    out.sparsity[i] = coeff * sumSparsity * invB;
    out.loss[i] = out.reconstruction[i] + out.sparsity[i];
  }
  return out;
}

/** Activations of one instance for a [B, dIn] input → [B, dSae]. */
export function encodeArenaRelu(p: SaeParams, instance: number, x: ArrayLike<number>, batch: number): Float32Array {
  const { dIn: D, dSae: M } = p;
  const o = instance * D * M;
  const acts = new Float32Array(batch * M);
  for (let s = 0; s < batch; s++) {
    for (let j = 0; j < M; j++) {
      let pre = p.bEnc[instance * M + j];
      for (let k = 0; k < D; k++) pre += (x[s * D + k] - p.bDec[instance * D + k]) * p.wEnc[o + k * M + j];
      acts[s * M + j] = pre > 0 ? pre : 0;
    }
  }
  return acts;
}

/** L_rec of every sample [I, B] (the forward of `resample_advanced`). */
export function arenaReluReconstructionPerSample(p: SaeParams, hyper: ArenaReluHyper, batch: GridBatch): Float64Array {
  const rec = new Float64Array(p.instances * batch.batch);
  arenaReluLossAndGrads(p, hyper, batch, emptySaeParams(p), rec);
  return rec;
}
