/**
 * Mean max cosine similarity (MMCS) between SAE decoder rows d_i (i = 1..M) and true feature
 * directions g_j (j = 1..F), in both directions, named so they cannot be swapped by accident.
 * Input is a cosine matrix `cos` [M, F] (row i = latent, column j = feature), e.g. from
 * `cosineMatrix(W_dec, M, G, F, dim)`.
 *
 *   mmcsTrueToSae = (1/F) Σ_j max_i cos(g_j, d_i)   — recovery: is every true feature covered?
 *                                                     (Sharkey et al. 2022's MMCS)
 *   mmcsSaeToTrue = (1/M) Σ_i max_j cos(d_i, g_j)   — precision: is every latent a true feature?
 *                                                     (HoagyC/sparse_coding's mmcs_to_fixed)
 *
 * Both use the *signed* cosine, as Sharkey et al. define MMCS: a latent pointing at −g_j does not
 * reconstruct g_j's positive activations through a ReLU code, so it should not count as a match.
 * (MCC and feature recovery use |cos|, as SAELens does; see mcc.ts.)
 */
import { assertDims, assertMatrix, type FloatArray } from "./shape.ts";

function check(fn: string, cos: FloatArray, nSae: number, nTrue: number): void {
  assertDims(fn, { nSae, nTrue });
  assertMatrix(fn, "cos", cos, nSae, nTrue);
}

/** For each true feature j, max_i cos[i, j] (signed); length F. */
export function maxCosPerFeature(cos: FloatArray, nSae: number, nTrue: number): Float64Array {
  check("maxCosPerFeature", cos, nSae, nTrue);
  const out = new Float64Array(nTrue).fill(-Infinity);
  for (let i = 0; i < nSae; i++) {
    for (let j = 0; j < nTrue; j++) if (cos[i * nTrue + j] > out[j]) out[j] = cos[i * nTrue + j];
  }
  return out;
}

/** For each latent i, max_j cos[i, j] (signed); length M. */
export function maxCosPerLatent(cos: FloatArray, nSae: number, nTrue: number): Float64Array {
  check("maxCosPerLatent", cos, nSae, nTrue);
  const out = new Float64Array(nSae).fill(-Infinity);
  for (let i = 0; i < nSae; i++) {
    for (let j = 0; j < nTrue; j++) if (cos[i * nTrue + j] > out[i]) out[i] = cos[i * nTrue + j];
  }
  return out;
}

function mean(xs: Float64Array): number {
  let s = 0;
  for (const x of xs) s += x;
  return s / xs.length;
}

/** (1/F) Σ_j max_i cos(g_j, d_i), signed cosine. */
export function mmcsTrueToSae(cos: FloatArray, nSae: number, nTrue: number): number {
  return mean(maxCosPerFeature(cos, nSae, nTrue));
}

/** (1/M) Σ_i max_j cos(d_i, g_j), signed cosine. */
export function mmcsSaeToTrue(cos: FloatArray, nSae: number, nTrue: number): number {
  return mean(maxCosPerLatent(cos, nSae, nTrue));
}

/**
 * Feature recovery rate at threshold τ: (1/F) #{ j : max_i |cos(g_j, d_i)| ≥ τ }.
 * Uses |cos| (field notes §B; the usual report is τ ∈ {0.9, 0.95, 0.99}).
 */
export function featureRecovery(cos: FloatArray, nSae: number, nTrue: number, tau: number): number {
  check("featureRecovery", cos, nSae, nTrue);
  let recovered = 0;
  for (let j = 0; j < nTrue; j++) {
    let best = 0;
    for (let i = 0; i < nSae; i++) best = Math.max(best, Math.abs(cos[i * nTrue + j]));
    if (best >= tau) recovered++;
  }
  return recovered / nTrue;
}
