/**
 * Cosine similarity between the rows of two row-major matrices.
 *
 *   cos[i, j] = a_i · b_j / (‖a_i‖ ‖b_j‖),  and 0 when either row is all zeros.
 *
 * Convention used by every ground-truth metric here: `a` = SAE decoder rows d_i (W_dec is
 * [d_sae, d_in], rows are latent directions), `b` = true feature directions g_j, so the result is
 * [M latents, F features] — the orientation of the seed code's cos_sims(W_decᵀ, embed), which
 * normalises *columns* of W_decᵀ, i.e. decoder rows.
 */
import { assertDims, assertMatrix, type FloatArray } from "./shape.ts";

/** Unit-normalised copy of each row (in float64); an all-zero row stays zero, so its cosines are 0. */
export function normalizeRows(a: FloatArray, rows: number, dim: number): Float64Array {
  assertDims("normalizeRows", { rows, dim });
  assertMatrix("normalizeRows", "a", a, rows, dim);
  const out = new Float64Array(rows * dim);
  for (let r = 0; r < rows; r++) {
    let ss = 0;
    for (let k = 0; k < dim; k++) ss += a[r * dim + k] * a[r * dim + k];
    const inv = ss > 0 ? 1 / Math.sqrt(ss) : 0;
    for (let k = 0; k < dim; k++) out[r * dim + k] = a[r * dim + k] * inv;
  }
  return out;
}

/** [rowsA, rowsB] row-major matrix of cosines between rows of `a` [rowsA, dim] and `b` [rowsB, dim]. */
export function cosineMatrix(a: FloatArray, rowsA: number, b: FloatArray, rowsB: number, dim: number): Float64Array {
  assertDims("cosineMatrix", { rowsA, rowsB, dim });
  assertMatrix("cosineMatrix", "a", a, rowsA, dim);
  assertMatrix("cosineMatrix", "b", b, rowsB, dim);
  const na = normalizeRows(a, rowsA, dim);
  const nb = normalizeRows(b, rowsB, dim);
  const out = new Float64Array(rowsA * rowsB);
  for (let i = 0; i < rowsA; i++) {
    for (let j = 0; j < rowsB; j++) {
      let dot = 0;
      for (let k = 0; k < dim; k++) dot += na[i * dim + k] * nb[j * dim + k];
      out[i * rowsB + j] = dot;
    }
  }
  return out;
}
