/**
 * How Sparse-but-Wrong lays out its latent × feature cosine heatmaps (`plotting.py`):
 *
 * - `roundCos`: round to 0.01 (torch.round: half to even) and add 0.0 so that −0 prints as 0;
 * - `findBestIndexReordering`: for each latent its best feature argmax_f |cos| (first on
 *   ties), latents ordered by that index (a stable argsort here; torch's is not stable),
 *   score = mean_i cos[order[i], i] over i < min(nLatents, nFeatures) (signed);
 * - `findBestIndexReorderingForSaes`: the order of the SAE with the best score, applied to
 *   all SAEs of a figure (computed on rounded decoder cosines, as the original);
 * - `adjustForSuperposition`: subtract the true features' own cosines (diagonal zeroed),
 *   so that a latent equal to a feature that overlaps others shows as pure.
 *
 * Cosine matrices are [nLatents, nFeatures] row-major (row = latent), as `cosineMatrix`.
 */
import { assertDims, assertMatrix, type FloatArray } from "./shape.ts";

function roundHalfEven(v: number): number {
  const r = Math.round(v);
  // Math.round sends x.5 up; torch.round sends it to the even neighbour
  return Math.abs(v - Math.trunc(v)) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

export function roundCos(cos: FloatArray): Float64Array {
  const out = new Float64Array(cos.length);
  for (let e = 0; e < cos.length; e++) out[e] = roundHalfEven(cos[e] * 100) / 100 + 0;
  return out;
}

export interface IndexReordering {
  score: number;
  /** order[i] = the latent shown in row i. */
  order: Int32Array;
}

export function findBestIndexReordering(cos: FloatArray, nLatents: number, nFeatures: number): IndexReordering {
  assertDims("findBestIndexReordering", { nLatents, nFeatures });
  assertMatrix("findBestIndexReordering", "cos", cos, nLatents, nFeatures);
  const best = new Int32Array(nLatents);
  for (let l = 0; l < nLatents; l++) {
    let arg = 0;
    for (let f = 1; f < nFeatures; f++) if (Math.abs(cos[l * nFeatures + f]) > Math.abs(cos[l * nFeatures + arg])) arg = f;
    best[l] = arg;
  }
  const order = Int32Array.from({ length: nLatents }, (_, l) => l).sort((a, b) => best[a] - best[b] || a - b);
  const n = Math.min(nLatents, nFeatures);
  let sum = 0;
  for (let i = 0; i < n; i++) sum += cos[order[i] * nFeatures + i];
  return { score: sum / n, order };
}

/** The best order across several SAEs' (unrounded) decoder cosine matrices; the first wins ties. */
export function findBestIndexReorderingForSaes(cosList: readonly FloatArray[], nLatents: number, nFeatures: number): IndexReordering {
  let best: IndexReordering | null = null;
  for (const cos of cosList) {
    const r = findBestIndexReordering(roundCos(cos), nLatents, nFeatures);
    if (best === null || r.score > best.score) best = r;
  }
  if (best === null) throw new Error("findBestIndexReorderingForSaes: no SAEs given");
  return best;
}

/** Rows of cos [nLatents, nFeatures] in the given order. */
export function reorderRows(cos: FloatArray, order: ArrayLike<number>, nFeatures: number): Float64Array {
  const out = new Float64Array(order.length * nFeatures);
  for (let i = 0; i < order.length; i++) for (let f = 0; f < nFeatures; f++) out[i * nFeatures + f] = cos[order[i] * nFeatures + f];
  return out;
}

/** cos − (featureCos with its diagonal zeroed); cos is [n, n] (d_sae = N), featureCos the features' own [n, n]. */
export function adjustForSuperposition(cos: FloatArray, featureCos: FloatArray, n: number): Float64Array {
  assertDims("adjustForSuperposition", { n });
  assertMatrix("adjustForSuperposition", "cos", cos, n, n);
  assertMatrix("adjustForSuperposition", "featureCos", featureCos, n, n);
  const out = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) out[i * n + j] = cos[i * n + j] - (i === j ? 0 : featureCos[i * n + j]);
  return out;
}
