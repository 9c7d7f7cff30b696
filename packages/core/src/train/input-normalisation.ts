/**
 * SAELens `normalize_activations="expected_average_only_in"` (Anthropic's April 2024
 * update): inputs are multiplied by s = √dIn / E‖x‖ so that their average norm is √dIn,
 * with E‖x‖ estimated as the mean over `batches` batches of each batch's mean norm
 * (SAELens: 1000 batches). After training s is folded into the weights, so the saved SAE
 * takes raw inputs: W_enc ·= s, W_dec /= s, b_dec /= s. The pre-activations are unchanged
 * by the fold, so thresholds (JumpReLU, the top-k θ) need none.
 */
import type { SaeParams } from "../sae/types.ts";

/** SAELens `n_batches_for_norm_estimate`. */
export const NORM_ESTIMATE_BATCHES = 1000;

export function estimateInputScale(sample: () => ArrayLike<number>, dIn: number, batches: number): number {
  let sumOfMeans = 0;
  for (let b = 0; b < batches; b++) {
    const x = sample();
    const rows = x.length / dIn;
    let sum = 0;
    for (let s = 0; s < rows; s++) {
      let n2 = 0;
      for (let k = 0; k < dIn; k++) n2 += x[s * dIn + k] ** 2;
      sum += Math.sqrt(n2);
    }
    sumOfMeans += sum / rows;
  }
  return Math.sqrt(dIn) / (sumOfMeans / batches);
}

/** Folds each instance's input scale into its weights (scale[i] = 1 leaves it as is). */
export function foldInputScale(p: SaeParams, scale: ArrayLike<number>): void {
  const { instances: I, dIn: D, dSae: M } = p;
  for (let i = 0; i < I; i++) {
    const s = scale[i];
    if (s === 1) continue;
    for (let e = i * D * M; e < (i + 1) * D * M; e++) {
      p.wEnc[e] *= s;
      p.wDec[e] /= s;
    }
    for (let e = i * D; e < (i + 1) * D; e++) p.bDec[e] /= s;
  }
}
