// biome-ignore-all format: hand-unrolled numeric loops keep several declarations per line (one per unrolled lane)
/**
 * Correlated (and independent) binary firing with per-feature magnitudes: the data of
 * "Sparse but Wrong" (`get_training_batch`, reference §1.2).
 *
 * Firing is a Gaussian copula: z ~ N(0, C) with C a correlation matrix, feature i fires when
 * z_i > Φ⁻¹(1 − p_i), so its marginal firing rate is exactly p_i whatever C is (C is the
 * correlation of the *latent* Gaussians; the correlation of the binary firings is weaker).
 * A firing feature gets magnitude ReLU(μ_i + δ), δ ~ N(0, σ_i); a silent one gets 0.
 * Without C, features fire independently, Bernoulli(p_i).
 *
 * Every normal (ε and δ) is `Rng.zigguratNormal`: a sample of the main toy draws ~60 of them,
 * and Box–Muller's log, sin and cos were a quarter of the small toy's training time.
 */
import type { Rng } from "@toy-sae/core/random";
import type { FeatureSampler } from "@toy-sae/core/sampler";
import { assertSymmetric, choleskyOrEigenFactor, fromEigen, normalQuantile, symmetricEigen } from "@toy-sae/core/linalg";
import { copulaDraw } from "@toy-sae/core/wasm/copula-draw";
import { simdEmbedder } from "@toy-sae/core/wasm/embed-simd";

/** A requested correlation [i, j, ρ] between features i and j (set symmetrically). */
export type CorrelationPair = readonly [i: number, j: number, rho: number];

/** Eigenvalues below −this mean "not PSD" for `createCorrelationMatrix` (the original's test). */
export const NOT_PSD_TOLERANCE = 1e-6;
/** The floor the original clips eigenvalues to when it repairs a matrix. */
export const REPAIR_MIN_EIGENVALUE = 1e-6;

function sizeOf(c: Float64Array, what: string): number {
  const n = Math.round(Math.sqrt(c.length));
  if (n * n !== c.length) throw new Error(`${what}: a square n×n matrix was expected, got ${c.length} entries`);
  return n;
}

/**
 * Make a symmetric matrix a valid correlation matrix (unit diagonal, positive definite),
 * as the original `_fix_correlation_matrix` does: eigen-decompose, clip every eigenvalue to
 * ≥ `minEigenvalue`, rebuild, rescale C_ij ← C_ij/√(C_ii·C_jj), and set the diagonal to 1.
 * Always applies the clipping; the input is not modified.
 */
export function repairCorrelationMatrix(c: Float64Array, minEigenvalue = REPAIR_MIN_EIGENVALUE): Float64Array {
  const n = sizeOf(c, "repairCorrelationMatrix");
  const { values, vectors } = symmetricEigen(c, n);
  const clipped = Array.from(values, (x) => Math.max(x, minEigenvalue));
  const m = fromEigen(clipped, vectors, n);
  const d = new Float64Array(n);
  for (let i = 0; i < n; i++) d[i] = Math.sqrt(m[i * n + i]);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) m[i * n + j] = i === j ? 1 : m[i * n + j] / (d[i] * d[j]);
  }
  return m;
}

/** Smallest eigenvalue of a symmetric matrix. */
export function minEigenvalue(c: Float64Array): number {
  const n = sizeOf(c, "minEigenvalue");
  return n === 0 ? Infinity : symmetricEigen(c, n).values[0];
}

/**
 * The identity plus `defaultRho` on every off-diagonal entry, then each [i, j, ρ] written at
 * (i, j) and (j, i). If the result has an eigenvalue below −1e-6 it is repaired with
 * `repairCorrelationMatrix` (as the original `create_correlation_matrix`); otherwise it is
 * returned as built — in particular a singular but PSD matrix (the small toy at |ρ| = 0.5)
 * is kept exactly.
 */
export function createCorrelationMatrix(n: number, pairs: ReadonlyArray<CorrelationPair> = [], defaultRho = 0): Float64Array {
  if (!Number.isInteger(n) || n < 0) throw new Error(`createCorrelationMatrix: n must be a non-negative integer, got ${n}`);
  if (!(Math.abs(defaultRho) <= 1)) throw new Error(`createCorrelationMatrix: defaultRho must be in [−1, 1], got ${defaultRho}`);
  const c = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) c[i * n + j] = i === j ? 1 : defaultRho;
  for (const [i, j, rho] of pairs) {
    if (!Number.isInteger(i) || !Number.isInteger(j) || i < 0 || j < 0 || i >= n || j >= n || i === j) {
      throw new Error(`createCorrelationMatrix: pair [${i}, ${j}] must be two distinct feature indices in [0, ${n})`);
    }
    if (!(Math.abs(rho) <= 1)) throw new Error(`createCorrelationMatrix: correlation of pair [${i}, ${j}] must be in [−1, 1], got ${rho}`);
    c[i * n + j] = rho;
    c[j * n + i] = rho;
  }
  if (n > 0 && minEigenvalue(c) < -NOT_PSD_TOLERANCE) return repairCorrelationMatrix(c);
  return c;
}

/**
 * The small toy's correlation matrix: ρ between feature 0 and every other feature, 0
 * elsewhere. Its eigenvalues are 1 ± ρ·√(n−1) and 1 (n−2 times), so for n = 5 it is singular
 * at |ρ| = 0.5 (kept as is: the copula sampler handles singular matrices) and repaired
 * beyond.
 */
export function smallToyCorrelation(rho: number, n = 5): Float64Array {
  const pairs: CorrelationPair[] = [];
  for (let j = 1; j < n; j++) pairs.push([0, j, rho]);
  return createCorrelationMatrix(n, pairs);
}

export interface RandomCorrelationOptions {
  /** Fraction of the correlated pairs that get a positive sign. Default 0.5. */
  positiveRatio?: number;
  /** Range [lo, hi) of the absolute correlation drawn for each correlated pair. Default [0.3, 0.8]. */
  strengthRange?: readonly [number, number];
  /** Fraction of the n(n−1)/2 pairs left uncorrelated. Default 0.3. */
  sparsity?: number;
}

/**
 * A random sparse correlation matrix as the original `generate_random_correlation_matrix`:
 * of the P = n(n−1)/2 pairs, P − ⌊P·sparsity⌋ are picked in random order; the first
 * ⌊count·positiveRatio⌋ of them get a positive sign, the rest negative, each with strength
 * U[lo, hi). The matrix is then *always* repaired (eigenvalues clipped to ≥ 1e-6, unit
 * diagonal), which strongly shrinks dense, strong correlations.
 *
 * Deterministic for a given `rng` state; it matches the original only statistically (the
 * original draws from Python's Mersenne Twister).
 */
export function randomCorrelationMatrix(n: number, options: RandomCorrelationOptions, rng: Rng): Float64Array {
  const positiveRatio = options.positiveRatio ?? 0.5;
  const [lo, hi] = options.strengthRange ?? [0.3, 0.8];
  const sparsity = options.sparsity ?? 0.3;
  if (!Number.isInteger(n) || n < 0) throw new Error(`randomCorrelationMatrix: n must be a non-negative integer, got ${n}`);
  if (!(positiveRatio >= 0 && positiveRatio <= 1)) throw new Error(`randomCorrelationMatrix: positiveRatio must be in [0, 1], got ${positiveRatio}`);
  if (!(sparsity >= 0 && sparsity <= 1)) throw new Error(`randomCorrelationMatrix: sparsity must be in [0, 1], got ${sparsity}`);
  if (!(lo >= 0 && hi >= lo && hi <= 1)) throw new Error(`randomCorrelationMatrix: strengthRange must satisfy 0 ≤ lo ≤ hi ≤ 1, got [${lo}, ${hi}]`);

  const c = new Float64Array(n * n);
  for (let i = 0; i < n; i++) c[i * n + i] = 1;
  const pairs: Array<readonly [number, number]> = [];
  for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) pairs.push([i, j]);
  const total = pairs.length;
  if (total === 0) return c;
  const count = total - Math.floor(total * sparsity);
  if (count === 0) return c;

  // A uniformly random ordered sample of `count` pairs (partial Fisher–Yates), like random.sample.
  for (let k = 0; k < count; k++) {
    const r = k + rng.int(total - k);
    [pairs[k], pairs[r]] = [pairs[r], pairs[k]];
  }
  const positives = Math.floor(count * positiveRatio);
  for (let k = 0; k < count; k++) {
    const [i, j] = pairs[k];
    const rho = (k < positives ? 1 : -1) * rng.uniformIn(lo, hi);
    c[i * n + j] = rho;
    c[j * n + i] = rho;
  }
  return repairCorrelationMatrix(c);
}

// ---------------------------------------------------------------------------------------
// The sampler
// ---------------------------------------------------------------------------------------

export interface CorrelatedFeatureOptions {
  /** p_i, the probability that feature i fires; its length is the number of features. */
  firingProbabilities: ArrayLike<number>;
  /**
   * Row-major n×n correlation matrix of the copula (symmetric, unit diagonal, positive
   * semi-definite; singular is fine). Omitted or null: features fire independently.
   */
  correlation?: Float64Array | null;
  /** μ, the magnitude of a firing feature: one number or one per feature. Default 1. */
  magnitudeMean?: number | ArrayLike<number>;
  /** σ, the standard deviation of a firing feature's magnitude: one number or one per feature. Default 0. */
  magnitudeStd?: number | ArrayLike<number>;
}

export interface CorrelatedFeatureSampler extends FeatureSampler {
  readonly firingProbabilities: Float64Array;
  /** The correlation matrix in use (a copy), or null for independent firing. */
  readonly correlation: Float64Array | null;
  /** Φ⁻¹(1 − p_i): feature i fires when its latent Gaussian exceeds this. */
  readonly thresholds: Float64Array;
  readonly magnitudeMean: Float64Array;
  readonly magnitudeStd: Float64Array;
  /** How the copula factor L (L·Lᵀ = C) was computed; null for independent firing. */
  readonly factorMethod: "cholesky" | "eigen" | null;
  /** Expected number of firing features per sample, Σp_i (the true L0, up to ReLU clipping). */
  readonly expectedL0: number;
  /** Like `sample`, but writes into `out` (length ≥ batch·nFeatures, overwritten) and returns it. */
  sampleInto(rng: Rng, batch: number, out: Float32Array): Float32Array;
  /**
   * The same draws as `sampleInto`, embedded through w [nFeatures, dOut] (row i = feature i's
   * direction) into `out` [batch, dOut]: bit-identical to `embedFeatures(sampleInto(…), w, …)`
   * (a Float64 sum of the non-zero features' rows in feature order, stored as Float32),
   * without the [batch, nFeatures] matrix or a second pass over it. Returns `out`.
   */
  sampleEmbeddedInto(rng: Rng, batch: number, w: Float32Array, dOut: number, out: Float32Array): Float32Array;
}

function perFeature(value: number | ArrayLike<number>, n: number, what: string): Float64Array {
  if (typeof value === "number") {
    if (!Number.isFinite(value)) throw new Error(`correlatedFeatureSampler: ${what} must be finite, got ${value}`);
    return new Float64Array(n).fill(value);
  }
  if (value.length !== n) throw new Error(`correlatedFeatureSampler: ${what} has ${value.length} entries, expected one per feature (${n})`);
  const out = Float64Array.from(value);
  for (let i = 0; i < n; i++) {
    if (!Number.isFinite(out[i])) throw new Error(`correlatedFeatureSampler: ${what}[${i}] must be finite, got ${out[i]}`);
  }
  return out;
}

/** Tolerance on the unit diagonal and the PSD check of a user-given correlation matrix. */
const CORRELATION_TOLERANCE = 1e-9;

class CopulaSampler implements CorrelatedFeatureSampler {
  readonly nFeatures: number;
  readonly firingProbabilities: Float64Array;
  readonly correlation: Float64Array | null;
  readonly thresholds: Float64Array;
  readonly magnitudeMean: Float64Array;
  readonly magnitudeStd: Float64Array;
  readonly expectedL0: number;
  /** L with L·Lᵀ = C (row-major n×n), or null for independent firing. */
  private readonly factor: Float64Array | null;
  /** How `factor` was obtained; null for independent firing. */
  readonly factorMethod: "cholesky" | "eigen" | null = null;
  private readonly eps: Float64Array;
  private readonly z: Float64Array;
  /** One embedded sample's partial sums in Float64 (the JavaScript embedding), grown to dOut. */
  private row = new Float64Array(0);
  /** w with a row of zeros after its n rows (the JavaScript embedding), grown as needed. */
  private paddedW = new Float32Array(0);
  /** The batch's firing entries when the JavaScript embedding runs (see `EntryLists`), grown as needed. */
  private lists: EntryLists = { start: new Int32Array(0), value: new Float64Array(0), row: new Int32Array(0) };
  /** Feature i's row as the embedding addresses it (an offset into w, or a byte address in SIMD memory). */
  private readonly rowAt: Int32Array;
  /** The features whose copula latent passed its threshold (sampleEmbeddedInto). */
  private readonly candidates: Int32Array;
  /** The Rng's state, handed to and back from the WebAssembly draw. */
  private readonly rngState = new Int32Array(4);

  constructor(options: CorrelatedFeatureOptions) {
    const n = options.firingProbabilities.length;
    this.nFeatures = n;
    this.firingProbabilities = Float64Array.from(options.firingProbabilities);
    let sum = 0;
    for (let i = 0; i < n; i++) {
      const p = this.firingProbabilities[i];
      if (!(p >= 0 && p <= 1)) throw new Error(`correlatedFeatureSampler: firingProbabilities[${i}] must be in [0, 1], got ${p}`);
      sum += p;
    }
    this.expectedL0 = sum;
    this.thresholds = this.firingProbabilities.map((p) => normalQuantile(1 - p));
    this.magnitudeMean = perFeature(options.magnitudeMean ?? 1, n, "magnitudeMean");
    this.magnitudeStd = perFeature(options.magnitudeStd ?? 0, n, "magnitudeStd");
    for (let i = 0; i < n; i++) {
      if (this.magnitudeStd[i] < 0) throw new Error(`correlatedFeatureSampler: magnitudeStd[${i}] must be ≥ 0, got ${this.magnitudeStd[i]}`);
    }

    const c = options.correlation ?? null;
    if (c === null) {
      this.correlation = null;
      this.factor = null;
    } else {
      if (c.length !== n * n) throw new Error(`correlatedFeatureSampler: correlation has ${c.length} entries, expected ${n}×${n} for ${n} features`);
      assertSymmetric(c, n, CORRELATION_TOLERANCE, "correlatedFeatureSampler: correlation");
      for (let i = 0; i < n; i++) {
        if (Math.abs(c[i * n + i] - 1) > CORRELATION_TOLERANCE) {
          throw new Error(`correlatedFeatureSampler: correlation must have a unit diagonal, but [${i},${i}] = ${c[i * n + i]} (repairCorrelationMatrix makes one)`);
        }
      }
      const lowest = minEigenvalue(c);
      if (lowest < -CORRELATION_TOLERANCE * Math.max(1, n)) {
        throw new Error(`correlatedFeatureSampler: correlation is not positive semi-definite (smallest eigenvalue ${lowest}); repair it with repairCorrelationMatrix`);
      }
      this.correlation = Float64Array.from(c);
      // L·Lᵀ = C: Cholesky (lower triangular) when C is positive definite, else the
      // eigen-based L = V·diag(√max(λ, 0)), which is valid for singular C (the small toy
      // at |ρ| = 0.5) where Cholesky fails.
      const { factor, method } = choleskyOrEigenFactor(this.correlation, n);
      this.factor = factor;
      this.factorMethod = method;
    }
    this.eps = new Float64Array(n);
    this.z = new Float64Array(n);
    this.rowAt = new Int32Array(n);
    this.candidates = new Int32Array(n);
  }

  sample(rng: Rng, batch: number): Float32Array {
    return this.sampleInto(rng, batch, new Float32Array(batch * this.nFeatures));
  }

  sampleInto(rng: Rng, batch: number, out: Float32Array): Float32Array {
    const n = this.nFeatures;
    if (!Number.isInteger(batch) || batch < 0) throw new Error(`sample: batch must be a non-negative integer, got ${batch}`);
    if (out.length < batch * n) throw new Error(`sampleInto: out has ${out.length} entries, needs ${batch * n}`);
    out.fill(0, 0, batch * n);
    const { thresholds, magnitudeMean: mean, magnitudeStd: std, firingProbabilities: p } = this;
    const factor = this.factor;
    const triangular = this.factorMethod === "cholesky";
    const { eps, z } = this;

    for (let b = 0; b < batch; b++) {
      const base = b * n;
      if (factor === null) {
        for (let i = 0; i < n; i++) {
          if (rng.uniform() < p[i]) out[base + i] = this.magnitude(rng, mean[i], std[i]);
        }
        continue;
      }
      for (let k = 0; k < n; k++) eps[k] = rng.zigguratNormal();
      // z = L·ε first, then the magnitudes: z draws nothing, so the stream's order (all of
      // ε, then one magnitude per firing feature in index order) is unchanged
      copulaLatents(factor, n, triangular, eps, z);
      for (let i = 0; i < n; i++) {
        if (z[i] > thresholds[i]) out[base + i] = this.magnitude(rng, mean[i], std[i]);
      }
    }
    return out;
  }

  sampleEmbeddedInto(rng: Rng, batch: number, w: Float32Array, dOut: number, out: Float32Array): Float32Array {
    const n = this.nFeatures;
    if (!Number.isInteger(batch) || batch < 0) throw new Error(`sample: batch must be a non-negative integer, got ${batch}`);
    if (w.length !== n * dOut) throw new Error(`sampleEmbeddedInto: w has ${w.length} entries, expected ${n}×${dOut}`);
    if (out.length < batch * dOut) throw new Error(`sampleEmbeddedInto: out has ${out.length} entries, needs ${batch * dOut}`);
    // The batch's firing features are listed first (`drawEntries`), then embedded in one go: in
    // WebAssembly SIMD when it is available (../core/wasm/embed-simd.ts), else by `embedLists`.
    // Both give embedFeatures' bits. w is copied every call: the caller may change it between calls.
    const simd = simdEmbedder(dOut);
    const simdBuffers = simd ? simd.buffers(batch, batch * n, n) : null;
    const rowAt = this.rowAt;
    if (simd && simdBuffers) {
      simdBuffers.w.set(w);
      for (let i = 0; i < n; i++) rowAt[i] = simd.rowAddress(i);
      this.drawEntries(rng, batch, simdBuffers);
      simd.run(batch);
      out.set(simdBuffers.out);
      return out;
    }
    for (let i = 0; i < n; i++) rowAt[i] = i * dOut;
    const lists = this.entryLists(batch, n);
    this.drawEntries(rng, batch, lists);
    if (this.row.length < dOut) this.row = new Float64Array(dOut);
    if (this.paddedW.length < (n + 1) * dOut) this.paddedW = new Float32Array((n + 1) * dOut);
    const padded = this.paddedW;
    padded.set(w);
    padded.fill(0, n * dOut, (n + 1) * dOut);
    embedLists(lists, batch, padded, n * dOut, dOut, this.row, out);
    return out;
  }

  /** JavaScript entry lists with room for `batch` samples of up to n entries each. */
  private entryLists(batch: number, n: number): EntryLists {
    if (this.lists.start.length < batch + 1 || this.lists.value.length < batch * n) {
      this.lists = { start: new Int32Array(batch + 1), value: new Float64Array(batch * n), row: new Int32Array(batch * n) };
    }
    return this.lists;
  }

  /**
   * The draws of `sampleInto`, in the same order, written as entry lists: for each sample its
   * non-zero features in index order, each as its Float32 value and `rowAt` row. With a copula
   * they are drawn in WebAssembly when it is available (../core/wasm/copula-draw.ts); the
   * JavaScript below is its twin, and the only path for independent firing.
   */
  private drawEntries(rng: Rng, batch: number, lists: EntryLists): void {
    const n = this.nFeatures;
    const { thresholds, magnitudeMean: mean, magnitudeStd: std, firingProbabilities: p } = this;
    const factor = this.factor;
    const triangular = this.factorMethod === "cholesky";
    const wasm = factor === null ? null : copulaDraw();
    if (wasm && factor !== null) {
      // the same draws in WebAssembly (../core/wasm/copula-draw.ts), on the Rng's own stream
      const drawn = wasm.draw({ factor, triangular, thresholds, mean, std }, this.rowAt, rng.getState(this.rngState), batch);
      rng.setState(this.rngState);
      lists.start.set(drawn.start);
      lists.value.set(drawn.value);
      lists.row.set(drawn.row);
      return;
    }
    const { eps, z, candidates, rowAt } = this;
    const { start, value, row } = lists;
    const fround = Math.fround;
    let entries = 0;
    for (let b = 0; b < batch; b++) {
      start[b] = entries;
      // The features that may fire, in index order. The copula's test draws nothing, so it is
      // written without a branch (whether a feature fires is a coin toss a branch would
      // mispredict). The independent test draws a uniform per feature, interleaved with the
      // magnitudes' draws, so it stays in the loop below, as in sampleInto.
      let count = n;
      if (factor !== null) {
        for (let k = 0; k < n; k++) eps[k] = rng.zigguratNormal();
        copulaLatents(factor, n, triangular, eps, z);
        count = 0;
        for (let i = 0; i < n; i++) {
          candidates[count] = i;
          count += Number(z[i] > thresholds[i]);
        }
      }
      for (let q = 0; q < count; q++) {
        const i = factor === null ? q : candidates[q];
        // the firing test and the magnitude draw of sampleInto, in the same order
        if (factor === null && !(rng.uniform() < p[i])) continue;
        const m = std[i] === 0 ? mean[i] : mean[i] + std[i] * rng.zigguratNormal();
        const v = fround(m > 0 ? m : 0); // the Float32 feature value sampleInto stores
        if (v === 0) continue; // embedFeatures skips zero features
        value[entries] = v;
        row[entries++] = rowAt[i];
      }
    }
    start[batch] = entries;
  }

  /** ReLU(μ + δ), δ ~ N(0, σ); no draw when σ = 0. */
  private magnitude(rng: Rng, mean: number, std: number): number {
    const m = std === 0 ? mean : mean + std * rng.zigguratNormal();
    return m > 0 ? m : 0;
  }
}

/**
 * A batch's firing features: sample s's entries are start[s] … start[s + 1] − 1, entry q the
 * feature's value and its row in the embedding.
 */
interface EntryLists {
  start: Int32Array;
  value: Float64Array;
  row: Int32Array;
}

/**
 * out[s] = Σ_q value[q]·w[row[q] …] over sample s's entries, summed in q order in Float64 from 0
 * and stored as Float32: `embedFeatures`' sum, bit for bit (the JavaScript twin of the SIMD
 * embedding).
 *
 * Four entries per pass over the row, so each partial sum is loaded and stored once per four
 * products, and the last pass writes `out` itself (one to four features, most samples, need no
 * Float64 row at all). A pass with fewer than four entries left takes the zero row at `zeroRow`
 * for the rest: a padded term adds 0·0 = +0, which changes no sum here (each starts at +0, so
 * none is −0). Every element's additions keep their order, (((r + p0) + p1) + p2) + p3.
 */
function embedLists(lists: EntryLists, batch: number, w: Float32Array, zeroRow: number, dOut: number, acc: Float64Array, out: Float32Array): void {
  const { start, value, row } = lists;
  for (let s = 0; s < batch; s++) {
    const o = s * dOut;
    const end = start[s + 1];
    const firing = end - start[s];
    if (firing === 0) {
      out.fill(0, o, o + dOut);
      continue;
    }
    const passes = Math.ceil(firing / 4);
    for (let pass = 0, q = start[s]; pass < passes; pass++, q += 4) {
      const v0 = value[q], r0 = row[q];
      const v1 = q + 1 < end ? value[q + 1] : 0, r1 = q + 1 < end ? row[q + 1] : zeroRow;
      const v2 = q + 2 < end ? value[q + 2] : 0, r2 = q + 2 < end ? row[q + 2] : zeroRow;
      const v3 = q + 3 < end ? value[q + 3] : 0, r3 = q + 3 < end ? row[q + 3] : zeroRow;
      const first = pass === 0;
      const last = pass === passes - 1;
      if (first && last) for (let k = 0; k < dOut; k++) out[o + k] = 0 + v0 * w[r0 + k] + v1 * w[r1 + k] + v2 * w[r2 + k] + v3 * w[r3 + k];
      else if (first) for (let k = 0; k < dOut; k++) acc[k] = 0 + v0 * w[r0 + k] + v1 * w[r1 + k] + v2 * w[r2 + k] + v3 * w[r3 + k];
      else if (last) for (let k = 0; k < dOut; k++) out[o + k] = acc[k] + v0 * w[r0 + k] + v1 * w[r1 + k] + v2 * w[r2 + k] + v3 * w[r3 + k];
      else for (let k = 0; k < dOut; k++) acc[k] = acc[k] + v0 * w[r0 + k] + v1 * w[r1 + k] + v2 * w[r2 + k] + v3 * w[r3 + k];
    }
  }
}

/**
 * The copula's latent Gaussians z = L·ε, z_i = Σ_k L_ik·ε_k summed in k order from 0 (a
 * Cholesky factor is lower triangular: row i stops at column i; an eigen factor is full).
 *
 * Four rows per pass over ε: four independent sums share each loaded ε_k, instead of one
 * sum waiting on its previous addition at every k (the product is most of the main toy's
 * sampling: 1275 terms per sample at 50 features). Each row's terms are still added in the
 * same order as one row at a time, so z is bit-identical.
 */
function copulaLatents(factor: Float64Array, n: number, triangular: boolean, eps: Float64Array, z: Float64Array): void {
  let i = 0;
  for (; i + 3 < n; i += 4) {
    const r0 = i * n, r1 = r0 + n, r2 = r1 + n, r3 = r2 + n;
    const end = triangular ? i + 1 : n; // the columns all four rows have
    let z0 = 0, z1 = 0, z2 = 0, z3 = 0;
    for (let k = 0; k < end; k++) {
      const e = eps[k];
      z0 += factor[r0 + k] * e;
      z1 += factor[r1 + k] * e;
      z2 += factor[r2 + k] * e;
      z3 += factor[r3 + k] * e;
    }
    if (triangular) {
      // rows i + 1 … i + 3 go on to their diagonals
      const e1 = eps[i + 1], e2 = eps[i + 2], e3 = eps[i + 3];
      z1 += factor[r1 + i + 1] * e1;
      z2 += factor[r2 + i + 1] * e1;
      z2 += factor[r2 + i + 2] * e2;
      z3 += factor[r3 + i + 1] * e1;
      z3 += factor[r3 + i + 2] * e2;
      z3 += factor[r3 + i + 3] * e3;
    }
    z[i] = z0;
    z[i + 1] = z1;
    z[i + 2] = z2;
    z[i + 3] = z3;
  }
  for (; i < n; i++) {
    const row = i * n;
    const end = triangular ? i + 1 : n;
    let zi = 0;
    for (let k = 0; k < end; k++) zi += factor[row + k] * eps[k];
    z[i] = zi;
  }
}

/**
 * Sampler of correlated (Gaussian copula) or independent (Bernoulli) firing features with
 * magnitudes ReLU(μ_i + δ), δ ~ N(0, σ_i). The magnitude noise is drawn only for features
 * that fire (the original draws it for all and zeroes the rest: the same distribution).
 */
export function correlatedFeatureSampler(options: CorrelatedFeatureOptions): CorrelatedFeatureSampler {
  return new CopulaSampler(options);
}
