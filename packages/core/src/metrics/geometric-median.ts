/**
 * Geometric median by Weiszfeld's algorithm, used to initialise b_dec as the composed-feature toy
 * does (geometric median of h over 5000 model samples).
 *
 *   median = argmin_y Σ_k w_k ‖p_k − y‖
 *
 * Follows the `geom_median` package (krishnap25/geom_median, `geometric_median_array`) that the
 * original code calls with its defaults except maxiter: start at the weighted mean; each step
 * re-weights points by w_k / max(‖p_k − y‖, eps) and takes the weighted average; stop after
 * `maxiter` steps or when the objective (weighted mean distance) changes by at most
 * ftol · objective. Defaults are the package's: eps 1e-6, maxiter 100, ftol 1e-20. eps bounds the
 * weight of a point the estimate sits on, so the update never divides by zero.
 *
 * Unlike the mean, it is robust: moving one outlier far away barely moves the median.
 */
import { assertDims, assertMatrix, type FloatArray } from "./shape.ts";

export interface GeometricMedianOptions {
  /** Point weights, length n; default all 1. */
  weights?: ArrayLike<number>;
  /** Smallest distance used as a denominator (smoothing). Default 1e-6. */
  eps?: number;
  /** Maximum Weiszfeld iterations. Default 100. */
  maxiter?: number;
  /** Stop when |Δobjective| ≤ ftol · objective. Default 1e-20. */
  ftol?: number;
}

export interface GeometricMedianResult {
  median: Float64Array;
  /** Weiszfeld steps taken. */
  iterations: number;
  /** True when the objective converged before `maxiter` (the original prints a warning otherwise). */
  converged: boolean;
  /** Final weighted mean distance Σ w_k ‖p_k − median‖ / Σ w_k. */
  objective: number;
}

function weightedAverage(points: FloatArray, n: number, d: number, w: Float64Array, out: Float64Array): void {
  out.fill(0);
  let total = 0;
  for (let k = 0; k < n; k++) total += w[k];
  for (let k = 0; k < n; k++) {
    const c = w[k] / total;
    for (let t = 0; t < d; t++) out[t] += c * points[k * d + t];
  }
}

function distances(points: FloatArray, n: number, d: number, y: Float64Array, out: Float64Array): void {
  for (let k = 0; k < n; k++) {
    let ss = 0;
    for (let t = 0; t < d; t++) {
      const diff = points[k * d + t] - y[t];
      ss += diff * diff;
    }
    out[k] = Math.sqrt(ss);
  }
}

function objective(dist: Float64Array, w: Float64Array): number {
  let num = 0;
  let den = 0;
  for (let k = 0; k < dist.length; k++) {
    num += w[k] * dist[k];
    den += w[k];
  }
  return num / den;
}

/** Weiszfeld's algorithm with convergence information; `points` is [n, d] row-major. */
export function geometricMedianWithInfo(points: FloatArray, n: number, d: number, options: GeometricMedianOptions = {}): GeometricMedianResult {
  assertDims("geometricMedian", { n, d });
  assertMatrix("geometricMedian", "points", points, n, d);
  const { eps = 1e-6, maxiter = 100, ftol = 1e-20 } = options;
  const weights = new Float64Array(n).fill(1);
  if (options.weights !== undefined) {
    if (options.weights.length !== n) throw new Error(`geometricMedian: ${options.weights.length} weights for ${n} points`);
    for (let k = 0; k < n; k++) {
      if (!(options.weights[k] >= 0)) throw new Error(`geometricMedian: weight ${k} is ${options.weights[k]}, expected ≥ 0`);
      weights[k] = options.weights[k];
    }
  }
  const median = new Float64Array(d);
  const dist = new Float64Array(n);
  const step = new Float64Array(n);
  weightedAverage(points, n, d, weights, median);
  distances(points, n, d, median, dist);
  let obj = objective(dist, weights);
  let iterations = 0;
  let converged = false;
  while (iterations < maxiter) {
    iterations++;
    const prev = obj;
    for (let k = 0; k < n; k++) step[k] = weights[k] / Math.max(dist[k], eps);
    weightedAverage(points, n, d, step, median);
    distances(points, n, d, median, dist);
    obj = objective(dist, weights);
    if (Math.abs(prev - obj) <= ftol * obj) {
      converged = true;
      break;
    }
  }
  return { median, iterations, converged, objective: obj };
}

/** The geometric median of `points` [n, d] (row-major), length d. */
export function geometricMedian(points: FloatArray, n: number, d: number, options: GeometricMedianOptions = {}): Float64Array {
  return geometricMedianWithInfo(points, n, d, options).median;
}
