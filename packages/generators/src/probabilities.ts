/**
 * Per-feature firing probabilities p_i for the independent / copula samplers.
 * Each function returns a fresh Float64Array of length n with every entry in [0, 1].
 */

function checkCount(n: number, what: string): void {
  if (!Number.isInteger(n) || n < 0) throw new Error(`${what}: n must be a non-negative integer, got ${n}`);
}

function checkProbability(p: number, what: string): void {
  if (!(p >= 0 && p <= 1)) throw new Error(`${what}: probability must be in [0, 1], got ${p}`);
}

/** Every feature fires with the same probability p (the small toy: n = 5, p = 0.4). */
export function constantProbabilities(n: number, p: number): Float64Array {
  checkCount(n, "constantProbabilities");
  checkProbability(p, "constantProbabilities");
  return new Float64Array(n).fill(p);
}

/**
 * Evenly spaced probabilities from `first` (feature 0) to `last` (feature n−1), both
 * included, like `linspace(first, last, n)`. For n = 1 the single value is `first`.
 */
export function linearProbabilities(n: number, first: number, last: number): Float64Array {
  checkCount(n, "linearProbabilities");
  checkProbability(first, "linearProbabilities");
  checkProbability(last, "linearProbabilities");
  const out = new Float64Array(n);
  if (n === 1) {
    out[0] = first;
    return out;
  }
  for (let i = 0; i < n; i++) out[i] = first + ((last - first) * i) / (n - 1);
  return out;
}

/**
 * The firing probabilities of the Sparse-but-Wrong main toy (N = 50):
 * p_i = 0.345·(49 − i)/50 + 0.05, linear from 0.3881 (feature 0) down to 0.05 (feature 49).
 * Σp = 10.9525, the toy's true L0.
 */
export function sparseButWrongMainProbabilities(): Float64Array {
  const n = 50;
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = (0.345 * (49 - i)) / 50 + 0.05;
  return out;
}
