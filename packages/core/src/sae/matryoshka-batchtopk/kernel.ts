/**
 * SAELens 6.18 `MatryoshkaBatchTopKTrainingSAE` (reference §4.1): one BatchTopK selection
 * over the whole batch, shared by every prefix ("level"), and
 *
 *   loss = BatchTopK loss (mse + aux-k)  +  Σ_{inner widths w} mean_b ‖a[:, :w]·W_dec[:w] + b_dec − x‖²
 *
 * over the widths except the last (the last level is the full SAE, already in the BatchTopK
 * loss): unweighted, not detached, the same activations a as the base loss. Widths are
 * validated as 6.18 does: d_sae is appended when the last width is not d_sae, and the list
 * must be strictly increasing (so a width above d_sae is an error).
 *
 * The base is this project's BatchTopK (batch-topk.ts, SAELens 6.11.1), so 6.18's
 * `rescale_acts_by_decoder_norm` (default true since 6.14) is not applied: this is the
 * 6.18 Matryoshka loss with rescaling off.
 *
 * The kernel runs the fused BatchTopK kernel for the base loss, then adds the inner levels'
 * gradients. It recovers the codes with `encodeBatchTopK`, which keeps the same set as the
 * kernel (ties by index; tested in batch-topk.test.ts), at the cost of one more encoder
 * product per step.
 */
import { batchTopKLossAndGrads, encodeBatchTopK, type BatchTopKHyper, type BatchTopKState, type BatchTopKStepOutput } from "../batchtopk/kernel.ts";
import { instanceGrads } from "../standard/kernel.ts";
import type { GridBatch, SaeParams } from "../types.ts";

export interface MatryoshkaBatchTopKHyper extends BatchTopKHyper {
  /** `matryoshka_widths`, as configured (validated and completed by `resolveMatryoshkaWidths`). */
  widths: readonly number[];
}

export interface MatryoshkaBatchTopKStepOutput extends BatchTopKStepOutput {
  /** Per instance, Σ of the inner levels' reconstruction losses (also inside `reconstruction` and `loss`). */
  inner: Float64Array;
}

/** 6.18's `_validate_matryoshka_config`: append d_sae if missing, then require strictly increasing widths. */
export function resolveMatryoshkaWidths(widths: readonly number[], dSae: number): number[] {
  if (widths.length === 0) throw new Error("matryoshkaBatchTopK: widths must not be empty");
  for (const w of widths) {
    if (!(Number.isInteger(w) && w >= 1)) throw new Error(`matryoshkaBatchTopK: width ${w} must be a positive integer`);
  }
  const out = [...widths];
  if (out[out.length - 1] !== dSae) out.push(dSae);
  for (let l = 1; l < out.length; l++) {
    if (!(out[l - 1] < out[l])) throw new Error(`matryoshkaBatchTopK: widths must be strictly increasing and end at d_sae ${dSae}, got [${out.join(", ")}]`);
  }
  return out;
}

/**
 * Fused forward + backward: the BatchTopK kernel (`grads` overwritten) plus the inner levels
 * (their gradients added). Per sample, with δ_w = 2·(a[:w]·W_dec[:w] + b_dec − x)/B:
 *   ∂/∂a_j = W_dec,j·Σ_{w > j} δ_w for kept a_j > 0,  ∂/∂W_dec,j += a_j·Σ_{w > j} δ_w,
 *   ∂/∂b_dec += Σ_w δ_w − W_enc·∂/∂b_enc (h depends on b_dec through x − b_dec).
 */
export function matryoshkaBatchTopKLossAndGrads(
  p: SaeParams,
  hyper: MatryoshkaBatchTopKHyper,
  state: BatchTopKState,
  batch: GridBatch,
  grads: SaeParams,
): MatryoshkaBatchTopKStepOutput {
  const { instances: I, dIn: D, dSae: M } = p;
  const B = batch.batch;
  const inner = resolveMatryoshkaWidths(hyper.widths, M).slice(0, -1);
  const base = batchTopKLossAndGrads(p, hyper, state, batch, grads);
  const out: MatryoshkaBatchTopKStepOutput = { ...base, inner: new Float64Array(I) };
  if (inner.length === 0) return out;
  const last = inner[inner.length - 1];
  const L = inner.length;
  const err = new Float64Array(D);
  const deltas = new Float64Array(L * D); // δ_w of the current sample
  const upstream = new Float64Array(D); // Σ_{w > j} δ_w for the current latent
  const xc = new Float64Array(D);
  const c = 2 / B;

  for (let i = 0; i < I; i++) {
    const x = batch.x[batch.group[i]];
    const acts = encodeBatchTopK(p, i, x, B, hyper.k[i]);
    const g = instanceGrads("matryoshkaBatchTopK", D, M);
    const wo = i * M * D;
    const bo = i * D;
    let sum = 0;
    for (let s = 0; s < B; s++) {
      const row = s * M;
      for (let k = 0; k < D; k++) err[k] = p.bDec[bo + k] - x[s * D + k];
      // forward: the partial errors at every inner width
      let level = 0;
      for (let j = 0; j < last; j++) {
        const a = acts[row + j];
        if (a !== 0) for (let k = 0; k < D; k++) err[k] += a * p.wDec[wo + j * D + k];
        if (j + 1 === inner[level]) {
          let r2 = 0;
          for (let k = 0; k < D; k++) {
            r2 += err[k] * err[k];
            deltas[level * D + k] = c * err[k];
            g.gBDec[k] += c * err[k];
          }
          sum += r2;
          level++;
        }
      }
      // backward, from the widest inner level down: level l covers latent j when j < inner[l],
      // so as j falls the levels join the suffix sum one by one
      upstream.fill(0);
      let next = L - 1;
      for (let k = 0; k < D; k++) xc[k] = x[s * D + k] - p.bDec[bo + k];
      for (let j = last - 1; j >= 0; j--) {
        while (next >= 0 && j < inner[next]) {
          for (let k = 0; k < D; k++) upstream[k] += deltas[next * D + k];
          next--;
        }
        const a = acts[row + j];
        if (!(a > 0)) continue;
        let dA = 0;
        for (let k = 0; k < D; k++) {
          dA += p.wDec[wo + j * D + k] * upstream[k];
          g.gWDec[j * D + k] += a * upstream[k];
        }
        g.gBEnc[j] += dA;
        for (let k = 0; k < D; k++) g.gWEncT[j * D + k] += dA * xc[k];
      }
    }
    // add into the base gradients (W_enc is [dIn, dSae] there)
    for (let j = 0; j < M; j++) {
      const gb = g.gBEnc[j];
      grads.bEnc[i * M + j] += gb;
      for (let k = 0; k < D; k++) {
        grads.wEnc[wo + k * M + j] += g.gWEncT[j * D + k];
        grads.wDec[wo + j * D + k] += g.gWDec[j * D + k];
        g.gBDec[k] -= p.wEnc[wo + k * M + j] * gb;
      }
    }
    for (let k = 0; k < D; k++) grads.bDec[bo + k] += g.gBDec[k];
    out.inner[i] = sum / B;
    out.reconstruction[i] = base.reconstruction[i] + out.inner[i];
    out.loss[i] = base.loss[i] + out.inner[i];
  }
  return out;
}
