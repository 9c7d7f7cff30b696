import { describe, it, expect } from "vitest";
import { Rng } from "../src/random.ts";
import {
  cholesky,
  choleskyOrEigenFactor,
  eigenFactor,
  fromEigen,
  hungarianMaxAssignment,
  identity,
  matMul,
  maxAbsDiff,
  multiplyByTranspose,
  normalCdf,
  normalQuantile,
  symmetricEigen,
  symmetricSqrt,
  transpose,
} from "../src/linalg.ts";

function randomSymmetric(n: number, rng: Rng): Float64Array {
  const a = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      const x = rng.normal();
      a[i * n + j] = x;
      a[j * n + i] = x;
    }
  }
  return a;
}

describe("symmetricEigen", () => {
  it("2×2 [[2,1],[1,2]] has eigenvalues 1 and 3 with eigenvectors (1,−1)/√2 and (1,1)/√2", () => {
    const { values, vectors } = symmetricEigen(new Float64Array([2, 1, 1, 2]), 2);
    expect(values[0]).toBeCloseTo(1, 14);
    expect(values[1]).toBeCloseTo(3, 14);
    const s = Math.SQRT1_2;
    // Column 0 ∝ (1, −1), column 1 ∝ (1, 1); the largest-magnitude component is made positive.
    expect(Math.abs(vectors[0])).toBeCloseTo(s, 14);
    expect(vectors[0] * vectors[2]).toBeCloseTo(-0.5, 14);
    expect(vectors[1]).toBeCloseTo(s, 14);
    expect(vectors[3]).toBeCloseTo(s, 14);
  });

  it("3×3 [[2,−1,0],[−1,2,−1],[0,−1,2]] has eigenvalues 2−√2, 2, 2+√2", () => {
    const a = new Float64Array([2, -1, 0, -1, 2, -1, 0, -1, 2]);
    const { values, vectors } = symmetricEigen(a, 3);
    expect(values[0]).toBeCloseTo(2 - Math.SQRT2, 14);
    expect(values[1]).toBeCloseTo(2, 14);
    expect(values[2]).toBeCloseTo(2 + Math.SQRT2, 14);
    // Eigenvector of 2 is (1, 0, −1)/√2.
    expect(Math.abs(vectors[0 * 3 + 1])).toBeCloseTo(Math.SQRT1_2, 14);
    expect(vectors[1 * 3 + 1]).toBeCloseTo(0, 14);
    expect(vectors[0 * 3 + 1] + vectors[2 * 3 + 1]).toBeCloseTo(0, 14);
  });

  it("diagonal input is returned sorted with a permutation as eigenvectors", () => {
    const { values, vectors } = symmetricEigen(new Float64Array([3, 0, 0, 0, -1, 0, 0, 0, 2]), 3);
    expect(Array.from(values)).toEqual([-1, 2, 3]);
    expect(Array.from(vectors)).toEqual([0, 0, 1, 1, 0, 0, 0, 1, 0]);
  });

  it("reconstructs random symmetric matrices (n = 5, 30, 100) to ~1e-12 with orthonormal V", () => {
    const rng = new Rng(7);
    for (const n of [5, 30, 100]) {
      const a = randomSymmetric(n, rng);
      const { values, vectors } = symmetricEigen(a, n);
      for (let k = 1; k < n; k++) expect(values[k]).toBeGreaterThanOrEqual(values[k - 1]);
      expect(maxAbsDiff(fromEigen(values, vectors, n), a)).toBeLessThan(1e-12);
      const vtv = matMul(transpose(vectors, n, n), vectors, n, n, n);
      expect(maxAbsDiff(vtv, identity(n))).toBeLessThan(1e-12);
      // A·v_k = λ_k·v_k column by column.
      const av = matMul(a, vectors, n, n, n);
      let worst = 0;
      for (let i = 0; i < n; i++) for (let k = 0; k < n; k++) worst = Math.max(worst, Math.abs(av[i * n + k] - values[k] * vectors[i * n + k]));
      expect(worst).toBeLessThan(1e-12);
    }
  });

  it("rejects a non-symmetric matrix", () => {
    expect(() => symmetricEigen(new Float64Array([1, 2, 3, 4]), 2)).toThrow(/not symmetric/);
  });
});

describe("factors", () => {
  // Small-toy matrix at ρ = 0.5: ρ between feature 0 and the other 4, singular (eigenvalue 1 − 2ρ = 0).
  const singular = new Float64Array(25);
  for (let i = 0; i < 5; i++) singular[i * 5 + i] = 1;
  for (let j = 1; j < 5; j++) singular[j] = singular[j * 5] = 0.5;

  it("eigenFactor and symmetricSqrt reproduce a singular PSD matrix", () => {
    expect(symmetricEigen(singular, 5).values[0]).toBeCloseTo(0, 14);
    const l = eigenFactor(singular, 5);
    expect(maxAbsDiff(multiplyByTranspose(l, 5, 5), singular)).toBeLessThan(1e-12);
    const s = symmetricSqrt(singular, 5);
    expect(maxAbsDiff(matMul(s, s, 5, 5, 5), singular)).toBeLessThan(1e-12);
    expect(maxAbsDiff(s, transpose(s, 5, 5))).toBe(0);
  });

  it("cholesky refuses the singular matrix; choleskyOrEigenFactor falls back to eigen", () => {
    expect(cholesky(singular, 5)).toBeNull();
    const f = choleskyOrEigenFactor(singular, 5);
    expect(f.method).toBe("eigen");
    expect(maxAbsDiff(multiplyByTranspose(f.factor, 5, 5), singular)).toBeLessThan(1e-12);
  });

  it("cholesky of [[4,2],[2,3]] is [[2,0],[1,√2]]", () => {
    const l = cholesky(new Float64Array([4, 2, 2, 3]), 2);
    expect(l).not.toBeNull();
    expect(Array.from(l ?? [])).toEqual([2, 0, 1, Math.SQRT2]);
    expect(choleskyOrEigenFactor(new Float64Array([4, 2, 2, 3]), 2).method).toBe("cholesky");
  });
});

describe("normal distribution", () => {
  it("normalQuantile at known points", () => {
    expect(normalQuantile(0.5)).toBe(0);
    expect(normalQuantile(0.975)).toBeCloseTo(1.959963984540054, 14);
    expect(normalQuantile(0.025)).toBeCloseTo(-1.959963984540054, 14);
    expect(normalQuantile(0.84134474606854293)).toBeCloseTo(1, 14);
    // AS241's tail branches: r = √(−ln p) ≈ 4.8 ≤ 5 for 1e-10, and r > 5 for 1e-300.
    // Reference values: Python's statistics.NormalDist().inv_cdf and scipy's norm.ppf.
    expect(normalQuantile(1e-10)).toBeCloseTo(-6.361340902404056, 13);
    expect(normalQuantile(1e-300)).toBeCloseTo(-37.0470962993612, 12);
    expect(normalQuantile(0)).toBe(-Infinity);
    expect(normalQuantile(1)).toBe(Infinity);
    expect(normalQuantile(1.5)).toBeNaN();
  });

  it("normalCdf at known points and as the inverse of normalQuantile", () => {
    expect(normalCdf(0)).toBe(0.5);
    expect(normalCdf(1.959963984540054)).toBeCloseTo(0.975, 15);
    expect(normalCdf(-1)).toBeCloseTo(0.15865525393145707, 15);
    expect(normalCdf(-6.361340902404056) / 1e-10).toBeCloseTo(1, 12);
    expect(normalCdf(-20) / 2.7536241186061556e-89).toBeCloseTo(1, 12);
    for (const p of [1e-12, 1e-6, 0.001, 0.05, 0.3, 0.5, 0.7, 0.95, 0.999]) {
      expect(normalCdf(normalQuantile(p)) / p).toBeCloseTo(1, 12);
    }
  });
});

describe("hungarianMaxAssignment", () => {
  /** Best total over all one-to-one assignments of min(rows, cols) pairs, by enumeration. */
  function bruteForce(score: number[][]): number {
    const rows = score.length;
    const cols = score[0].length;
    let best = -Infinity;
    const usedCols = new Array<boolean>(cols).fill(false);
    // Assign rows in order; when rows > cols some rows stay unassigned.
    const go = (row: number, assigned: number, total: number): void => {
      if (assigned === Math.min(rows, cols)) {
        best = Math.max(best, total);
        return;
      }
      if (row === rows) return;
      if (rows - row > Math.min(rows, cols) - assigned) go(row + 1, assigned, total); // skip this row
      for (let c = 0; c < cols; c++) {
        if (usedCols[c]) continue;
        usedCols[c] = true;
        go(row + 1, assigned + 1, total + score[row][c]);
        usedCols[c] = false;
      }
    };
    go(0, 0, 0);
    return best;
  }

  function randomScore(rows: number, cols: number, rng: Rng): number[][] {
    return Array.from({ length: rows }, () => Array.from({ length: cols }, () => rng.uniformIn(-1, 1)));
  }

  it("matches brute force on random 5×5, 3×6 and 6×3 matrices", () => {
    const rng = new Rng(11);
    for (const [rows, cols] of [
      [5, 5],
      [3, 6],
      [6, 3],
      [1, 4],
      [4, 1],
    ]) {
      for (let trial = 0; trial < 30; trial++) {
        const score = randomScore(rows, cols, rng);
        const result = hungarianMaxAssignment(score);
        expect(result.pairs.length).toBe(Math.min(rows, cols));
        expect(result.total).toBeCloseTo(bruteForce(score), 12);
        // One-to-one and consistent.
        const seenCols = new Set(result.pairs.map(([, c]) => c));
        expect(seenCols.size).toBe(result.pairs.length);
        for (const [r, c] of result.pairs) {
          expect(result.rowToCol[r]).toBe(c);
          expect(result.colToRow[c]).toBe(r);
        }
      }
    }
  });

  it("picks the off-diagonal assignment when it is better", () => {
    const result = hungarianMaxAssignment([
      [1, 2],
      [3, 1],
    ]);
    expect(result.pairs).toEqual([
      [0, 1],
      [1, 0],
    ]);
    expect(result.total).toBe(5);
    expect(Array.from(result.rowToCol)).toEqual([1, 0]);
  });

  it("leaves extra rows unmatched (−1) and handles empty input", () => {
    const result = hungarianMaxAssignment([[0.1], [0.9], [0.5]]);
    expect(Array.from(result.rowToCol)).toEqual([-1, 0, -1]);
    expect(result.total).toBe(0.9);
    expect(hungarianMaxAssignment([]).pairs).toEqual([]);
  });
});
