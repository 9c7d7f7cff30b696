/**
 * Mean |cos| over all pairs i < j of a set of directions: Sparse-but-Wrong's "pairwise
 * cosine similarity" of decoder rows or encoder columns, plotted against L0 (lowest near
 * the true L0: latents that mix correlated features point in similar directions).
 */
import { normalizeRows } from "./cosine.ts";
import { assertDims, assertMatrix, type FloatArray } from "./shape.ts";

/** Mean |cos(a_i, a_j)| over the upper triangle i < j of the rows of a [n, dim]; NaN for n < 2. */
export function meanAbsPairwiseCosine(a: FloatArray, n: number, dim: number): number {
  assertDims("meanAbsPairwiseCosine", { n, dim });
  assertMatrix("meanAbsPairwiseCosine", "a", a, n, dim);
  if (n < 2) return NaN;
  const u = normalizeRows(a, n, dim);
  let sum = 0;
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      let dot = 0;
      for (let k = 0; k < dim; k++) dot += u[i * dim + k] * u[j * dim + k];
      sum += Math.abs(dot);
    }
  }
  return sum / ((n * (n - 1)) / 2);
}

/** The columns of a [rows, cols] as the rows of a [cols, rows] matrix (e.g. encoder directions from W_enc). */
export function columnsAsRows(a: FloatArray, rows: number, cols: number): Float64Array {
  assertDims("columnsAsRows", { rows, cols });
  assertMatrix("columnsAsRows", "a", a, rows, cols);
  const out = new Float64Array(rows * cols);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[c * rows + r] = a[r * cols + c];
  return out;
}
