/**
 * SAELens 5.10.2 "standard" training SAE as the feature-hedging paper trains it
 * (`TrainingSAE` with architecture "standard", loss from the paper's `saes/base_sae.py`;
 * reference §2.3):
 *
 *   h = (x − b_dec·[applyBDecToInput])·W_enc + b_enc,  a = ReLU(h),  x̂ = a·W_dec + b_dec
 *   loss = reconstruction + λ·mean_b Σ_j a_j·w_j
 *     reconstruction "MSE": mean_b Σ_d (x̂ − x)²;  "L2": mean_b ‖x̂ − x‖₂ (not squared)
 *     w_j = ‖W_dec,j‖ with `scaleSparsityByDecoderNorm` (the gradient flows through the
 *     norm), else 1.
 *
 * λ is per instance and is the coefficient of this step: the trainer applies SAELens'
 * warm-up and `min_l1_during_warm_up` floor before passing it. lp_norm is 1 (the only value
 * the paper uses). A zero decoder row under norm scaling gets no norm gradient (torch would
 * give NaN).
 *
 * Initialisation (5.10.2 `initialize_weights_basic` then `initialize_weights_complex`):
 *   W_dec [dSae, dIn] ~ kaiming_uniform (fan_in = dIn: bound √(6/dIn));
 *   W_enc [dIn, dSae] ~ kaiming_uniform (fan_in = dSae: bound √(6/dSae)); biases 0;
 *   `decoderHeuristicInit`: W_dec ← randn rows rescaled to norm `decoderHeuristicInitNorm`;
 *   `initEncoderAsDecoderTranspose`: W_enc ← W_decᵀ;
 *   `normaliseDecoder`: W_dec rows → unit norm, AFTER the transpose copy (so the encoder keeps
 *   the unnormalised rows, as in 5.10.2).
 */
import type { Rng } from "../../random.ts";
import { encoderPreActivations, instanceWeights, loadInstance, scratchF64 } from "../shared/saelens-base.ts";
import { emptySaeParams, emptyStepOutput, type GridBatch, type SaeParams, type SaeShape, type StepOutput } from "../types.ts";

export type ReconstructionLoss = "MSE" | "L2";

export interface StandardSaeOptions {
  /** SAELens `reconstruction_loss` (the paper's BaseSAE): "MSE" (default) or "L2". */
  reconstructionLoss: ReconstructionLoss;
  /** SAELens `scale_sparsity_penalty_by_decoder_norm` (runner default false; the hedging toys: true). */
  scaleSparsityByDecoderNorm: boolean;
  /** SAELens `apply_b_dec_to_input` (default true). */
  applyBDecToInput: boolean;
}

/** SAELens 5.10.2 runner defaults. */
export const STANDARD_SAE_DEFAULTS: StandardSaeOptions = {
  reconstructionLoss: "MSE",
  scaleSparsityByDecoderNorm: false,
  applyBDecToInput: true,
};

/** What every hedging toy notebook sets (`train_toy_sae`: scale = not normalize_sae_decoder = true). */
export const HEDGING_TOY_OPTIONS: StandardSaeOptions = {
  reconstructionLoss: "MSE",
  scaleSparsityByDecoderNorm: true,
  applyBDecToInput: true,
};

export interface StandardSaeHyper {
  /** λ per instance for this step. */
  l1: Float64Array;
  options: StandardSaeOptions;
}

export interface StandardSaeInitOptions {
  /** Default false (5.10.2 runner default); the hedging toys: true. */
  initEncoderAsDecoderTranspose?: boolean;
  /** SAELens `normalize_sae_decoder`: runner default true; the hedging toys: false. */
  normaliseDecoder?: boolean;
  /** SAELens `decoder_heuristic_init` (default false). */
  decoderHeuristicInit?: boolean;
  /** SAELens `decoder_heuristic_init_norm` (default 0.1). */
  decoderHeuristicInitNorm?: number;
}

function scaleRows(w: Float32Array, offset: number, rows: number, dim: number, target: number): void {
  for (let r = 0; r < rows; r++) {
    const o = offset + r * dim;
    let n2 = 0;
    for (let k = 0; k < dim; k++) n2 += w[o + k] * w[o + k];
    if (n2 === 0) continue;
    const f = target / Math.sqrt(n2);
    for (let k = 0; k < dim; k++) w[o + k] *= f;
  }
}

/** One Rng per instance, so adding instances never changes the existing ones' weights. */
export function initStandardSae(shape: SaeShape, rngs: Rng[], options: StandardSaeInitOptions = {}): SaeParams {
  const { instances: I, dIn: D, dSae: M } = shape;
  if (rngs.length !== I) throw new Error(`initStandardSae: ${rngs.length} Rngs for ${I} instances`);
  const transpose = options.initEncoderAsDecoderTranspose ?? false;
  const normalise = options.normaliseDecoder ?? true;
  const heuristic = options.decoderHeuristicInit ?? false;
  // SAELens' config rejects this pair: the heuristic norm would be undone at once
  if (heuristic && normalise) throw new Error("initStandardSae: decoderHeuristicInit and normaliseDecoder cannot both be set (SAELens rejects it)");
  const p = emptySaeParams(shape);
  const decBound = Math.sqrt(6 / D);
  const encBound = Math.sqrt(6 / M);
  for (let i = 0; i < I; i++) {
    const rng = rngs[i];
    const o = i * M * D;
    for (let e = 0; e < M * D; e++) p.wDec[o + e] = rng.uniformIn(-decBound, decBound);
    for (let e = 0; e < D * M; e++) p.wEnc[o + e] = rng.uniformIn(-encBound, encBound);
    if (heuristic) {
      for (let e = 0; e < M * D; e++) p.wDec[o + e] = rng.normal();
      scaleRows(p.wDec, o, M, D, options.decoderHeuristicInitNorm ?? 0.1);
    }
    if (transpose) for (let j = 0; j < M; j++) for (let k = 0; k < D; k++) p.wEnc[o + k * M + j] = p.wDec[o + j * D + k];
    if (normalise) scaleRows(p.wDec, o, M, D, 1);
  }
  return p;
}

/** Codes a = ReLU(h) of one instance for a [B, dIn] batch → [B, dSae]. */
export function encodeStandardSae(p: SaeParams, instance: number, x: ArrayLike<number>, batch: number, applyBDecToInput: boolean): Float32Array {
  const { dIn: D, dSae: M } = p;
  const w = instanceWeights("encodeStandardSae", D, M);
  loadInstance(p, instance, w);
  const xc = scratchF64("encodeStandardSae.xc", batch * D);
  const pre = scratchF64("encodeStandardSae.pre", batch * M);
  centreIfApplied(x, batch, D, w.bDec, applyBDecToInput, xc);
  encoderPreActivations(xc, batch, D, M, w.wEncT, w.bEnc, pre);
  const acts = new Float32Array(batch * M);
  for (let e = 0; e < batch * M; e++) acts[e] = pre[e] > 0 ? pre[e] : 0;
  return acts;
}

/** xc = x − b_dec when b_dec is applied to the input, else a Float64 copy of x. */
export function centreIfApplied(x: ArrayLike<number>, batch: number, dIn: number, bDec: Float64Array, apply: boolean, xc: Float64Array): void {
  for (let s = 0; s < batch; s++) {
    const o = s * dIn;
    for (let k = 0; k < dIn; k++) xc[o + k] = apply ? x[o + k] - bDec[k] : x[o + k];
  }
}

/** ‖W_dec,j‖ of every row of one instance's Float64 decoder copy. */
export function decoderRowNorms(wDec: Float64Array, dSae: number, dIn: number, out: Float64Array): Float64Array {
  for (let j = 0; j < dSae; j++) {
    let n2 = 0;
    for (let k = 0; k < dIn; k++) n2 += wDec[j * dIn + k] ** 2;
    out[j] = Math.sqrt(n2);
  }
  return out;
}

/** Float64 gradient accumulators of one instance (W_enc transposed to [dSae, dIn], like `InstanceWeights`). */
export interface InstanceGrads {
  gWEncT: Float64Array;
  gBEnc: Float64Array;
  gWDec: Float64Array;
  gBDec: Float64Array;
}

/** Zeroed scratch accumulators (`prefix` names the buffers, see `scratchF64`). */
export function instanceGrads(prefix: string, dIn: number, dSae: number): InstanceGrads {
  return {
    gWEncT: scratchF64(`${prefix}.gWEncT`, dSae * dIn).fill(0, 0, dSae * dIn),
    gBEnc: scratchF64(`${prefix}.gBEnc`, dSae).fill(0, 0, dSae),
    gWDec: scratchF64(`${prefix}.gWDec`, dSae * dIn).fill(0, 0, dSae * dIn),
    gBDec: scratchF64(`${prefix}.gBDec`, dIn).fill(0, 0, dIn),
  };
}

/**
 * The end of every backward pass: h depends on b_dec through x − b_dec (when applied), so
 * ∂L/∂b_dec −= W_enc·∂L/∂b_enc; then instance i's gradients are written into `grads`.
 */
export function finishInstanceGrads(g: InstanceGrads, wEncT: Float64Array, applyBDecToInput: boolean, grads: SaeParams, i: number): void {
  const { dIn: D, dSae: M } = grads;
  if (applyBDecToInput) {
    for (let j = 0; j < M; j++) {
      const gb = g.gBEnc[j];
      if (gb === 0) continue;
      for (let k = 0; k < D; k++) g.gBDec[k] -= wEncT[j * D + k] * gb;
    }
  }
  const we = i * D * M;
  for (let k = 0; k < D; k++) for (let j = 0; j < M; j++) grads.wEnc[we + k * M + j] = g.gWEncT[j * D + k];
  for (let e = 0; e < M * D; e++) grads.wDec[we + e] = g.gWDec[e];
  for (let j = 0; j < M; j++) grads.bEnc[i * M + j] = g.gBEnc[j];
  for (let k = 0; k < D; k++) grads.bDec[i * D + k] = g.gBDec[k];
}

/**
 * Fused forward + backward of every instance; `grads` are overwritten. Per instance on
 * Float64 copies (W_enc transposed) with Float64 accumulation, the encoder by the blocked
 * `encoderPreActivations`, then per sample:
 *   e = Σ_j a_j·W_dec,j + b_dec − x,  δ = ∂rec/∂x̂ = 2e/B (MSE) or e/(B‖e‖) (L2; 0 at e = 0)
 *   ∂L/∂a_j = W_dec,j·δ + λ·w_j/B,  ∂L/∂h_j = [h_j > 0]·∂L/∂a_j
 *   ∂L/∂W_dec,j += a_j·δ,  ∂L/∂b_dec += δ,  ∂L/∂W_enc[:, j] += ∂L/∂h_j·xc
 * and once per instance the norm of the L1 weight: ∂L/∂W_dec,j += (λ/B)·Σ_s a_sj·W_dec,j/‖W_dec,j‖.
 */
export function standardSaeLossAndGrads(p: SaeParams, hyper: StandardSaeHyper, batch: GridBatch, grads: SaeParams): StepOutput {
  const { instances: I, dIn: D, dSae: M } = p;
  const B = batch.batch;
  const { reconstructionLoss, scaleSparsityByDecoderNorm: scale, applyBDecToInput: apply } = hyper.options;
  const out = emptyStepOutput(p);
  const w = instanceWeights("standardSae", D, M);
  const { wEncT, bEnc, wDec, bDec } = w;
  const xc = scratchF64("standardSae.xc", B * D);
  const pre = scratchF64("standardSae.pre", B * M);
  const err = scratchF64("standardSae.err", D);
  const norm = scratchF64("standardSae.norm", M);
  const l1Weight = scratchF64("standardSae.l1Weight", M);
  const actSum = scratchF64("standardSae.actSum", M);
  const invB = 1 / B;

  for (let i = 0; i < I; i++) {
    loadInstance(p, i, w);
    const g = instanceGrads("standardSae", D, M);
    const lambda = hyper.l1[i];
    decoderRowNorms(wDec, M, D, norm);
    for (let j = 0; j < M; j++) {
      l1Weight[j] = scale ? norm[j] : 1;
      actSum[j] = 0;
    }
    const x = batch.x[batch.group[i]];
    centreIfApplied(x, B, D, bDec, apply, xc);
    encoderPreActivations(xc, B, D, M, wEncT, bEnc, pre);
    let sumRec = 0;
    let sumL1 = 0;
    for (let s = 0; s < B; s++) {
      const xo = s * D;
      const row = s * M;
      for (let k = 0; k < D; k++) err[k] = bDec[k] - x[xo + k];
      for (let j = 0; j < M; j++) {
        const a = pre[row + j];
        if (!(a > 0)) continue;
        out.fired[i * M + j] = 1;
        actSum[j] += a;
        sumL1 += a * l1Weight[j];
        const wj = j * D;
        for (let k = 0; k < D; k++) err[k] += a * wDec[wj + k];
      }
      let r2 = 0;
      for (let k = 0; k < D; k++) r2 += err[k] * err[k];
      let coeff: number; // δ = coeff·e
      if (reconstructionLoss === "MSE") {
        sumRec += r2;
        coeff = 2 * invB;
      } else {
        const r = Math.sqrt(r2);
        sumRec += r;
        coeff = r > 0 ? invB / r : 0;
      }
      for (let k = 0; k < D; k++) {
        err[k] *= coeff;
        g.gBDec[k] += err[k];
      }
      for (let j = 0; j < M; j++) {
        const a = pre[row + j];
        if (!(a > 0)) continue;
        const wj = j * D;
        let dA = lambda * l1Weight[j] * invB;
        for (let k = 0; k < D; k++) {
          dA += wDec[wj + k] * err[k];
          g.gWDec[wj + k] += a * err[k];
        }
        g.gBEnc[j] += dA;
        for (let k = 0; k < D; k++) g.gWEncT[wj + k] += dA * xc[xo + k];
      }
    }
    if (scale) {
      for (let j = 0; j < M; j++) {
        if (actSum[j] === 0 || norm[j] === 0) continue;
        const f = (lambda * invB * actSum[j]) / norm[j];
        for (let k = 0; k < D; k++) g.gWDec[j * D + k] += f * wDec[j * D + k];
      }
    }
    finishInstanceGrads(g, wEncT, apply, grads, i);
    out.reconstruction[i] = sumRec * invB;
    out.sparsity[i] = lambda * sumL1 * invB;
    out.loss[i] = out.reconstruction[i] + out.sparsity[i];
  }
  return out;
}
