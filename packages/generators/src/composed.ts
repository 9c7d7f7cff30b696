/**
 * Composed-feature data (`ComposedFeatureTMS` of evanhanders/superposition-geometry-toys,
 * reference §3.2): two feature sets, x (set 0, n0 features) and y (set 1, n1 features).
 * Every sample draws one cell of a probability table T:
 *
 * - a *pair* cell (x_i, y_j): x_i and y_j are both active (L0 = 2);
 * - a *one-hot* cell x_i or y_j: that single feature is active (L0 = 1).
 *
 * Amplitudes: r_0, r_1 ~ U[0, 1) per sample, then r_1 ← (1 − f)·r_1 + f·r_0 with
 * f = setMagnitudeCorrelation (f = 1: equal amplitudes, f = 0: independent). The x feature
 * gets r_0 and the y feature r_1; a one-hot cell writes both into the same feature, which
 * therefore holds r_1, as in the original (it scatters set 0's value, then set 1's).
 *
 * Input index order: x_0 … x_{n0−1}, then y_0 … y_{n1−1}.
 */
import type { Rng } from "@toy-sae/core/random";
import type { FeatureSampler } from "@toy-sae/core/sampler";

export interface ComposedFeatureOptions {
  /** [n0, n1], the sizes of the two feature sets. Default [2, 2]. */
  setSizes?: readonly [number, number];
  /**
   * Baseline weight b per index (the original's `sparsity(i)`, default 0.1 for every
   * index): one number for all, or one array per set. Pair cell (i, j) ∝ b0_i·b1_j.
   */
  baselineWeights?: number | readonly [ArrayLike<number>, ArrayLike<number>];
  /** (i0, j0): the pair whose probability is boosted (x index i0 in set 0, y index j0 in set 1). Default none. */
  correlatedPair?: readonly [number, number] | null;
  /** Boost in [0, 1] of the correlated pair: 0 = no change, 1 = x_i0 and y_j0 as tied as the marginals allow. Default 0. */
  correlatedBoost?: number;
  /** p1h, the probability that a draw is one-hot (a single feature). Default 0. */
  oneHotProbability?: number;
  /** f in [0, 1], how strongly set 1's amplitude follows set 0's. Default 0. */
  setMagnitudeCorrelation?: number;
  /**
   * Reproduce the original's boost rescaling literally (default false). The original rescales
   * the rest of row i0 by the *column* ratio and the rest of column j0 by the *row* ratio, which
   * keeps the marginals only when row i0 and column j0 have equal mass (every square uniform
   * table, i.e. all the notebooks' 2×2, 4×4, 8×8 cases, where both modes agree). Otherwise its
   * table no longer sums to 1 and torch's Categorical renormalises it; with this flag the table
   * is built that way and normalised at the end, giving the original's effective probabilities.
   */
  legacyBoostRescale?: boolean;
}

/** Options with every default filled in. */
export interface ResolvedComposedOptions {
  readonly setSizes: readonly [number, number];
  readonly baselineWeights: readonly [Float64Array, Float64Array];
  readonly correlatedPair: readonly [number, number] | null;
  readonly correlatedBoost: number;
  readonly oneHotProbability: number;
  readonly setMagnitudeCorrelation: number;
  readonly legacyBoostRescale: boolean;
}

/** The probability of every cell; all entries sum to 1. */
export interface ComposedProbabilityTable {
  readonly setSizes: readonly [number, number];
  /** pairs[i·n1 + j] = P(x_i and y_j active): row-major n0×n1. */
  readonly pairs: Float64Array;
  /** P(x_i alone): the one-hot cells of set 0. */
  readonly singles0: Float64Array;
  /** P(y_j alone): the one-hot cells of set 1. */
  readonly singles1: Float64Array;
}

const DEFAULT_BASELINE = 0.1;

function checkUnit(x: number, what: string): void {
  if (!(x >= 0 && x <= 1)) throw new Error(`composed features: ${what} must be in [0, 1], got ${x}`);
}

/** Fill in defaults and validate. */
export function resolveComposedOptions(options: ComposedFeatureOptions = {}): ResolvedComposedOptions {
  const setSizes = options.setSizes ?? [2, 2];
  const [n0, n1] = setSizes;
  for (const [k, size] of setSizes.entries()) {
    if (!Number.isInteger(size) || size < 1) throw new Error(`composed features: setSizes[${k}] must be a positive integer, got ${size}`);
  }
  const raw = options.baselineWeights ?? DEFAULT_BASELINE;
  const weights: [Float64Array, Float64Array] =
    typeof raw === "number" ? [new Float64Array(n0).fill(raw), new Float64Array(n1).fill(raw)] : [Float64Array.from(raw[0]), Float64Array.from(raw[1])];
  for (const [k, w] of weights.entries()) {
    if (w.length !== setSizes[k]) throw new Error(`composed features: baselineWeights[${k}] has ${w.length} entries, expected setSizes[${k}] = ${setSizes[k]}`);
    let sum = 0;
    for (let i = 0; i < w.length; i++) {
      if (!(w[i] >= 0 && Number.isFinite(w[i]))) throw new Error(`composed features: baselineWeights[${k}][${i}] must be finite and ≥ 0, got ${w[i]}`);
      sum += w[i];
    }
    if (!(sum > 0)) throw new Error(`composed features: baselineWeights[${k}] must have a positive entry`);
  }
  const pair = options.correlatedPair ?? null;
  if (pair !== null) {
    const [i0, j0] = pair;
    if (!Number.isInteger(i0) || i0 < 0 || i0 >= n0) throw new Error(`composed features: correlatedPair[0] must be an index in set 0, [0, ${n0}), got ${i0}`);
    if (!Number.isInteger(j0) || j0 < 0 || j0 >= n1) throw new Error(`composed features: correlatedPair[1] must be an index in set 1, [0, ${n1}), got ${j0}`);
  }
  const correlatedBoost = options.correlatedBoost ?? 0;
  checkUnit(correlatedBoost, "correlatedBoost");
  if (pair === null && correlatedBoost !== 0) throw new Error("composed features: correlatedBoost needs a correlatedPair");
  const oneHotProbability = options.oneHotProbability ?? 0;
  checkUnit(oneHotProbability, "oneHotProbability");
  const setMagnitudeCorrelation = options.setMagnitudeCorrelation ?? 0;
  checkUnit(setMagnitudeCorrelation, "setMagnitudeCorrelation");
  return {
    setSizes: [n0, n1],
    baselineWeights: weights,
    correlatedPair: pair === null ? null : [pair[0], pair[1]],
    correlatedBoost,
    oneHotProbability,
    setMagnitudeCorrelation,
    legacyBoostRescale: options.legacyBoostRescale ?? false,
  };
}

/**
 * The cell probabilities T, built as the original (commit cfbf16e, the last the 2-d notebook
 * used):
 *
 * 1. Baseline: T[i, j] ∝ b0_i·b1_j, normalised (uniform by default: 1/(n0·n1)).
 * 2. Boost of the pair (i0, j0), when given: T[i0, j0] += boost·min(row − T[i0, j0],
 *    column − T[i0, j0]); the rest of row i0 and of column j0 is rescaled so that both keep
 *    their sums; then each other row i ≠ i0 rescales its entries outside column j0 so that
 *    it keeps its original sum.
 * 3. One-hot: every pair ×(1 − p1h); singleton x_i gets p1h·(b0_i/Σb0)·n0/(n0 + n1), and
 *    y_j likewise with set 1 (p1h/4 each for 2 + 2 sets).
 *
 * Deliberate difference: in the original the one-hot step sits inside the
 * `if correlated_feature_indices is not None` block, so a one-hot probability did nothing
 * unless a correlated pair was also set (the notebooks set (1, 1) with boost 0 to get it).
 * Here one-hot applies whether or not a pair is given. (The later HEAD, d32c16a, stores the
 * same singleton probabilities as "No x"/"No y" margins of an (n0+1)×(n1+1) table.)
 */
export function composedProbabilityTable(options: ComposedFeatureOptions = {}): ComposedProbabilityTable {
  const o = resolveComposedOptions(options);
  const [n0, n1] = o.setSizes;
  const [b0, b1] = o.baselineWeights;
  const t = new Float64Array(n0 * n1);
  const at = (i: number, j: number): number => i * n1 + j;

  // 1. Baseline, normalised.
  let total = 0;
  for (let i = 0; i < n0; i++) for (let j = 0; j < n1; j++) total += t[at(i, j)] = b0[i] * b1[j];
  if (!(total > 0)) throw new Error("composed features: every pair has zero baseline weight");
  for (let k = 0; k < t.length; k++) t[k] /= total;

  // 2. Boost the correlated pair.
  if (o.correlatedPair !== null) {
    const [i0, j0] = o.correlatedPair;
    const rowSum = (i: number): number => {
      let s = 0;
      for (let j = 0; j < n1; j++) s += t[at(i, j)];
      return s;
    };
    const originalRowSums = Array.from({ length: n0 }, (_, i) => rowSum(i));
    const rowProb = originalRowSums[i0];
    let colProb = 0;
    for (let i = 0; i < n0; i++) colProb += t[at(i, j0)];
    const cell = t[at(i0, j0)];
    const priorRemainingRow = rowProb - cell;
    const priorRemainingCol = colProb - cell;
    t[at(i0, j0)] = cell + o.correlatedBoost * Math.min(priorRemainingRow, priorRemainingCol);
    const remainingRow = rowProb - t[at(i0, j0)];
    const remainingCol = colProb - t[at(i0, j0)];
    // Scale factors for the rest of row i0 and of column j0 (0/0, an empty rest, leaves them alone).
    const ratio = (remaining: number, prior: number): number => (prior > 0 ? remaining / prior : 1);
    const rowFactor = o.legacyBoostRescale ? ratio(remainingCol, priorRemainingCol) : ratio(remainingRow, priorRemainingRow);
    const colFactor = o.legacyBoostRescale ? ratio(remainingRow, priorRemainingRow) : ratio(remainingCol, priorRemainingCol);
    for (let j = 0; j < n1; j++) if (j !== j0) t[at(i0, j)] *= rowFactor;
    for (let i = 0; i < n0; i++) if (i !== i0) t[at(i, j0)] *= colFactor;

    // Each other row gets its original sum back from its entries outside column j0.
    for (let i = 0; i < n0; i++) {
      if (i === i0) continue;
      const newRow = rowSum(i);
      const adjustable = newRow - t[at(i, j0)];
      if (!(adjustable > 0)) continue;
      const factor = 1 + (originalRowSums[i] - newRow) / adjustable;
      for (let j = 0; j < n1; j++) if (j !== j0) t[at(i, j)] *= factor;
    }
  }

  // 3. One-hot cells.
  const singles0 = new Float64Array(n0);
  const singles1 = new Float64Array(n1);
  const p1h = o.oneHotProbability;
  if (p1h > 0) {
    for (let k = 0; k < t.length; k++) t[k] *= 1 - p1h;
    const sum0 = b0.reduce((a, b) => a + b, 0);
    const sum1 = b1.reduce((a, b) => a + b, 0);
    for (let i = 0; i < n0; i++) singles0[i] = (p1h * (b0[i] / sum0) * n0) / (n0 + n1);
    for (let j = 0; j < n1; j++) singles1[j] = (p1h * (b1[j] / sum1) * n1) / (n0 + n1);
  }

  if (o.legacyBoostRescale) {
    // torch's Categorical normalises whatever it is given.
    let s = 0;
    for (const arr of [t, singles0, singles1]) for (let k = 0; k < arr.length; k++) s += arr[k];
    for (const arr of [t, singles0, singles1]) for (let k = 0; k < arr.length; k++) arr[k] /= s;
  }
  return { setSizes: [n0, n1], pairs: t, singles0, singles1 };
}

/** P(feature active) for each of the n0 + n1 features: row sums (x) and column sums (y) plus the one-hot cells. */
export function composedFeatureMarginals(table: ComposedProbabilityTable): Float64Array {
  const [n0, n1] = table.setSizes;
  const out = new Float64Array(n0 + n1);
  for (let i = 0; i < n0; i++) {
    for (let j = 0; j < n1; j++) {
      const p = table.pairs[i * n1 + j];
      out[i] += p;
      out[n0 + j] += p;
    }
  }
  for (let i = 0; i < n0; i++) out[i] += table.singles0[i];
  for (let j = 0; j < n1; j++) out[n0 + j] += table.singles1[j];
  return out;
}

export interface ComposedFeatureSampler extends FeatureSampler {
  readonly options: ResolvedComposedOptions;
  readonly table: ComposedProbabilityTable;
  /** P(feature active), per feature (index order: set 0, then set 1). */
  readonly firingProbabilities: Float64Array;
  /** Expected number of active features per sample: 2 − p1h. */
  readonly expectedL0: number;
  /** Like `sample`, but writes into `out` (length ≥ batch·nFeatures, overwritten) and returns it. */
  sampleInto(rng: Rng, batch: number, out: Float32Array): Float32Array;
  /**
   * The same draws as `sampleInto`, mapped through w [nFeatures, dOut] (a toy model's input
   * weights) into `out` [batch, dOut]: bit-identical to the Float32 product that adds each
   * non-zero feature's row in feature order (the composed kind's `hiddenOf`), without the
   * [batch, nFeatures] matrix or a branch per feature. Returns `out`.
   */
  sampleEmbeddedInto(rng: Rng, batch: number, w: Float32Array, dOut: number, out: Float32Array): Float32Array;
}

class ComposedSampler implements ComposedFeatureSampler {
  readonly nFeatures: number;
  readonly options: ResolvedComposedOptions;
  readonly table: ComposedProbabilityTable;
  readonly firingProbabilities: Float64Array;
  readonly expectedL0: number;
  /** Cumulative cell probabilities: pair cells (row-major), then set-0 singletons, then set-1 singletons. */
  private readonly cumulative: Float64Array;
  /** Feature index that receives r_0 (slot x) and r_1 (slot y) for each cell; equal for one-hot cells. */
  private readonly slotX: Int32Array;
  private readonly slotY: Int32Array;
  /** 1 for a pair cell, 0 for a one-hot cell. */
  private readonly pairCell: Float64Array;

  constructor(options: ComposedFeatureOptions) {
    this.options = resolveComposedOptions(options);
    this.table = composedProbabilityTable(this.options);
    const [n0, n1] = this.options.setSizes;
    this.nFeatures = n0 + n1;
    this.firingProbabilities = composedFeatureMarginals(this.table);
    let oneHot = 0;
    for (const p of this.table.singles0) oneHot += p;
    for (const p of this.table.singles1) oneHot += p;
    this.expectedL0 = 2 - oneHot;

    const cells = n0 * n1 + n0 + n1;
    const probs = new Float64Array(cells);
    this.slotX = new Int32Array(cells);
    this.slotY = new Int32Array(cells);
    let c = 0;
    for (let i = 0; i < n0; i++) {
      for (let j = 0; j < n1; j++, c++) {
        probs[c] = this.table.pairs[i * n1 + j];
        this.slotX[c] = i;
        this.slotY[c] = n0 + j;
      }
    }
    for (let i = 0; i < n0; i++, c++) {
      probs[c] = this.table.singles0[i];
      this.slotX[c] = this.slotY[c] = i;
    }
    for (let j = 0; j < n1; j++, c++) {
      probs[c] = this.table.singles1[j];
      this.slotX[c] = this.slotY[c] = n0 + j;
    }
    this.pairCell = Float64Array.from(this.slotX, (x, c) => (x === this.slotY[c] ? 0 : 1));
    this.cumulative = new Float64Array(cells);
    let acc = 0;
    for (let k = 0; k < cells; k++) this.cumulative[k] = acc += probs[k];
  }

  sample(rng: Rng, batch: number): Float32Array {
    return this.sampleInto(rng, batch, new Float32Array(batch * this.nFeatures));
  }

  sampleInto(rng: Rng, batch: number, out: Float32Array): Float32Array {
    const n = this.nFeatures;
    if (!Number.isInteger(batch) || batch < 0) throw new Error(`sample: batch must be a non-negative integer, got ${batch}`);
    if (out.length < batch * n) throw new Error(`sampleInto: out has ${out.length} entries, needs ${batch * n}`);
    out.fill(0, 0, batch * n);
    const f = this.options.setMagnitudeCorrelation;
    const { cumulative, slotX, slotY } = this;
    const last = cumulative.length - 1;
    const total = cumulative[last];
    const small = last < SMALL_TABLE;
    for (let b = 0; b < batch; b++) {
      const cell = small ? countAtOrBelow(cumulative, last, rng.uniform() * total) : rng.categorical(cumulative);
      const r0 = rng.uniform();
      const r1 = (1 - f) * rng.uniform() + f * r0;
      const base = b * n;
      out[base + slotX[cell]] = r0;
      out[base + slotY[cell]] = r1; // after r_0: a one-hot feature ends up holding r_1
    }
    return out;
  }

  sampleEmbeddedInto(rng: Rng, batch: number, w: Float32Array, dOut: number, out: Float32Array): Float32Array {
    const n = this.nFeatures;
    if (!Number.isInteger(batch) || batch < 0) throw new Error(`sample: batch must be a non-negative integer, got ${batch}`);
    if (w.length !== n * dOut) throw new Error(`sampleEmbeddedInto: w has ${w.length} entries, expected ${n}×${dOut}`);
    if (out.length < batch * dOut) throw new Error(`sampleEmbeddedInto: out has ${out.length} entries, needs ${batch * dOut}`);
    const f = this.options.setMagnitudeCorrelation;
    const { cumulative, slotX, slotY, pairCell } = this;
    const last = cumulative.length - 1;
    const total = cumulative[last];
    const small = last < SMALL_TABLE;
    const fround = Math.fround;
    // the 2 + 2 sets' four cells: their three boundaries in locals
    const four = last === 3;
    const c0 = cumulative[0],
      c1 = cumulative[1],
      c2 = cumulative[2];
    for (let b = 0; b < batch; b++) {
      let cell: number;
      if (four) {
        const u = rng.uniform() * total;
        cell = Number(c0 <= u) + Number(c1 <= u) + Number(c2 <= u);
      } else cell = small ? countAtOrBelow(cumulative, last, rng.uniform() * total) : rng.categorical(cumulative);
      const r0 = rng.uniform();
      const r1 = (1 - f) * rng.uniform() + f * r0;
      const o = b * dOut;
      // sampleInto's row holds r_0 at slotX and r_1 at slotY (slotX < slotY), or r_1 alone for
      // a one-hot cell; the product adds those rows in feature order, rounding to Float32
      // after each addition as the Float32Array it accumulates in does. A zero feature the
      // product skips adds 0·w = ±0 here, which leaves every value as it was (+0 + −0 = +0).
      // The features are the Float32 values sampleInto would store. A one-hot cell's row
      // holds r_1 alone: it is computed as the pair (0, r_1) on the same row, which gives the
      // same bits (0 + 0·w = +0, then +0 + r_1·w as the product's first addition) without a
      // branch on the cell's kind.
      const v0 = fround(r0) * pairCell[cell];
      const v1 = fround(r1);
      const x = slotX[cell] * dOut;
      const y = slotY[cell] * dOut;
      if (dOut === 2) {
        out[o] = fround(fround(0 + v0 * w[x]) + v1 * w[y]);
        out[o + 1] = fround(fround(0 + v0 * w[x + 1]) + v1 * w[y + 1]);
      } else {
        for (let k = 0; k < dOut; k++) out[o + k] = fround(fround(0 + v0 * w[x + k]) + v1 * w[y + k]);
      }
    }
    return out;
  }
}

/**
 * Tables with fewer cells than this draw their cell by `countAtOrBelow` instead of
 * `Rng.categorical`'s binary search: the 2 + 2 sets have 4 cells, and the search's two
 * branches per draw go either way at random, so most of its time was mispredictions.
 */
const SMALL_TABLE = 16;

/**
 * The cell `Rng.categorical` picks for u = uniform·total: the first k with cumulative[k] > u
 * (the last cell if none). The cumulative table never decreases, so that k is the number of
 * the first `last` entries at or below u — counted without a branch (`Number` of a
 * comparison is 0 or 1). The same draw and the same cell as `categorical`.
 */
function countAtOrBelow(cumulative: Float64Array, last: number, u: number): number {
  let cell = 0;
  for (let k = 0; k < last; k++) cell += Number(cumulative[k] <= u);
  return cell;
}

/** Sampler of composed-feature data (see the module comment). */
export function composedFeatureSampler(options: ComposedFeatureOptions = {}): ComposedFeatureSampler {
  return new ComposedSampler(options);
}

/** The three data conditions of the composed-features blog post (2-d experiment). */
export type ComposedConditionName = "correlated" | "uncorrelated" | "one-hot-75";

/**
 * Options for the 2-d experiment's data conditions, on 2 + 2 feature sets (x1, x2, y1, y2)
 * with the uniform table (.25 per pair):
 * - "correlated": equal amplitudes, f = 1 (data A·(e_xi + e_yj), A ~ U[0, 1));
 * - "uncorrelated": independent amplitudes, f = 0;
 * - "one-hot-75": 75 % of draws are one-hot (p1h = .75: each pair .0625, each single .1875), f = 1.
 * (The original notebooks also set correlated indices (1, 1) with boost 0, which leaves the
 * table unchanged and only served to enable the one-hot block; see composedProbabilityTable.)
 */
export function composedCondition(name: ComposedConditionName): ComposedFeatureOptions {
  const base = { setSizes: [2, 2] as const, baselineWeights: DEFAULT_BASELINE, correlatedPair: null, correlatedBoost: 0 };
  switch (name) {
    case "correlated":
      return { ...base, oneHotProbability: 0, setMagnitudeCorrelation: 1 };
    case "uncorrelated":
      return { ...base, oneHotProbability: 0, setMagnitudeCorrelation: 0 };
    case "one-hot-75":
      return { ...base, oneHotProbability: 0.75, setMagnitudeCorrelation: 1 };
    default: {
      const unknown: never = name;
      throw new Error(`composedCondition: unknown condition ${JSON.stringify(unknown)} (expected "correlated", "uncorrelated" or "one-hot-75")`);
    }
  }
}
