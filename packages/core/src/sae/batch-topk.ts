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
import type * as tfTypes from "@tensorflow/tfjs-core";
import { centreInputs, encoderPreActivations, instanceWeights, loadInstance, saePreActivations, scratchF64, scratchI32 } from "./saelens-base.ts";
import { positiveTopKCut, topKMask } from "./top-k-select.ts";
import { emptyStepOutput, stopGradient, type GridBatch, type SaeParams, type SaeTensors, type StepOutput } from "./types.ts";

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
 * Per instance the weights are copied to Float64 scratch (W_enc transposed, so that every
 * per-latent loop runs over contiguous memory), the inputs are centred once (xc = x − b_dec)
 * and the gradients accumulate in Float64 before being written back. Only the encoder is
 * dense (`encoderPreActivations`, register-blocked); the rest is sparse:
 *   - selection: the ⌊k·B⌋-th largest positive pre-activation by quickselect over the
 *     positive values only, then one pass that lists each sample's kept latents (index,
 *     activation) in index order;
 *   - decoder and backward visit only the kept latents (≈ k of dSae per sample) and, when
 *     some latents are dead, the aux-k ones, two latents per pass over dIn (independent
 *     accumulators, each loaded residual value used twice);
 *   - b_dec's gradient through the encoder is −W_enc·∂L/∂b_enc, once per instance.
 * All scratch is reused between calls (`scratchF64`).
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
  const xc = scratchF64("batchTopK.xc", B * D); // x − b_dec
  const pre = scratchF64("batchTopK.pre", n); // h
  const select = scratchF64("batchTopK.select", n);
  // the kept activations, sample by sample: latent, value, ∂L/∂h; sample s owns [rowStart[s], rowStart[s + 1])
  const keptLatent = scratchI32("batchTopK.keptLatent", n);
  const keptAct = scratchF64("batchTopK.keptAct", n);
  const keptGrad = scratchF64("batchTopK.keptGrad", n);
  const rowStart = scratchI32("batchTopK.rowStart", B + 1);
  const gWEncT = scratchF64("batchTopK.gWEncT", M * D);
  const gWDec = scratchF64("batchTopK.gWDec", M * D);
  const gBEnc = scratchF64("batchTopK.gBEnc", M);
  const gBDec = scratchF64("batchTopK.gBDec", D);
  const xh = scratchF64("batchTopK.xh", D); // x̂ − b_dec of the current sample
  const res = scratchF64("batchTopK.res", D); // x̂ − x
  const dxh = scratchF64("batchTopK.dxh", D);
  const auxOut = scratchF64("batchTopK.auxOut", D);
  const dAux = scratchF64("batchTopK.dAux", D);
  // aux-k of the current sample: dead latents, their pre-activations, the kept ones and their ∂L/∂h
  const deadIdx = scratchI32("batchTopK.deadIdx", M);
  const deadVals = scratchF64("batchTopK.deadVals", M);
  const deadScratch = scratchF64("batchTopK.deadScratch", M);
  const auxLatent = scratchI32("batchTopK.auxLatent", M);
  const auxAct = scratchF64("batchTopK.auxAct", M);
  const auxGrad = scratchF64("batchTopK.auxGrad", M);
  const deadKeep = new Uint8Array(M);
  const invB = 1 / B;
  const c = 2 * invB; // ∂ mean_b Σ_d r² / ∂r

  for (let i = 0; i < I; i++) {
    const be = i * M;
    loadInstance(p, i, w);
    gWEncT.fill(0, 0, M * D);
    gWDec.fill(0, 0, M * D);
    gBEnc.fill(0, 0, M);
    gBDec.fill(0, 0, D);

    // forward: h = (x − b_dec)·W_enc + b_enc, then the batch-wide top-k of ReLU(h)
    centreInputs(batch.x[batch.group[i]], B, D, bDec, xc);
    encoderPreActivations(xc, B, D, M, wEncT, bEnc, pre);
    const selection = positiveTopKCut(pre, n, batchTopKCount(hyper.k[i], B, M), select);
    const cut = selection.cut;
    let ties = selection.ties; // values equal to the cut that still fit, by index order
    let nKept = 0;
    let minPositive = Number.POSITIVE_INFINITY;
    for (let s = 0; s < B; s++) {
      rowStart[s] = nKept;
      const row = s * M;
      for (let j = 0; j < M; j++) {
        const v = pre[row + j];
        if (v > cut) {
          // kept
        } else if (v === cut && ties > 0) {
          ties--;
        } else continue;
        keptLatent[nKept] = j;
        keptAct[nKept++] = v;
        if (v < minPositive) minPositive = v;
        out.fired[be + j] = 1;
      }
    }
    rowStart[B] = nKept;

    let nDead = 0;
    for (let j = 0; j < M; j++) if (state.dead[be + j]) deadIdx[nDead++] = j;
    const { kAux, scale } = auxKSizes(D, nDead);
    const auxCoeff = hyper.auxCoefficient * scale;
    const cAux = 2 * auxCoeff * invB;

    let sumMse = 0;
    let sumAux = 0;
    for (let s = 0; s < B; s++) {
      const xo = s * D;
      const t0 = rowStart[s];
      const t1 = rowStart[s + 1];

      // decode the kept activations: x̂ − b_dec = Σ a_j·W_dec,j
      xh.fill(0, 0, D);
      let t = t0;
      for (; t + 1 < t1; t += 2) {
        const a0 = keptAct[t];
        const a1 = keptAct[t + 1];
        const w0 = keptLatent[t] * D;
        const w1 = keptLatent[t + 1] * D;
        for (let k = 0; k < D; k++) xh[k] += a0 * wDec[w0 + k] + a1 * wDec[w1 + k];
      }
      if (t < t1) {
        const a0 = keptAct[t];
        const w0 = keptLatent[t] * D;
        for (let k = 0; k < D; k++) xh[k] += a0 * wDec[w0 + k];
      }
      // residual x̂ − x = (x̂ − b_dec) − (x − b_dec)
      for (let k = 0; k < D; k++) {
        const r = xh[k] - xc[xo + k];
        res[k] = r;
        sumMse += r * r;
        dxh[k] = c * r;
        gBDec[k] += c * r;
      }

      // mse backward through the kept activations (straight through the top-k mask):
      // the decoder rows and ∂L/∂h = W_dec,j·∂L/∂x̂
      t = t0;
      for (; t + 1 < t1; t += 2) {
        const a0 = keptAct[t];
        const a1 = keptAct[t + 1];
        const w0 = keptLatent[t] * D;
        const w1 = keptLatent[t + 1] * D;
        let g0 = 0;
        let g1 = 0;
        for (let k = 0; k < D; k++) {
          const d = dxh[k];
          gWDec[w0 + k] += a0 * d;
          gWDec[w1 + k] += a1 * d;
          g0 += wDec[w0 + k] * d;
          g1 += wDec[w1 + k] * d;
        }
        keptGrad[t] = g0;
        keptGrad[t + 1] = g1;
      }
      if (t < t1) {
        const a0 = keptAct[t];
        const w0 = keptLatent[t] * D;
        let g0 = 0;
        for (let k = 0; k < D; k++) {
          gWDec[w0 + k] += a0 * dxh[k];
          g0 += wDec[w0 + k] * dxh[k];
        }
        keptGrad[t] = g0;
      }

      // aux-k: the dead latents' raw pre-activations reconstruct the (detached) residual x − x̂
      let nAux = 0;
      if (nDead > 0) {
        for (let q = 0; q < nDead; q++) deadVals[q] = pre[s * M + deadIdx[q]];
        topKMask(deadVals, nDead, kAux, deadKeep, deadScratch);
        for (let q = 0; q < nDead; q++) {
          if (!deadKeep[q]) continue;
          auxLatent[nAux] = deadIdx[q];
          auxAct[nAux++] = deadVals[q]; // no ReLU: the raw pre-activation is the aux code
        }
        for (let k = 0; k < D; k++) auxOut[k] = bDec[k];
        for (let u = 0; u < nAux; u++) {
          const hv = auxAct[u];
          const w0 = auxLatent[u] * D;
          for (let k = 0; k < D; k++) auxOut[k] += hv * wDec[w0 + k];
        }
        for (let k = 0; k < D; k++) {
          const e = auxOut[k] + res[k]; // â·W_dec + b_dec − (x − x̂)
          sumAux += e * e;
          dAux[k] = cAux * e;
          gBDec[k] += cAux * e;
        }
        for (let u = 0; u < nAux; u++) {
          const hv = auxAct[u];
          const w0 = auxLatent[u] * D;
          let g = 0;
          for (let k = 0; k < D; k++) {
            gWDec[w0 + k] += hv * dAux[k];
            g += wDec[w0 + k] * dAux[k];
          }
          auxGrad[u] = g;
        }
      }

      // encoder backward: ∂L/∂W_enc,j += ∂L/∂h_j·(x − b_dec), for the kept and the aux latents
      // (a latent in both lists gets both terms)
      t = t0;
      for (; t + 1 < t1; t += 2) {
        const j0 = keptLatent[t];
        const j1 = keptLatent[t + 1];
        const d0 = keptGrad[t];
        const d1 = keptGrad[t + 1];
        gBEnc[j0] += d0;
        gBEnc[j1] += d1;
        const w0 = j0 * D;
        const w1 = j1 * D;
        for (let k = 0; k < D; k++) {
          const v = xc[xo + k];
          gWEncT[w0 + k] += d0 * v;
          gWEncT[w1 + k] += d1 * v;
        }
      }
      if (t < t1) {
        const j0 = keptLatent[t];
        const d0 = keptGrad[t];
        gBEnc[j0] += d0;
        const w0 = j0 * D;
        for (let k = 0; k < D; k++) gWEncT[w0 + k] += d0 * xc[xo + k];
      }
      for (let u = 0; u < nAux; u++) {
        const j0 = auxLatent[u];
        const d0 = auxGrad[u];
        gBEnc[j0] += d0;
        const w0 = j0 * D;
        for (let k = 0; k < D; k++) gWEncT[w0 + k] += d0 * xc[xo + k];
      }
    }

    // h depends on b_dec through x − b_dec: ∂L/∂b_dec −= W_enc·∂L/∂b_enc
    for (let j = 0; j < M; j++) {
      const g = gBEnc[j];
      if (g === 0) continue;
      const w0 = j * D;
      for (let k = 0; k < D; k++) gBDec[k] -= wEncT[w0 + k] * g;
    }

    const we = i * D * M;
    for (let k = 0; k < D; k++) for (let j = 0; j < M; j++) grads.wEnc[we + k * M + j] = gWEncT[j * D + k];
    for (let e = 0; e < M * D; e++) grads.wDec[we + e] = gWDec[e];
    for (let j = 0; j < M; j++) grads.bEnc[be + j] = gBEnc[j];
    for (let k = 0; k < D; k++) grads.bDec[i * D + k] = gBDec[k];
    out.reconstruction[i] = sumMse * invB;
    out.auxiliary[i] = nDead > 0 ? auxCoeff * sumAux * invB : 0;
    out.loss[i] = out.reconstruction[i] + out.auxiliary[i];
    out.l0[i] = nKept * invB;
    if (nKept > 0) out.minPositive[i] = minPositive;
  }
  return out;
}

/**
 * The same loss in tfjs ops (autodiff reference). x: [I, B, dIn]; returns the loss per
 * instance. The top-k selections are computed on detached values and enter as constant
 * masks, which is exactly the scatter's straight-through gradient.
 */
export function batchTopKReferenceLoss(
  tf: typeof tfTypes,
  t: SaeTensors,
  x: tfTypes.Tensor3D,
  hyper: BatchTopKHyper,
  state: BatchTopKState,
): tfTypes.Tensor1D {
  const [I, B, D] = x.shape;
  const M = t.bEnc.shape[1];
  const losses: tfTypes.Tensor[] = [];
  for (let i = 0; i < I; i++) {
    const xi = tf.reshape(tf.slice(x, [i, 0, 0], [1, B, D]), [B, D]);
    const wEnc = tf.reshape(tf.slice(t.wEnc, [i, 0, 0], [1, D, M]), [D, M]);
    const wDec = tf.reshape(tf.slice(t.wDec, [i, 0, 0], [1, M, D]), [M, D]);
    const bEnc = tf.slice(t.bEnc, [i, 0], [1, M]);
    const bDec = tf.slice(t.bDec, [i, 0], [1, D]);
    const h = tf.add(tf.matMul(tf.sub(xi, bDec), wEnc), bEnc); // [B, M]
    const relu = tf.relu(h);
    const count = batchTopKCount(hyper.k[i], B, M);
    let mask: tfTypes.Tensor = tf.zeros([B, M]);
    if (count > 0) {
      const { indices } = tf.topk(tf.reshape(stopGradient(tf, relu), [B * M]), count);
      mask = tf.reshape(tf.scatterND(tf.reshape(indices, [count, 1]), tf.ones([count]), [B * M]), [B, M]);
    }
    const xh = tf.add(tf.matMul(tf.mul(relu, mask), wDec), bDec);
    let loss = tf.mean(tf.sum(tf.square(tf.sub(xh, xi)), 1));

    const dead = state.dead.subarray(i * M, (i + 1) * M);
    const nDead = dead.reduce((s, d) => s + d, 0);
    if (nDead > 0) {
      const { kAux, scale } = auxKSizes(D, nDead);
      const deadRow = tf.tensor2d(Float32Array.from(dead), [1, M]);
      const candidates = tf.where(tf.greater(deadRow, 0), stopGradient(tf, h), tf.fill([B, M], Number.NEGATIVE_INFINITY));
      let auxMask: tfTypes.Tensor = tf.zeros([B, M]);
      if (kAux > 0) {
        const { indices } = tf.topk(candidates, kAux);
        auxMask = tf.sum(tf.oneHot(indices, M), 1); // [B, M]
      }
      const residual = stopGradient(tf, tf.sub(xi, xh));
      const auxOut = tf.add(tf.matMul(tf.mul(h, auxMask), wDec), bDec);
      const aux = tf.mean(tf.sum(tf.square(tf.sub(auxOut, residual)), 1));
      loss = tf.add(loss, tf.mul(hyper.auxCoefficient * scale, aux));
    }
    losses.push(loss);
  }
  return tf.stack(losses) as tfTypes.Tensor1D;
}
