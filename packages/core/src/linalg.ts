/**
 * Small dense linear algebra in plain JavaScript numbers (float64), enough for the
 * ground-truth generators and the metrics:
 *
 * - `symmetricEigen`: eigendecomposition of a symmetric matrix (cyclic Jacobi);
 * - `eigenFactor` / `symmetricSqrt` / `cholesky` / `choleskyOrEigenFactor`: a factor L with
 *   L·Lᵀ = C, including for positive *semi*-definite (singular) C;
 * - `normalQuantile` / `normalCdf`: the standard normal inverse CDF and CDF;
 * - `hungarianMaxAssignment`: the one-to-one assignment that maximises a total score.
 *
 * Conventions: an n×m matrix is a `Float64Array` of length n·m in row-major order,
 * element (i, j) at index i·m + j. Functions never modify their inputs.
 */

// ---------------------------------------------------------------------------------------
// Basic helpers
// ---------------------------------------------------------------------------------------

/** The n×n identity matrix. */
export function identity(n: number): Float64Array {
  const out = new Float64Array(n * n);
  for (let i = 0; i < n; i++) out[i * n + i] = 1;
  return out;
}

/** C = A·B for A [n×k] and B [k×m]. */
export function matMul(a: Float64Array, b: Float64Array, n: number, k: number, m: number): Float64Array {
  if (a.length !== n * k) throw new Error(`matMul: A has ${a.length} entries, expected ${n}×${k}`);
  if (b.length !== k * m) throw new Error(`matMul: B has ${b.length} entries, expected ${k}×${m}`);
  const out = new Float64Array(n * m);
  for (let i = 0; i < n; i++) {
    for (let p = 0; p < k; p++) {
      const aip = a[i * k + p];
      if (aip === 0) continue;
      const bRow = p * m;
      const oRow = i * m;
      for (let j = 0; j < m; j++) out[oRow + j] += aip * b[bRow + j];
    }
  }
  return out;
}

/** Aᵀ for A [n×m]; the result is [m×n]. */
export function transpose(a: Float64Array, n: number, m: number): Float64Array {
  const out = new Float64Array(n * m);
  for (let i = 0; i < n; i++) for (let j = 0; j < m; j++) out[j * n + i] = a[i * m + j];
  return out;
}

/** L·Lᵀ for L [n×r]; the result is [n×n]. */
export function multiplyByTranspose(l: Float64Array, n: number, r: number): Float64Array {
  const out = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let s = 0;
      for (let k = 0; k < r; k++) s += l[i * r + k] * l[j * r + k];
      out[i * n + j] = s;
      out[j * n + i] = s;
    }
  }
  return out;
}

/** Largest absolute entry-wise difference of two arrays of equal length. */
export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`maxAbsDiff: lengths differ (${a.length} vs ${b.length})`);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

/** Throws unless `a` is an n×n matrix that is symmetric to within `tol` (absolute). */
export function assertSymmetric(a: Float64Array, n: number, tol = 1e-12, what = "matrix"): void {
  if (a.length !== n * n) throw new Error(`${what} has ${a.length} entries, expected ${n}×${n} = ${n * n}`);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < i; j++) {
      const x = a[i * n + j];
      const y = a[j * n + i];
      if (!Number.isFinite(x) || !(Math.abs(x - y) <= tol * Math.max(1, Math.abs(x), Math.abs(y)))) {
        throw new Error(`${what} is not symmetric: [${i},${j}] = ${x} but [${j},${i}] = ${y}`);
      }
    }
    if (!Number.isFinite(a[i * n + i])) throw new Error(`${what} has a non-finite diagonal entry at [${i},${i}]`);
  }
}

// ---------------------------------------------------------------------------------------
// Symmetric eigendecomposition (cyclic Jacobi)
// ---------------------------------------------------------------------------------------

export interface SymmetricEigen {
  readonly n: number;
  /** Eigenvalues in ascending order (as numpy/torch `eigh`). */
  readonly values: Float64Array;
  /** Eigenvectors as the *columns* of this row-major n×n orthogonal matrix V: A = V·diag(values)·Vᵀ. */
  readonly vectors: Float64Array;
  /** Number of Jacobi sweeps used. */
  readonly sweeps: number;
}

/**
 * Eigendecomposition of a real symmetric n×n matrix by the cyclic Jacobi method.
 *
 * Each rotation zeroes one off-diagonal pair (p, q) exactly; a sweep visits every pair once.
 * Convergence is quadratic, and the method is known for high relative accuracy: for
 * n ≤ 100 the reconstruction error ‖V·diag(λ)·Vᵀ − A‖ is around 1e-14·‖A‖.
 * A must be symmetric (checked to a relative 1e-12); both triangles are kept in step.
 */
export function symmetricEigen(a: Float64Array, n: number, maxSweeps = 100): SymmetricEigen {
  assertSymmetric(a, n, 1e-12, "symmetricEigen: input");
  const m = Float64Array.from(a); // working copy, becomes diagonal
  const v = identity(n);

  // Scale of the matrix, to decide when the off-diagonal part is negligible.
  let frob2 = 0;
  for (let i = 0; i < n * n; i++) frob2 += m[i] * m[i];
  const tiny = Number.MIN_VALUE / Number.EPSILON;

  let sweeps = 0;
  for (; sweeps < maxSweeps; sweeps++) {
    let off2 = 0;
    for (let p = 0; p < n; p++) for (let q = p + 1; q < n; q++) off2 += m[p * n + q] * m[p * n + q];
    // Off-diagonal mass below (ε·‖A‖)² means the diagonal holds the eigenvalues to working precision.
    if (off2 <= Number.EPSILON * Number.EPSILON * frob2 * 1e-4 || off2 < tiny) break;

    for (let p = 0; p < n - 1; p++) {
      for (let q = p + 1; q < n; q++) {
        const apq = m[p * n + q];
        if (apq === 0) continue;
        const app = m[p * n + p];
        const aqq = m[q * n + q];
        // Choose the rotation angle so that the new (p, q) entry is zero. t = tan(angle) is the
        // smaller root of t² + 2θt − 1 = 0, which keeps the rotation angle ≤ π/4 (stable).
        const theta = (aqq - app) / (2 * apq);
        const t = (theta >= 0 ? 1 : -1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;

        // Rows/columns p and q of the symmetric matrix, other indices k.
        for (let k = 0; k < n; k++) {
          if (k === p || k === q) continue;
          const akp = m[k * n + p];
          const akq = m[k * n + q];
          const nkp = c * akp - s * akq;
          const nkq = s * akp + c * akq;
          m[k * n + p] = nkp;
          m[p * n + k] = nkp;
          m[k * n + q] = nkq;
          m[q * n + k] = nkq;
        }
        m[p * n + p] = app - t * apq;
        m[q * n + q] = aqq + t * apq;
        m[p * n + q] = 0;
        m[q * n + p] = 0;

        // Accumulate the rotation into V (columns p and q).
        for (let k = 0; k < n; k++) {
          const vkp = v[k * n + p];
          const vkq = v[k * n + q];
          v[k * n + p] = c * vkp - s * vkq;
          v[k * n + q] = s * vkp + c * vkq;
        }
      }
    }
  }

  // Sort ascending and permute the eigenvector columns to match.
  const order = Array.from({ length: n }, (_, i) => i).sort((i, j) => m[i * n + i] - m[j * n + j] || i - j);
  const values = new Float64Array(n);
  const vectors = new Float64Array(n * n);
  for (let col = 0; col < n; col++) {
    const src = order[col];
    values[col] = m[src * n + src];
    // Deterministic sign: the largest-magnitude component of each eigenvector is positive.
    let big = 0;
    for (let k = 0; k < n; k++) if (Math.abs(v[k * n + src]) > Math.abs(big)) big = v[k * n + src];
    const sign = big < 0 ? -1 : 1;
    for (let k = 0; k < n; k++) vectors[k * n + col] = sign * v[k * n + src];
  }
  return { n, values, vectors, sweeps };
}

/** V·diag(values)·Vᵀ: rebuild a symmetric matrix from (possibly modified) eigenpairs. */
export function fromEigen(values: ArrayLike<number>, vectors: Float64Array, n: number): Float64Array {
  const out = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let s = 0;
      for (let k = 0; k < n; k++) s += vectors[i * n + k] * values[k] * vectors[j * n + k];
      out[i * n + j] = s;
      out[j * n + i] = s;
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------
// Factors L with L·Lᵀ = C
// ---------------------------------------------------------------------------------------

/**
 * Eigen-based factor of a symmetric positive semi-definite matrix: L = V·diag(√max(λ, 0)),
 * an n×n row-major matrix with L·Lᵀ = C (exactly so when no eigenvalue was negative).
 * Works for singular C, where Cholesky fails; eigenvalues below zero (round-off on a
 * singular matrix) are treated as zero.
 */
export function eigenFactor(c: Float64Array, n: number): Float64Array {
  const { values, vectors } = symmetricEigen(c, n);
  const out = new Float64Array(n * n);
  for (let k = 0; k < n; k++) {
    const root = Math.sqrt(Math.max(values[k], 0));
    for (let i = 0; i < n; i++) out[i * n + k] = vectors[i * n + k] * root;
  }
  return out;
}

/** The symmetric PSD square root S = V·diag(√max(λ, 0))·Vᵀ, so S·S = S·Sᵀ = C for PSD C. */
export function symmetricSqrt(c: Float64Array, n: number): Float64Array {
  const { values, vectors } = symmetricEigen(c, n);
  const roots = Array.from(values, (x) => Math.sqrt(Math.max(x, 0)));
  return fromEigen(roots, vectors, n);
}

/**
 * Lower-triangular Cholesky factor L (L·Lᵀ = A) of a symmetric positive-definite matrix,
 * or `null` when A is not safely positive definite: a pivot ≤ `relativePivot`·A_jj.
 * (On a singular matrix round-off can leave a tiny positive pivot; dividing by its root
 * would give a meaningless factor, so such matrices are refused too.)
 */
export function cholesky(a: Float64Array, n: number, relativePivot = 1e-10): Float64Array | null {
  assertSymmetric(a, n, 1e-12, "cholesky: input");
  const l = new Float64Array(n * n);
  for (let j = 0; j < n; j++) {
    let d = a[j * n + j];
    for (let k = 0; k < j; k++) d -= l[j * n + k] * l[j * n + k];
    if (!(d > relativePivot * a[j * n + j])) return null;
    const ljj = Math.sqrt(d);
    l[j * n + j] = ljj;
    for (let i = j + 1; i < n; i++) {
      let s = a[i * n + j];
      for (let k = 0; k < j; k++) s -= l[i * n + k] * l[j * n + k];
      l[i * n + j] = s / ljj;
    }
  }
  return l;
}

export interface Factor {
  /** Row-major n×n matrix L with L·Lᵀ = C. */
  readonly factor: Float64Array;
  /** "cholesky": L is lower triangular; "eigen": L = V·diag(√λ₊), used when C is singular. */
  readonly method: "cholesky" | "eigen";
}

/**
 * Cholesky when C is (safely) positive definite — triangular, so half the work to apply, and
 * the factor torch's MultivariateNormal uses — else the eigen-based factor, which also
 * handles singular PSD matrices. Either way L·Lᵀ = C, so z = L·ε ~ N(0, C).
 */
export function choleskyOrEigenFactor(c: Float64Array, n: number): Factor {
  const l = cholesky(c, n);
  return l ? { factor: l, method: "cholesky" } : { factor: eigenFactor(c, n), method: "eigen" };
}

// ---------------------------------------------------------------------------------------
// Standard normal distribution
// ---------------------------------------------------------------------------------------

/** Evaluate c[0] + c[1]·x + … + c[k]·x^k (Horner). */
function poly(c: readonly number[], x: number): number {
  let r = 0;
  for (let i = c.length - 1; i >= 0; i--) r = r * x + c[i];
  return r;
}

// Coefficients of Wichura (1988), Algorithm AS 241 "PPND16", lowest order first.
// biome-ignore-start lint/correctness/noPrecisionLoss: the published digits, kept verbatim (each literal rounds to the nearest double)
const AS241_A = [
  3.387132872796366608, 133.14166789178437745, 1971.5909503065514427, 13731.693765509461125, 45921.953931549871457, 67265.770927008700853, 33430.575583588128105,
  2509.0809287301226727,
];
const AS241_B = [1, 42.313330701600911252, 687.1870074920579083, 5394.1960214247511077, 21213.794301586595867, 39307.89580009271061, 28729.085735721942674, 5226.495278852854561];
const AS241_C = [
  1.42343711074968357734, 4.6303378461565452959, 5.7694972214606914055, 3.64784832476320460504, 1.27045825245236838258, 0.24178072517745061177, 0.0227238449892691845833,
  7.7454501427834140764e-4,
];
const AS241_D = [
  1, 2.05319162663775882187, 1.6763848301838038494, 0.68976733498510000455, 0.14810397642748007459, 0.0151986665636164571966, 5.475938084995344946e-4, 1.05075007164441684324e-9,
];
const AS241_E = [
  6.6579046435011037772, 5.4637849111641143699, 1.7848265399172913358, 0.29656057182850489123, 0.026532189526576123093, 0.0012426609473880784386, 2.71155556874348757815e-5,
  2.01033439929228813265e-7,
];
const AS241_F = [
  1, 0.59983220655588793769, 0.13692988092273580531, 0.0148753612908506148525, 7.868691311456132591e-4, 1.8463183175100546818e-5, 1.4215117583164458887e-7,
  2.04426310338993978564e-15,
];
// biome-ignore-end lint/correctness/noPrecisionLoss: the published digits, kept verbatim

/**
 * Φ⁻¹(p), the standard normal quantile, by Wichura's AS 241 (PPND16): relative accuracy
 * about 1e-16 over (0, 1). Returns −∞ at 0, +∞ at 1, and NaN outside [0, 1].
 * This is the algorithm behind scipy's `norm.ppf` lineage and Python's `NormalDist.inv_cdf`.
 */
export function normalQuantile(p: number): number {
  if (!(p >= 0 && p <= 1)) return Number.NaN;
  if (p === 0) return -Infinity;
  if (p === 1) return Infinity;
  const q = p - 0.5;
  if (Math.abs(q) <= 0.425) {
    const r = 0.180625 - q * q;
    return (q * poly(AS241_A, r)) / poly(AS241_B, r);
  }
  let r = q < 0 ? p : 1 - p;
  r = Math.sqrt(-Math.log(r));
  let x: number;
  if (r <= 5) {
    r -= 1.6;
    x = poly(AS241_C, r) / poly(AS241_D, r);
  } else {
    r -= 5;
    x = poly(AS241_E, r) / poly(AS241_F, r);
  }
  return q < 0 ? -x : x;
}

const SQRT_PI = Math.sqrt(Math.PI);

/**
 * erfc(z) for z ≥ 0 to near double precision: a positive-term series for erf when z is small,
 * a continued fraction (modified Lentz) for the tail.
 */
function erfcNonNegative(z: number): number {
  if (z < 1.5) {
    // erf(z) = 2/√π · e^{−z²} · Σ_n (2z²)ⁿ · z / (1·3·5·…·(2n+1)), all terms positive.
    const z2 = z * z;
    let term = z;
    let sum = z;
    for (let n = 1; n < 200; n++) {
      term *= (2 * z2) / (2 * n + 1);
      sum += term;
      if (term < sum * 1e-17) break;
    }
    return 1 - (2 / SQRT_PI) * Math.exp(-z2) * sum;
  }
  // erfc(z) = e^{−z²}/√π · 1/(z + (1/2)/(z + 1/(z + (3/2)/(z + 2/(z + …))))).
  const tinyValue = 1e-300;
  let f = z;
  let cc = z;
  let d = 0;
  for (let k = 1; k < 5000; k++) {
    const a = k / 2;
    d = z + a * d;
    if (Math.abs(d) < tinyValue) d = tinyValue;
    cc = z + a / cc;
    if (Math.abs(cc) < tinyValue) cc = tinyValue;
    d = 1 / d;
    const delta = cc * d;
    f *= delta;
    if (Math.abs(delta - 1) < 1e-16) break;
  }
  return Math.exp(-z * z) / (SQRT_PI * f);
}

/** Φ(x), the standard normal CDF, with near double-precision relative accuracy in both tails. */
export function normalCdf(x: number): number {
  if (Number.isNaN(x)) return Number.NaN;
  if (x === Infinity) return 1;
  if (x === -Infinity) return 0;
  const z = Math.abs(x) / Math.SQRT2;
  const tail = 0.5 * erfcNonNegative(z); // P(X > |x|)
  return x < 0 ? tail : 1 - tail;
}

// ---------------------------------------------------------------------------------------
// Hungarian algorithm (Kuhn–Munkres) for a maximum-score one-to-one assignment
// ---------------------------------------------------------------------------------------

export interface Assignment {
  /** rowToCol[i] = the column matched to row i, or −1 when row i is unmatched (more rows than columns). */
  readonly rowToCol: Int32Array;
  /** colToRow[j] = the row matched to column j, or −1 when column j is unmatched. */
  readonly colToRow: Int32Array;
  /** The matched pairs [row, col], sorted by row. There are min(rows, cols) of them. */
  readonly pairs: ReadonlyArray<readonly [number, number]>;
  /** Σ score[row][col] over the matched pairs: the largest achievable total. */
  readonly total: number;
}

/**
 * The one-to-one assignment of rows to columns that maximises the total score, on a
 * rectangular matrix (rows ≤ cols or rows ≥ cols): min(rows, cols) pairs are matched.
 * O(n²·m) Hungarian algorithm with row/column potentials (shortest augmenting paths).
 * Used for MCC, where score = |cos(latent, feature)|.
 */
export function hungarianMaxAssignment(score: ReadonlyArray<ReadonlyArray<number>>): Assignment {
  const rows = score.length;
  const cols = rows === 0 ? 0 : score[0].length;
  for (let i = 0; i < rows; i++) {
    if (score[i].length !== cols) throw new Error(`hungarianMaxAssignment: row ${i} has ${score[i].length} entries, expected ${cols}`);
    for (let j = 0; j < cols; j++) {
      if (!Number.isFinite(score[i][j])) throw new Error(`hungarianMaxAssignment: score[${i}][${j}] = ${score[i][j]} is not finite`);
    }
  }
  const rowToCol = new Int32Array(rows).fill(-1);
  const colToRow = new Int32Array(cols).fill(-1);
  if (rows === 0 || cols === 0) return { rowToCol, colToRow, pairs: [], total: 0 };

  // The algorithm below assigns every "left" vertex, so the left side must be the smaller one.
  const transposed = rows > cols;
  const n = transposed ? cols : rows; // left side
  const m = transposed ? rows : cols; // right side
  // Minimise cost = −score.
  const cost = (i: number, j: number): number => (transposed ? -score[j][i] : -score[i][j]);

  // 1-based arrays; index 0 of the right side is a virtual column used to start each search.
  const u = new Float64Array(n + 1); // left potentials
  const v = new Float64Array(m + 1); // right potentials
  const matchRight = new Int32Array(m + 1); // matchRight[j] = left vertex matched to right j (0 = none)
  const way = new Int32Array(m + 1);
  const minv = new Float64Array(m + 1);
  const used = new Uint8Array(m + 1);

  for (let i = 1; i <= n; i++) {
    matchRight[0] = i;
    let j0 = 0;
    minv.fill(Infinity);
    used.fill(0);
    do {
      used[j0] = 1;
      const i0 = matchRight[j0];
      let delta = Infinity;
      let j1 = 0;
      for (let j = 1; j <= m; j++) {
        if (used[j]) continue;
        const reduced = cost(i0 - 1, j - 1) - u[i0] - v[j];
        if (reduced < minv[j]) {
          minv[j] = reduced;
          way[j] = j0;
        }
        if (minv[j] < delta) {
          delta = minv[j];
          j1 = j;
        }
      }
      for (let j = 0; j <= m; j++) {
        if (used[j]) {
          u[matchRight[j]] += delta;
          v[j] -= delta;
        } else {
          minv[j] -= delta;
        }
      }
      j0 = j1;
    } while (matchRight[j0] !== 0);
    // Augment along the alternating path back to the virtual column.
    do {
      const j1 = way[j0];
      matchRight[j0] = matchRight[j1];
      j0 = j1;
    } while (j0 !== 0);
  }

  const pairs: Array<readonly [number, number]> = [];
  let total = 0;
  for (let j = 1; j <= m; j++) {
    if (matchRight[j] === 0) continue;
    const left = matchRight[j] - 1;
    const right = j - 1;
    const row = transposed ? right : left;
    const col = transposed ? left : right;
    rowToCol[row] = col;
    colToRow[col] = row;
  }
  for (let i = 0; i < rows; i++) {
    if (rowToCol[i] >= 0) {
      pairs.push([i, rowToCol[i]] as const);
      total += score[i][rowToCol[i]];
    }
  }
  return { rowToCol, colToRow, pairs, total };
}
