/**
 * Mean correlation coefficient (MCC) between SAE latents and true features, as SAELens'
 * `mean_correlation_coefficient` (O'Neill et al., arXiv 2505.20254):
 *
 *   match latents i to features j one-to-one so that Σ |cos(d_i, g_j)| over matched pairs is
 *   maximal (Hungarian algorithm; rectangular allowed, min(M, F) pairs), then
 *   MCC = mean |cos| over the matched pairs.
 *
 * Unlike MMCS, two latents cannot both claim the same feature, so a duplicated latent does not
 * hide a missing one. |cos| (not signed) follows SAELens. A greedy "best pair first" matching can
 * give a lower total than the optimum, which is why this uses the Hungarian assignment.
 */
import { hungarianMaxAssignment } from "../linalg.ts";
import { assertDims, assertMatrix, type FloatArray } from "./shape.ts";

export interface MatchedPair {
  latent: number;
  feature: number;
  absCos: number;
}

export interface MccResult {
  /** Mean |cos| over the matched pairs. */
  mcc: number;
  /** The min(M, F) matched (latent, feature) pairs, sorted by latent. */
  pairs: MatchedPair[];
}

/** MCC and the optimal matching it was computed from; `cos` is [M latents, F features] row-major. */
export function mccMatching(cos: FloatArray, nSae: number, nTrue: number): MccResult {
  assertDims("mcc", { nSae, nTrue });
  assertMatrix("mcc", "cos", cos, nSae, nTrue);
  const score: number[][] = [];
  for (let i = 0; i < nSae; i++) {
    const row = new Array<number>(nTrue);
    for (let j = 0; j < nTrue; j++) row[j] = Math.abs(cos[i * nTrue + j]);
    score.push(row);
  }
  const assignment = hungarianMaxAssignment(score);
  const pairs = assignment.pairs.map(([latent, feature]) => ({ latent, feature, absCos: score[latent][feature] })).sort((a, b) => a.latent - b.latent);
  let sum = 0;
  for (const p of pairs) sum += p.absCos;
  return { mcc: sum / pairs.length, pairs };
}

/** MCC = mean |cos| of the Hungarian one-to-one matching between latents and true features. */
export function mcc(cos: FloatArray, nSae: number, nTrue: number): number {
  return mccMatching(cos, nSae, nTrue).mcc;
}
