// biome-ignore-all format: hand-unrolled numeric loops keep several declarations per line (one per unrolled lane)
/**
 * SAELens 6.11.1 `BatchTopKTrainingSAE`, the SAE of every Sparse-but-Wrong toy run.
 *
 *   h = (x − b_dec)·W_enc + b_enc
 *   a = BatchTopK(ReLU(h)): of the batch's B·dSae values keep the ⌊k·B⌋ largest, zero the rest
 *   x̂ = a·W_dec + b_dec
 *   loss = mse + aux,  mse = mean_b Σ_d (x̂ − x)²
 *
 * k may be fractional (k = 1.8, B = 1024 keeps 1843): only the product matters. The
 * gradient reaches only the kept activations with h > 0 (torch's scatter of ReLU values;
 * ReLU's gradient at 0 is 0). No decoder normalisation in 6.11.1.
 *
 * aux-k (only for instances with dead latents; EleutherAI's heuristic, without variance
 * normalisation):
 *   k_aux = ⌊dIn/2⌋, scale = min(nDead/k_aux, 1), then k_aux = min(k_aux, nDead)
 *   r = stopgrad(x − x̂)
 *   â = per sample the k_aux largest RAW pre-activations h among dead latents (no ReLU, so
 *       they may be negative), 0 elsewhere
 *   aux = coeff·scale·mean_b ‖â·W_dec + b_dec − r‖²
 *
 * The topk threshold θ (a Float64 EMA of the smallest positive kept activation) is not part
 * of the loss; `updateTopKThreshold` applies it after each step.
 */
import { encoderPreActivations, instanceWeights, loadInstance, saePreActivations, scratchF64, scratchI32, type InstanceWeights } from "../shared/saelens-base.ts";
import { positiveTopKCut, topKMask } from "../shared/top-k-select.ts";
import { simdEncoder } from "../../wasm/encoder-simd.ts";
import { emptyStepOutput, type GridBatch, type SaeParams, type StepOutput } from "../types.ts";

export interface BatchTopKHyper {
  /** k per instance at this step (fractional allowed). */
  k: Float64Array;
  /** SAELens `aux_loss_coefficient` (1). */
  auxCoefficient: number;
}

export interface BatchTopKState {
  /** [I, dSae] 1 where the latent is dead (no activation > 0 for more than the dead window). */
  dead: Uint8Array;
}

export interface BatchTopKStepOutput extends StepOutput {
  /** Per instance, the smallest positive kept activation (what θ tracks); NaN when none. */
  minPositive: Float64Array;
  /** Per instance, mean number of non-zero activations per sample. */
  l0: Float64Array;
}

export const TOPK_THRESHOLD_LR = 0.01;

/** How many activations BatchTopK keeps in a batch: Python's int(k·B), capped at B·dSae. */
export function batchTopKCount(k: number, batch: number, dSae: number): number {
  if (!(k >= 0)) throw new Error(`BatchTopK: k must be ≥ 0, got ${k}`);
  return Math.min(Math.floor(k * batch), batch * dSae);
}

/** The SAELens aux-k sizes for `nDead` dead latents in a `dIn`-dimensional SAE. */
export function auxKSizes(dIn: number, nDead: number): { kAux: number; scale: number } {
  const base = Math.floor(dIn / 2);
  // base = 0 (dIn = 1) would divide by zero in the original; treat the scale as saturated
  const scale = base > 0 ? Math.min(nDead / base, 1) : 1;
  return { kAux: Math.min(base, nDead), scale };
}

export function batchTopKState(shape: { instances: number; dSae: number }): BatchTopKState {
  return { dead: new Uint8Array(shape.instances * shape.dSae) };
}

/** θ ← (1 − lr)·θ + lr·minPositive, in Float64, skipped when no activation was positive. */
export function updateTopKThreshold(threshold: Float64Array, minPositive: Float64Array, lr = TOPK_THRESHOLD_LR, active?: Uint8Array): void {
  for (let i = 0; i < threshold.length; i++) {
    if (active && !active[i]) continue;
    if (Number.isNaN(minPositive[i])) continue;
    threshold[i] = (1 - lr) * threshold[i] + lr * minPositive[i];
  }
}

/**
 * Codes of one instance for an evaluation batch [B, dIn] → [B, dSae], with batch top-k over
 * that whole batch, as the paper's evaluations do (they call the training SAE).
 */
export function encodeBatchTopK(p: SaeParams, instance: number, x: ArrayLike<number>, batch: number, k: number): Float32Array {
  const n = batch * p.dSae;
  const h = saePreActivations(p, instance, x, batch, new Float64Array(n));
  for (let e = 0; e < n; e++) if (h[e] < 0) h[e] = 0;
  const keep = new Uint8Array(n);
  topKMask(h, n, batchTopKCount(k, batch, p.dSae), keep, new Float64Array(n));
  const acts = new Float32Array(n);
  for (let e = 0; e < n; e++) if (keep[e]) acts[e] = h[e];
  return acts;
}

/**
 * The inference SAE SAELens saves from a BatchTopK training SAE: a JumpReLU with the
 * uniform threshold θ, a = h·[h > θ] (per sample; no batch coupling). The paper's toy
 * evaluations do not use it; it is here to compare the two.
 */
export function encodeWithTopKThreshold(p: SaeParams, instance: number, x: ArrayLike<number>, batch: number, theta: number): Float32Array {
  const n = batch * p.dSae;
  const h = saePreActivations(p, instance, x, batch, new Float64Array(n));
  const acts = new Float32Array(n);
  for (let e = 0; e < n; e++) if (h[e] > theta) acts[e] = h[e];
  return acts;
}

/**
 * Fused forward + backward of every instance. `grads` are overwritten.
 *
 * Per instance the weights are copied to Float64 scratch (W_enc transposed to [dSae, dIn],
 * so every per-latent loop runs over contiguous memory), the inputs are centred once
 * (xc = x − b_dec) and the gradients accumulate in Float64 before being written back. The
 * encoder is the only dense product (`encoderPreActivations`); everything after it visits
 * only the kept activations, ≈ k of dSae per sample:
 *
 *   selection  the ⌊k·B⌋-th largest positive h by quickselect over the positive values,
 *              then the kept (sample, latent, a) listed by sample and by latent.
 *   mse        with G = W_dec·W_decᵀ, q_s = G·a_s and p_sj = W_dec,j·xc_s (kept j only),
 *              x̂_s − x_s = Σ_j a_sj·W_dec,j − xc_s gives
 *                ‖x̂_s − x_s‖² = Σ_j a_sj·(q_sj − 2·p_sj) + ‖xc_s‖²
 *                ∂L/∂h_sj     = c·(q_sj − p_sj)                          (c = 2/B; kept j)
 *                ∂L/∂W_dec   = c·(AᵀA·W_dec − Aᵀ·Xc)
 *                ∂L/∂b_dec  += c·(Σ_s a_s·W_dec − Σ_s xc_s)
 *              so x̂ is never formed: one pass over dIn per kept activation for p and Aᵀ·Xc,
 *              one for ∂L/∂W_enc, and O(k²) per sample for q and AᵀA.
 *   encoder    ∂L/∂W_enc,j = Σ_s ∂L/∂h_sj·xc_s, ∂L/∂b_enc = Σ_s ∂L/∂h_s, and h depends on b_dec
 *              through x − b_dec: ∂L/∂b_dec −= W_enc·∂L/∂b_enc.
 *   aux-k      only for instances with dead latents, sample by sample (it needs x̂ itself).
 *
 * The per-latent passes go over the latent's samples four at a time (four independent dot
 * products sharing each loaded weight, one read-modify-write of the gradient row per four
 * samples). All scratch is reused between calls (`scratchF64`).
 */
export function batchTopKLossAndGrads(
  p: SaeParams,
  hyper: BatchTopKHyper,
  state: BatchTopKState,
  batch: GridBatch,
  grads: SaeParams,
): BatchTopKStepOutput {
  const { instances: I, dIn: D, dSae: M } = p;
  const B = batch.batch;
  const out: BatchTopKStepOutput = { ...emptyStepOutput(p), minPositive: new Float64Array(I).fill(NaN), l0: new Float64Array(I) };
  const n = B * M;
  const w = instanceWeights("batchTopK", D, M);
  const { wEncT, bEnc, wDec, bDec } = w;
  // With WebAssembly SIMD the encoder runs in its module's memory, and xc and h live there
  // (views), so the batch is never copied; the rest of the kernel reads them alike.
  const simd = simdEncoder();
  const simdBuffers = simd ? simd.buffers(B, D, M) : null;
  const xc = simdBuffers ? simdBuffers.xc : scratchF64("batchTopK.xc", B * D); // x − b_dec
  const pre = simdBuffers ? simdBuffers.pre : scratchF64("batchTopK.pre", n); // h
  const select = scratchF64("batchTopK.select", n);
  const codes = sparseCodes("batchTopK", B, M, n);
  const { rowStart, latent, act, dot, grad } = codes;
  const gram = scratchF64("batchTopK.gram", M * M); // W_dec·W_decᵀ
  const aTa = scratchF64("batchTopK.aTa", M * M); // Σ_s a_s·a_sᵀ
  const actSum = scratchF64("batchTopK.actSum", M); // Σ_s a_s
  const xcSum = scratchF64("batchTopK.xcSum", D); // Σ_s xc_s
  const aTxc = scratchF64("batchTopK.aTxc", M * D); // Aᵀ·Xc
  const gWEncT = scratchF64("batchTopK.gWEncT", M * D);
  const gWDec = scratchF64("batchTopK.gWDec", M * D);
  const gBEnc = scratchF64("batchTopK.gBEnc", M);
  const gBDec = scratchF64("batchTopK.gBDec", D);
  const invB = 1 / B;
  const c = 2 * invB; // ∂(mean_b Σ_d r²)/∂r
  const cutHints = scratchF64("batchTopK.cutHints", I);

  for (let i = 0; i < I; i++) {
    const be = i * M;
    loadInstance(p, i, w);

    // forward: h = (x − b_dec)·W_enc + b_enc, then the batch-wide top-k of ReLU(h)
    const x = batch.x[batch.group[i]];
    xcSum.fill(0, 0, D);
    const xcSquares = centreAndSum(x, B, D, bDec, xc, xcSum); // Σ_s ‖xc_s‖²
    if (simd && simdBuffers) {
      // W_enc in its own [d_in, d_sae] layout (two adjacent latents per vector), and b_enc
      const we = i * D * M;
      for (let e = 0; e < D * M; e++) simdBuffers.w[e] = p.wEnc[we + e];
      simdBuffers.b.set(bEnc.subarray(0, M));
      simd.run();
    } else encoderPreActivations(xc, B, D, M, wEncT, bEnc, pre);
    // the previous step's cut of this instance brackets this one's (speed only: see positiveTopKCut)
    const selection = positiveTopKCut(pre, n, batchTopKCount(hyper.k[i], B, M), select, cutHints[i]);
    const cut = selection.cut;
    if (cut > 0 && cut < Number.POSITIVE_INFINITY) cutHints[i] = cut;
    let ties = selection.ties; // kept values equal to the cut, by index order
    let nnz = 0;
    // Each value is written at the next free place, which advances only when it is kept:
    // whether a value is kept is a coin toss (a third of them at k 1.8 of 5), so a branch
    // on it would mispredict. Values equal to the cut are rare: they take the branch.
    for (let s = 0; s < B; s++) {
      rowStart[s] = nnz;
      const row = s * M;
      for (let j = 0; j < M; j++) {
        const v = pre[row + j];
        let keep = Number(v > cut);
        if (v === cut) {
          keep = ties > 0 ? 1 : 0;
          ties -= keep;
        }
        latent[nnz] = j;
        act[nnz] = v;
        nnz += keep;
      }
    }
    rowStart[B] = nnz;
    let minPositive = Number.POSITIVE_INFINITY;
    actSum.fill(0, 0, M);
    for (let t = 0; t < nnz; t++) {
      const j = latent[t];
      const v = act[t];
      actSum[j] += v;
      if (v < minPositive) minPositive = v;
      out.fired[be + j] = 1;
    }
    indexByLatent(codes, B, M);

    // p_sj = W_dec,j·xc_s for every kept (s, j), and Aᵀ·Xc
    aTxc.fill(0, 0, M * D);
    decoderDotsAndATx(codes, M, D, wDec, xc, aTxc);

    // q_s = G·a_s, the mse and ∂L/∂h of the kept activations, AᵀA
    gramMatrix(wDec, M, D, gram);
    aTa.fill(0, 0, M * M);
    let sumMse = xcSquares;
    for (let s = 0; s < B; s++) {
      const t0 = rowStart[s];
      const t1 = rowStart[s + 1];
      // over the pairs t ≤ u of the sample's entries (G and AᵀA are symmetric); q_t builds
      // up in grad[t] from the pairs before t
      for (let t = t0; t < t1; t++) grad[t] = 0;
      for (let t = t0; t < t1; t++) {
        const jM = latent[t] * M;
        const a = act[t];
        let q = grad[t] + gram[jM + latent[t]] * a;
        aTa[jM + latent[t]] += a * a;
        for (let u = t + 1; u < t1; u++) {
          const l = latent[u];
          const g = gram[jM + l];
          const b = act[u];
          q += g * b;
          grad[u] += g * a;
          aTa[jM + l] += a * b; // upper triangle: a sample's latents are in increasing order
        }
        sumMse += a * (q - 2 * dot[t]);
        grad[t] = c * (q - dot[t]);
      }
    }
    for (let j = 0; j < M; j++) for (let l = 0; l < j; l++) aTa[j * M + l] = aTa[l * M + j];

    // decoder: ∂L/∂W_dec = c·(AᵀA·W_dec − Aᵀ·Xc), ∂L/∂b_dec = c·(Σ_s a_s·W_dec − Σ_s xc_s)
    for (let e = 0; e < M * M; e++) aTa[e] *= c;
    for (let e = 0; e < M * D; e++) gWDec[e] = -c * aTxc[e];
    addMatMul(aTa, wDec, M, M, D, gWDec);
    for (let k = 0; k < D; k++) gBDec[k] = -c * xcSum[k];
    for (let j = 0; j < M; j++) {
      const f = c * actSum[j];
      if (f === 0) continue;
      const wj = j * D;
      for (let k = 0; k < D; k++) gBDec[k] += f * wDec[wj + k];
    }

    // encoder: ∂L/∂W_enc,j = Σ_s ∂L/∂h_sj·xc_s, ∂L/∂b_enc,j = Σ_s ∂L/∂h_sj
    gWEncT.fill(0, 0, M * D);
    gBEnc.fill(0, 0, M);
    encoderGradient(codes, M, D, grad, xc, gWEncT, gBEnc);

    let auxiliary = 0;
    let nDead = 0;
    for (let j = 0; j < M; j++) nDead += state.dead[be + j];
    if (nDead > 0) {
      auxiliary = auxKLossAndGrads(state.dead.subarray(be, be + M), hyper.auxCoefficient, codes, B, D, M, w, xc, pre, gWEncT, gBEnc, gWDec, gBDec);
    }

    // h depends on b_dec through x − b_dec: ∂L/∂b_dec −= W_enc·∂L/∂b_enc
    for (let j = 0; j < M; j++) {
      const g = gBEnc[j];
      if (g === 0) continue;
      const wj = j * D;
      for (let k = 0; k < D; k++) gBDec[k] -= wEncT[wj + k] * g;
    }

    const we = i * D * M;
    for (let k = 0; k < D; k++) for (let j = 0; j < M; j++) grads.wEnc[we + k * M + j] = gWEncT[j * D + k];
    for (let e = 0; e < M * D; e++) grads.wDec[we + e] = gWDec[e];
    for (let j = 0; j < M; j++) grads.bEnc[be + j] = gBEnc[j];
    for (let k = 0; k < D; k++) grads.bDec[i * D + k] = gBDec[k];
    out.reconstruction[i] = sumMse * invB;
    out.auxiliary[i] = auxiliary;
    out.loss[i] = out.reconstruction[i] + out.auxiliary[i];
    out.l0[i] = nnz * invB;
    if (nnz > 0) out.minPositive[i] = minPositive;
  }
  return out;
}

/**
 * xc = x − b_dec for a [B, D] batch; adds Σ_s xc_s to `xcSum` and returns Σ_s ‖xc_s‖²
 * (each ‖xc_s‖² summed over k in order, then added sample by sample).
 *
 * Four samples per pass over k: one sample's ‖xc_s‖² is a chain of D dependent additions,
 * four of them overlap (this loop was a fifth of the small toy's kernel). Every sum keeps
 * the one-sample-at-a-time order: xcSum[k] gets samples s … s + 3 in turn, and the four
 * squared norms are added to the total in sample order.
 */
function centreAndSum(x: Float32Array, B: number, D: number, bDec: Float64Array, xc: Float64Array, xcSum: Float64Array): number {
  let total = 0;
  let s = 0;
  for (; s + 3 < B; s += 4) {
    const o0 = s * D, o1 = o0 + D, o2 = o1 + D, o3 = o2 + D;
    let sq0 = 0, sq1 = 0, sq2 = 0, sq3 = 0;
    for (let k = 0; k < D; k++) {
      const b = bDec[k];
      const v0 = x[o0 + k] - b, v1 = x[o1 + k] - b, v2 = x[o2 + k] - b, v3 = x[o3 + k] - b;
      xc[o0 + k] = v0;
      xc[o1 + k] = v1;
      xc[o2 + k] = v2;
      xc[o3 + k] = v3;
      let t = xcSum[k];
      t += v0;
      t += v1;
      t += v2;
      t += v3;
      xcSum[k] = t;
      sq0 += v0 * v0;
      sq1 += v1 * v1;
      sq2 += v2 * v2;
      sq3 += v3 * v3;
    }
    total += sq0;
    total += sq1;
    total += sq2;
    total += sq3;
  }
  for (; s < B; s++) {
    const o = s * D;
    let sq = 0;
    for (let k = 0; k < D; k++) {
      const v = x[o + k] - bDec[k];
      xc[o + k] = v;
      xcSum[k] += v;
      sq += v * v;
    }
    total += sq;
  }
  return total;
}

/**
 * The kept activations of one batch: entry t is (sample, latent[t], act[t]); a sample's
 * entries are [rowStart[s], rowStart[s + 1]) in latent order. `byLatent` lists the same
 * entries latent by latent ([colStart[j], colStart[j + 1]), in sample order) and
 * `sampleOf` gives each entry's sample. `dot` and `grad` hold per-entry values.
 */
interface SparseCodes {
  rowStart: Int32Array;
  latent: Int32Array;
  act: Float64Array;
  dot: Float64Array;
  grad: Float64Array;
  sampleOf: Int32Array;
  colStart: Int32Array;
  byLatent: Int32Array;
}

function sparseCodes(prefix: string, batch: number, dSae: number, capacity: number): SparseCodes {
  return {
    rowStart: scratchI32(`${prefix}.rowStart`, batch + 1),
    latent: scratchI32(`${prefix}.latent`, capacity),
    act: scratchF64(`${prefix}.act`, capacity),
    dot: scratchF64(`${prefix}.dot`, capacity),
    grad: scratchF64(`${prefix}.grad`, capacity),
    sampleOf: scratchI32(`${prefix}.sampleOf`, capacity),
    colStart: scratchI32(`${prefix}.colStart`, dSae + 1),
    byLatent: scratchI32(`${prefix}.byLatent`, capacity),
  };
}

/** Fills `sampleOf`, `colStart` and `byLatent` from the by-sample lists (a counting sort). */
function indexByLatent(codes: SparseCodes, batch: number, dSae: number): void {
  const { rowStart, latent, sampleOf, colStart, byLatent } = codes;
  const nnz = rowStart[batch];
  colStart.fill(0, 0, dSae + 1);
  for (let t = 0; t < nnz; t++) colStart[latent[t] + 1]++;
  for (let j = 0; j < dSae; j++) colStart[j + 1] += colStart[j];
  for (let s = 0; s < batch; s++) {
    for (let t = rowStart[s]; t < rowStart[s + 1]; t++) {
      sampleOf[t] = s;
      byLatent[colStart[latent[t]]++] = t;
    }
  }
  // the fill advanced each colStart[j] to the end of latent j's entries: shift back
  for (let j = dSae; j > 0; j--) colStart[j] = colStart[j - 1];
  colStart[0] = 0;
}

/**
 * For every kept entry (s, j): dot = W_dec,j·xc_s, and aTxc[j] += a_sj·xc_s. Latent by
 * latent, four samples per pass over dIn.
 */
function decoderDotsAndATx(codes: SparseCodes, dSae: number, D: number, wDec: Float64Array, xc: Float64Array, aTxc: Float64Array): void {
  const { act, dot, sampleOf, colStart, byLatent } = codes;
  for (let j = 0; j < dSae; j++) {
    const wj = j * D;
    const end = colStart[j + 1];
    let q = colStart[j];
    for (; q + 3 < end; q += 4) {
      const t0 = byLatent[q], t1 = byLatent[q + 1], t2 = byLatent[q + 2], t3 = byLatent[q + 3];
      const r0 = sampleOf[t0] * D, r1 = sampleOf[t1] * D, r2 = sampleOf[t2] * D, r3 = sampleOf[t3] * D;
      const a0 = act[t0], a1 = act[t1], a2 = act[t2], a3 = act[t3];
      let p0 = 0, p1 = 0, p2 = 0, p3 = 0;
      for (let k = 0; k < D; k++) {
        const v = wDec[wj + k];
        const u0 = xc[r0 + k], u1 = xc[r1 + k], u2 = xc[r2 + k], u3 = xc[r3 + k];
        p0 += v * u0;
        p1 += v * u1;
        p2 += v * u2;
        p3 += v * u3;
        aTxc[wj + k] += a0 * u0 + a1 * u1 + (a2 * u2 + a3 * u3);
      }
      dot[t0] = p0;
      dot[t1] = p1;
      dot[t2] = p2;
      dot[t3] = p3;
    }
    for (; q < end; q++) {
      const t0 = byLatent[q];
      const r0 = sampleOf[t0] * D;
      const a0 = act[t0];
      let p0 = 0;
      for (let k = 0; k < D; k++) {
        const u0 = xc[r0 + k];
        p0 += wDec[wj + k] * u0;
        aTxc[wj + k] += a0 * u0;
      }
      dot[t0] = p0;
    }
  }
}

/** gWEncT[j] += Σ grad_sj·xc_s and gBEnc[j] += Σ grad_sj over the kept entries; latent by latent, four samples per pass. */
function encoderGradient(
  codes: SparseCodes,
  dSae: number,
  D: number,
  grad: Float64Array,
  xc: Float64Array,
  gWEncT: Float64Array,
  gBEnc: Float64Array,
): void {
  const { sampleOf, colStart, byLatent } = codes;
  for (let j = 0; j < dSae; j++) {
    const wj = j * D;
    const end = colStart[j + 1];
    let q = colStart[j];
    let gb = 0;
    for (; q + 3 < end; q += 4) {
      const t0 = byLatent[q], t1 = byLatent[q + 1], t2 = byLatent[q + 2], t3 = byLatent[q + 3];
      const r0 = sampleOf[t0] * D, r1 = sampleOf[t1] * D, r2 = sampleOf[t2] * D, r3 = sampleOf[t3] * D;
      const d0 = grad[t0], d1 = grad[t1], d2 = grad[t2], d3 = grad[t3];
      gb += d0 + d1 + (d2 + d3);
      for (let k = 0; k < D; k++) gWEncT[wj + k] += d0 * xc[r0 + k] + d1 * xc[r1 + k] + (d2 * xc[r2 + k] + d3 * xc[r3 + k]);
    }
    for (; q < end; q++) {
      const t0 = byLatent[q];
      const r0 = sampleOf[t0] * D;
      const d0 = grad[t0];
      gb += d0;
      for (let k = 0; k < D; k++) gWEncT[wj + k] += d0 * xc[r0 + k];
    }
    gBEnc[j] += gb;
  }
}

/** G = W·Wᵀ for W [rows, D] → G [rows, rows]; four dot products per pass over a row. */
function gramMatrix(w: Float64Array, rows: number, D: number, g: Float64Array): void {
  for (let j = 0; j < rows; j++) {
    const wj = j * D;
    let l = j;
    for (; l + 3 < rows; l += 4) {
      const w0 = l * D, w1 = w0 + D, w2 = w1 + D, w3 = w2 + D;
      let g0 = 0, g1 = 0, g2 = 0, g3 = 0;
      for (let k = 0; k < D; k++) {
        const v = w[wj + k];
        g0 += v * w[w0 + k];
        g1 += v * w[w1 + k];
        g2 += v * w[w2 + k];
        g3 += v * w[w3 + k];
      }
      g[j * rows + l] = g[l * rows + j] = g0;
      g[j * rows + l + 1] = g[(l + 1) * rows + j] = g1;
      g[j * rows + l + 2] = g[(l + 2) * rows + j] = g2;
      g[j * rows + l + 3] = g[(l + 3) * rows + j] = g3;
    }
    for (; l < rows; l++) {
      let g0 = 0;
      for (let k = 0; k < D; k++) g0 += w[wj + k] * w[l * D + k];
      g[j * rows + l] = g[l * rows + j] = g0;
    }
  }
}

/** out [n, D] += a [n, m]·b [m, D]; four rows of b per pass over an output row. */
function addMatMul(a: Float64Array, b: Float64Array, n: number, m: number, D: number, out: Float64Array): void {
  for (let j = 0; j < n; j++) {
    const o = j * D;
    const aj = j * m;
    let l = 0;
    for (; l + 3 < m; l += 4) {
      const f0 = a[aj + l], f1 = a[aj + l + 1], f2 = a[aj + l + 2], f3 = a[aj + l + 3];
      const b0 = l * D, b1 = b0 + D, b2 = b1 + D, b3 = b2 + D;
      for (let k = 0; k < D; k++) out[o + k] += f0 * b[b0 + k] + f1 * b[b1 + k] + (f2 * b[b2 + k] + f3 * b[b3 + k]);
    }
    for (; l < m; l++) {
      const f0 = a[aj + l];
      const b0 = l * D;
      for (let k = 0; k < D; k++) out[o + k] += f0 * b[b0 + k];
    }
  }
}

/**
 * aux-k of one instance, sample by sample: the dead latents' raw pre-activations (no ReLU,
 * so they may be negative) reconstruct the detached residual x − x̂. Adds its gradients to
 * the accumulators and returns coeff·scale·mean_b ‖â·W_dec + b_dec − (x − x̂)‖².
 */
function auxKLossAndGrads(
  dead: Uint8Array,
  auxCoefficient: number,
  codes: SparseCodes,
  B: number,
  D: number,
  M: number,
  w: InstanceWeights,
  xc: Float64Array,
  pre: Float64Array,
  gWEncT: Float64Array,
  gBEnc: Float64Array,
  gWDec: Float64Array,
  gBDec: Float64Array,
): number {
  const { wDec, bDec } = w;
  const { rowStart, latent, act } = codes;
  const deadIdx = scratchI32("auxK.deadIdx", M);
  const deadVals = scratchF64("auxK.deadVals", M);
  const deadScratch = scratchF64("auxK.deadScratch", M);
  const deadKeep = new Uint8Array(M).fill(1);
  const e = scratchF64("auxK.e", D); // x̂ − b_dec, then the aux error
  let nDead = 0;
  for (let j = 0; j < M; j++) if (dead[j]) deadIdx[nDead++] = j;
  const { kAux, scale } = auxKSizes(D, nDead);
  const coeff = auxCoefficient * scale;
  const cAux = (2 * coeff) / B;
  let sum = 0;
  for (let s = 0; s < B; s++) {
    const xo = s * D;
    // the aux codes: per sample the kAux largest raw pre-activations among the dead latents
    // (all of them unless more than ⌊dIn/2⌋ are dead)
    for (let q = 0; q < nDead; q++) deadVals[q] = pre[s * M + deadIdx[q]];
    if (kAux < nDead) topKMask(deadVals, nDead, kAux, deadKeep, deadScratch);
    // e = â·W_dec + b_dec − (x − x̂) = â·W_dec + b_dec + (x̂ − b_dec) − xc
    for (let k = 0; k < D; k++) e[k] = bDec[k] - xc[xo + k];
    for (let t = rowStart[s]; t < rowStart[s + 1]; t++) {
      const a = act[t];
      const wj = latent[t] * D;
      for (let k = 0; k < D; k++) e[k] += a * wDec[wj + k];
    }
    for (let q = 0; q < nDead; q++) {
      if (!deadKeep[q]) continue;
      const hv = deadVals[q];
      const wj = deadIdx[q] * D;
      for (let k = 0; k < D; k++) e[k] += hv * wDec[wj + k];
    }
    for (let k = 0; k < D; k++) {
      sum += e[k] * e[k];
      e[k] *= cAux; // ∂aux/∂(â·W_dec)
      gBDec[k] += e[k];
    }
    for (let q = 0; q < nDead; q++) {
      if (!deadKeep[q]) continue;
      const j = deadIdx[q];
      const hv = deadVals[q];
      const wj = j * D;
      let g = 0;
      for (let k = 0; k < D; k++) {
        gWDec[wj + k] += hv * e[k];
        g += wDec[wj + k] * e[k];
      }
      gBEnc[j] += g;
      for (let k = 0; k < D; k++) gWEncT[wj + k] += g * xc[xo + k];
    }
  }
  return coeff * sum / B;
}
