/**
 * `init_sae_to_match_model(sae, model, noise_level=0, feature_ordering=None)` of
 * Sparse-but-Wrong (§1.7): start an SAE at the ground-truth solution, so that whatever it
 * learns afterwards comes from gradient pressure, not from a poor local minimum.
 *
 *   m = min(dSae, N); F = the first m feature directions (embedding rows), then permuted by
 *   `featureOrdering` (as the original: it indexes among those m);
 *   W_enc[:, j] = F_j + noise·randn  for j < m;   W_dec = W_encᵀ (every row, also j ≥ m).
 * Biases keep their values (0 after init).
 */
import type { Rng } from "../../random.ts";
import type { SaeParams } from "../types.ts";

export interface InitToTruthOptions {
  noiseLevel?: number;
  /** Permutation of 0..m−1: latent j starts at feature featureOrdering[j]. */
  featureOrdering?: ArrayLike<number>;
  /** Needed only when noiseLevel > 0. */
  rng?: Rng;
}

/** Overwrites instance `instance` of `p` with the embedding [nFeatures, dIn] (row i = feature i). */
export function initSaeToMatchModel(p: SaeParams, instance: number, embedding: ArrayLike<number>, nFeatures: number, options: InitToTruthOptions = {}): void {
  const { dIn: D, dSae: M } = p;
  const { noiseLevel = 0, featureOrdering, rng } = options;
  if (embedding.length !== nFeatures * D) throw new Error(`initSaeToMatchModel: embedding has ${embedding.length} values, expected ${nFeatures}×${D}`);
  if (noiseLevel !== 0 && !rng) throw new Error("initSaeToMatchModel: noiseLevel > 0 needs an rng");
  const m = Math.min(M, nFeatures);
  if (featureOrdering && featureOrdering.length !== m) throw new Error(`initSaeToMatchModel: featureOrdering has ${featureOrdering.length} entries, expected ${m}`);
  const we = instance * D * M;
  const wd = instance * M * D;
  for (let j = 0; j < m; j++) {
    const f = featureOrdering ? featureOrdering[j] : j;
    if (!(Number.isInteger(f) && f >= 0 && f < m)) throw new Error(`initSaeToMatchModel: featureOrdering[${j}] = ${f} is not in [0, ${m})`);
    for (let k = 0; k < D; k++) {
      const noise = noiseLevel !== 0 && rng ? noiseLevel * rng.normal() : 0;
      p.wEnc[we + k * M + j] = embedding[f * D + k] + noise;
    }
  }
  for (let j = 0; j < M; j++) for (let k = 0; k < D; k++) p.wDec[wd + j * D + k] = p.wEnc[we + k * M + j];
}
