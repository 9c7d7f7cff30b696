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
import { saePreActivations } from "./saelens-base.ts";
import { topKMask } from "./top-k-select.ts";
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
 * per-latent loop, the encoder's dot products included, runs over contiguous memory) and the gradients accumulate in
 * Float64 before being written back: the backward pass touches only the kept and aux
 * latents of each sample, a few of dSae.
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
  const pre = new Float64Array(n); // h
  const relu = new Float64Array(n);
  const keep = new Uint8Array(n);
  const scratch = new Float64Array(n);
  // per-instance Float64 copies: wEncT [M, D] (W_enc transposed), wDec [M, D]; gradients likewise
  const wEncT = new Float64Array(M * D);
  const wDec = new Float64Array(M * D);
  const bEnc = new Float64Array(M);
  const bDec = new Float64Array(D);
  const gWEncT = new Float64Array(M * D);
  const gWDec = new Float64Array(M * D);
  const gBEnc = new Float64Array(M);
  const gBDec = new Float64Array(D);
  const xc = new Float64Array(D); // x − b_dec of the current sample
  const xh = new Float64Array(D);
  const dxh = new Float64Array(D);
  const auxOut = new Float64Array(D);
  const dAux = new Float64Array(D);
  const dh = new Float64Array(M);
  const touched = new Int32Array(M); // the latents that get a gradient in this sample…
  const isTouched = new Uint8Array(M); // …and the same as a mask, so each is listed once
  const deadIdx = new Int32Array(M);
  const deadVals = new Float64Array(M);
  const deadKeep = new Uint8Array(M);
  const deadScratch = new Float64Array(M);
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

    // forward: pre-activations h = (x − b_dec)·W_enc + b_enc and the batch-wide top-k mask
    for (let s = 0; s < B; s++) {
      for (let k = 0; k < D; k++) xc[k] = x[s * D + k] - bDec[k];
      for (let j = 0; j < M; j++) {
        const w = j * D;
        let acc = bEnc[j];
        for (let k = 0; k < D; k++) acc += xc[k] * wEncT[w + k];
        pre[s * M + j] = acc;
      }
    }
    for (let e = 0; e < n; e++) relu[e] = pre[e] > 0 ? pre[e] : 0;
    topKMask(relu, n, batchTopKCount(hyper.k[i], B, M), keep, scratch);

    let nDead = 0;
    for (let j = 0; j < M; j++) if (state.dead[be + j]) deadIdx[nDead++] = j;
    const { kAux, scale } = auxKSizes(D, nDead);
    const auxCoeff = hyper.auxCoefficient * scale;

    let sumMse = 0;
    let sumAux = 0;
    let active = 0;
    let minPositive = Number.POSITIVE_INFINITY;
    for (let s = 0; s < B; s++) {
      const xo = s * D;
      const row = s * M;
      for (let k = 0; k < D; k++) xc[k] = x[xo + k] - bDec[k];
      // decode the kept activations
      for (let k = 0; k < D; k++) xh[k] = bDec[k];
      for (let j = 0; j < M; j++) {
        if (!keep[row + j] || relu[row + j] === 0) continue;
        const a = relu[row + j];
        active++;
        if (a < minPositive) minPositive = a;
        out.fired[be + j] = 1;
        const w = j * D;
        for (let k = 0; k < D; k++) xh[k] += a * wDec[w + k];
      }
      for (let k = 0; k < D; k++) {
        const r = xh[k] - x[xo + k];
        sumMse += r * r;
        dxh[k] = 2 * r * invB;
      }
      let nTouched = 0;
      dh.fill(0);
      isTouched.fill(0);

      // aux-k: the dead latents' raw pre-activations reconstruct the (detached) residual
      if (nDead > 0) {
        for (let t = 0; t < nDead; t++) deadVals[t] = pre[row + deadIdx[t]];
        topKMask(deadVals, nDead, kAux, deadKeep, deadScratch);
        for (let k = 0; k < D; k++) auxOut[k] = bDec[k];
        for (let t = 0; t < nDead; t++) {
          if (!deadKeep[t]) continue;
          const w = deadIdx[t] * D;
          const hv = deadVals[t];
          for (let k = 0; k < D; k++) auxOut[k] += hv * wDec[w + k];
        }
        for (let k = 0; k < D; k++) {
          const e = auxOut[k] - (x[xo + k] - xh[k]);
          sumAux += e * e;
          dAux[k] = 2 * auxCoeff * e * invB;
          gBDec[k] += dAux[k];
        }
        for (let t = 0; t < nDead; t++) {
          if (!deadKeep[t]) continue;
          const j = deadIdx[t];
          const w = j * D;
          const hv = deadVals[t];
          let g = 0;
          for (let k = 0; k < D; k++) {
            gWDec[w + k] += hv * dAux[k];
            g += wDec[w + k] * dAux[k];
          }
          dh[j] += g; // no ReLU: the raw pre-activation is the aux code
          isTouched[j] = 1;
          touched[nTouched++] = j;
        }
      }

      // mse backward through the kept activations (straight through the top-k mask)
      for (let k = 0; k < D; k++) gBDec[k] += dxh[k];
      for (let j = 0; j < M; j++) {
        if (!keep[row + j] || relu[row + j] === 0) continue;
        const a = relu[row + j];
        const w = j * D;
        let g = 0;
        for (let k = 0; k < D; k++) {
          gWDec[w + k] += a * dxh[k];
          g += wDec[w + k] * dxh[k];
        }
        dh[j] += g;
        if (!isTouched[j]) {
          isTouched[j] = 1;
          touched[nTouched++] = j;
        }
      }

      // encoder backward: h depends on W_enc, b_enc and (through x − b_dec) on b_dec
      for (let t = 0; t < nTouched; t++) {
        const j = touched[t];
        const d = dh[j];
        const w = j * D;
        gBEnc[j] += d;
        for (let k = 0; k < D; k++) {
          gWEncT[w + k] += xc[k] * d;
          gBDec[k] -= wEncT[w + k] * d;
        }
      }
    }

    for (let k = 0; k < D; k++) for (let j = 0; j < M; j++) grads.wEnc[i * D * M + k * M + j] = gWEncT[j * D + k];
    grads.wDec.set(gWDec, i * M * D);
    grads.bEnc.set(gBEnc, be);
    grads.bDec.set(gBDec, i * D);
    out.reconstruction[i] = sumMse * invB;
    out.auxiliary[i] = nDead > 0 ? auxCoeff * sumAux * invB : 0;
    out.loss[i] = out.reconstruction[i] + out.auxiliary[i];
    out.l0[i] = active * invB;
    if (active > 0) out.minPositive[i] = minPositive;
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
