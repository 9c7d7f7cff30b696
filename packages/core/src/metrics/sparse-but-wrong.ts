/**
 * The per-SAE numbers of the Sparse-but-Wrong experiments, on plain matrices:
 * latent × feature cosines (decoder rows or encoder columns vs the toy model's features,
 * the original `cos_sims(W_decᵀ, embed.weight)` / `cos_sims(W_enc, embed.weight)`), the
 * small toy's feature-mixing score, and the evaluation summary of `eval_sae.py` plus the
 * notebook's (uncentred) variance explained.
 */
import { cosineMatrix } from "./cosine.ts";
import { columnsAsRows } from "./pairwise-cosine.ts";
import { deadLatents, l0, shrinkage, varianceExplained } from "./reconstruction.ts";
import { assertDims, assertMatrix, type FloatArray } from "./shape.ts";

/** [dSae, N]: cos of each decoder row wDec [dSae, dIn] with each feature (embedding rows [N, dIn]). */
export function decoderFeatureCos(wDec: FloatArray, dSae: number, embedding: FloatArray, nFeatures: number, dIn: number): Float64Array {
  return cosineMatrix(wDec, dSae, embedding, nFeatures, dIn);
}

/** [dSae, N]: cos of each encoder column of wEnc [dIn, dSae] with each feature. */
export function encoderFeatureCos(wEnc: FloatArray, dSae: number, embedding: FloatArray, nFeatures: number, dIn: number): Float64Array {
  return cosineMatrix(columnsAsRows(wEnc, dIn, dSae), dSae, embedding, nFeatures, dIn);
}

/**
 * Small-toy feature mixing: mean of cos[latent, feature] over `latents` (default 1, 2, 3 and
 * feature 0, as the notebook). Signed: positive correlation pulls feature 0 in, negative
 * pushes it out. Meaningful only without reordering, for SAEs started at the ground truth
 * (latent i = feature i).
 */
export function featureMixingScore(decCos: FloatArray, nLatents: number, nFeatures: number, latents: readonly number[] = [1, 2, 3], feature = 0): number {
  assertDims("featureMixingScore", { nLatents, nFeatures });
  assertMatrix("featureMixingScore", "decCos", decCos, nLatents, nFeatures);
  let sum = 0;
  for (const l of latents) {
    if (!(l >= 0 && l < nLatents)) throw new Error(`featureMixingScore: latent ${l} is outside [0, ${nLatents})`);
    sum += decCos[l * nFeatures + feature];
  }
  return sum / latents.length;
}

export interface SparseButWrongEval {
  /** Mean number of firing true features per sample. */
  trueL0: number;
  /** Mean number of active latents per sample. */
  saeL0: number;
  /** Latents zero on every sample. */
  dead: number;
  /**
   * Mean ‖x̂‖/‖x‖. The original divides for every sample; samples with ‖x‖ < 1e-6 (no
   * feature fired) are skipped here, where the original would get inf/NaN.
   */
  shrinkage: number;
  /** 1 − Σ‖x̂ − x‖² / Σ‖x‖², uncentred as the notebook. */
  varianceExplained: number;
}

/** features [B, N], x and xHat [B, dIn], acts [B, dSae]. */
export function evalSparseButWrong(
  features: FloatArray,
  nFeatures: number,
  x: FloatArray,
  xHat: FloatArray,
  acts: FloatArray,
  B: number,
  dIn: number,
  dSae: number,
): SparseButWrongEval {
  return {
    trueL0: l0(features, B, nFeatures),
    saeL0: l0(acts, B, dSae),
    dead: deadLatents(acts, B, dSae).length,
    shrinkage: shrinkage(x, xHat, B, dIn),
    varianceExplained: varianceExplained(x, xHat),
  };
}
