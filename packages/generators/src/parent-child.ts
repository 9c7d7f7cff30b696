/**
 * The feature-hedging paper's small-toy data (chanind/feature-hedging-paper
 * `toy_models/get_training_batch.py` and the single-latent notebook; reference §2.1):
 *
 *   firing f ~ Bernoulli(p_i) independently  →  modifier(f)  →  x_i = ReLU(f_i·μ_i + δ_i),
 *   δ_i ~ N(0, σ_i) where f_i = 1, 0 elsewhere.
 *
 * With σ = 0 (the default) a firing feature is exactly μ (default 1). There is no
 * correlation option. The modifiers act on the binary firing mask before the magnitudes:
 *
 *   suppress(dom, sup)           dom firing zeroes every sup;
 *   absorption([(parent, child)]) child firing forces parent on;
 *   childOnlyWithParent(p, c)     c is zeroed where p is off (the notebook's `modify_feats`);
 *   partialCooccurrence(p, c, s)  where p is off, c is redrawn Bernoulli(s) (the notebook's
 *                                 `partial_cooccurence`), so c fires with its own p_c given p
 *                                 and with s without it.
 *
 * The original's hard-coded `mutually_exclusive_features` (features 0–5, rows with fewer than
 * three firings zeroed) is not used by any hedging notebook and is not reproduced.
 */
import type { Rng } from "@toy-sae/core/random";
import type { FeatureSampler } from "@toy-sae/core/sampler";

/** Rewrites the [batch, nFeatures] 0/1 firing mask in place (may draw from `rng`). */
export type FiringModifier = (firing: Uint8Array, batch: number, nFeatures: number, rng: Rng) => void;

function checkFeature(what: string, index: number, nFeatures: number): void {
  if (!(Number.isInteger(index) && index >= 0 && index < nFeatures)) {
    throw new Error(`${what}: feature ${index} is not in [0, ${nFeatures})`);
  }
}

/** If `dominant` fires, every feature in `suppressed` is set silent (the original `suppress_features`). */
export function suppressFeatures(dominant: number, suppressed: readonly number[]): FiringModifier {
  return (firing, batch, n) => {
    checkFeature("suppressFeatures", dominant, n);
    for (const s of suppressed) checkFeature("suppressFeatures", s, n);
    for (let b = 0; b < batch; b++) {
      if (!firing[b * n + dominant]) continue;
      for (const s of suppressed) firing[b * n + s] = 0;
    }
  };
}

/** For each (parent, child) in order: where the child fires, the parent fires too (the original `absorption`). */
export function absorption(pairs: ReadonlyArray<readonly [parent: number, child: number]>): FiringModifier {
  return (firing, batch, n) => {
    for (const [parent, child] of pairs) {
      checkFeature("absorption", parent, n);
      checkFeature("absorption", child, n);
      for (let b = 0; b < batch; b++) if (firing[b * n + child]) firing[b * n + parent] = 1;
    }
  };
}

/** The child is zeroed wherever the parent is silent (the single-latent notebook's parent/child modifier). */
export function childOnlyWithParent(parent: number, child: number): FiringModifier {
  return (firing, batch, n) => {
    checkFeature("childOnlyWithParent", parent, n);
    checkFeature("childOnlyWithParent", child, n);
    for (let b = 0; b < batch; b++) if (!firing[b * n + parent]) firing[b * n + child] = 0;
  };
}

/** Where the parent is silent, the child is redrawn Bernoulli(soloProbability) (the notebook's partial co-occurrence). */
export function partialCooccurrence(parent: number, child: number, soloProbability: number): FiringModifier {
  if (!(soloProbability >= 0 && soloProbability <= 1)) throw new Error(`partialCooccurrence: soloProbability must be in [0, 1], got ${soloProbability}`);
  return (firing, batch, n, rng) => {
    checkFeature("partialCooccurrence", parent, n);
    checkFeature("partialCooccurrence", child, n);
    for (let b = 0; b < batch; b++) {
      if (!firing[b * n + parent]) firing[b * n + child] = rng.uniform() < soloProbability ? 1 : 0;
    }
  };
}

/** The modifiers applied one after another (the original `chain_modifiers`). */
export function chainModifiers(modifiers: readonly FiringModifier[]): FiringModifier {
  return (firing, batch, n, rng) => {
    for (const m of modifiers) m(firing, batch, n, rng);
  };
}

export interface HedgingFeatureOptions {
  /** p_i, the independent firing probability of feature i (before the modifier). */
  firingProbabilities: ArrayLike<number>;
  /** μ: one number or one per feature. Default 1. */
  magnitudeMean?: number | ArrayLike<number>;
  /** σ: one number or one per feature. Default 0. */
  magnitudeStd?: number | ArrayLike<number>;
  modifier?: FiringModifier | null;
}

export interface HedgingFeatureSampler extends FeatureSampler {
  readonly firingProbabilities: Float64Array;
  readonly magnitudeMean: Float64Array;
  readonly magnitudeStd: Float64Array;
  /** Like `sample`, but writes into `out` (length ≥ batch·nFeatures, overwritten) and returns it. */
  sampleInto(rng: Rng, batch: number, out: Float32Array): Float32Array;
}

function perFeature(value: number | ArrayLike<number>, n: number, what: string, min = -Infinity): Float64Array {
  const out = typeof value === "number" ? new Float64Array(n).fill(value) : Float64Array.from(value);
  if (out.length !== n) throw new Error(`hedgingFeatureSampler: ${what} has ${out.length} entries, expected one per feature (${n})`);
  out.forEach((v, i) => {
    if (!(Number.isFinite(v) && v >= min)) throw new Error(`hedgingFeatureSampler: ${what}[${i}] must be a finite number ≥ ${min}, got ${v}`);
  });
  return out;
}

class IndependentSampler implements HedgingFeatureSampler {
  readonly nFeatures: number;
  readonly firingProbabilities: Float64Array;
  readonly magnitudeMean: Float64Array;
  readonly magnitudeStd: Float64Array;
  private readonly modifier: FiringModifier | null;
  private firing = new Uint8Array(0);

  constructor(options: HedgingFeatureOptions) {
    const n = options.firingProbabilities.length;
    this.nFeatures = n;
    this.firingProbabilities = Float64Array.from(options.firingProbabilities);
    this.firingProbabilities.forEach((p, i) => {
      if (!(p >= 0 && p <= 1)) throw new Error(`hedgingFeatureSampler: firingProbabilities[${i}] must be in [0, 1], got ${p}`);
    });
    this.magnitudeMean = perFeature(options.magnitudeMean ?? 1, n, "magnitudeMean");
    this.magnitudeStd = perFeature(options.magnitudeStd ?? 0, n, "magnitudeStd", 0);
    this.modifier = options.modifier ?? null;
  }

  sample(rng: Rng, batch: number): Float32Array {
    return this.sampleInto(rng, batch, new Float32Array(batch * this.nFeatures));
  }

  sampleInto(rng: Rng, batch: number, out: Float32Array): Float32Array {
    const n = this.nFeatures;
    if (!Number.isInteger(batch) || batch < 0) throw new Error(`sample: batch must be a non-negative integer, got ${batch}`);
    if (out.length < batch * n) throw new Error(`sampleInto: out has ${out.length} entries, needs ${batch * n}`);
    if (this.firing.length < batch * n) this.firing = new Uint8Array(batch * n);
    const firing = this.firing;
    const p = this.firingProbabilities;
    for (let b = 0; b < batch; b++) for (let i = 0; i < n; i++) firing[b * n + i] = rng.uniform() < p[i] ? 1 : 0;
    this.modifier?.(firing, batch, n, rng);
    const { magnitudeMean: mean, magnitudeStd: std } = this;
    for (let e = 0; e < batch * n; e++) {
      const i = e % n;
      if (!firing[e]) {
        out[e] = 0;
        continue;
      }
      // the original draws δ for every entry and zeroes it where silent: same distribution
      const m = std[i] > 0 ? mean[i] + std[i] * rng.normal() : mean[i];
      out[e] = m > 0 ? m : 0;
    }
    return out;
  }
}

/** Independent Bernoulli features, an optional firing modifier, magnitudes ReLU(f·μ + δ). */
export function hedgingFeatureSampler(options: HedgingFeatureOptions): HedgingFeatureSampler {
  return new IndependentSampler(options);
}

/** The single-latent notebook's datasets (feature 0 = parent, feature 1 = child). */
export type HedgingDatasetName = "independent" | "parent-child" | "correlated" | "anti-correlated";

/**
 * - independent: p = [.25, .2], no modifier;
 * - parent-child: p = [.25, .2], the child zeroed where the parent is off (P(parent only) = .2,
 *   P(both) = .05, the child never alone);
 * - correlated, "(a)": p = [.25, .2], child redrawn Bernoulli(.1) where the parent is off;
 * - anti-correlated, "(b)": p = [.25, .1], child redrawn Bernoulli(.2) where the parent is off.
 */
export function hedgingDataset(name: HedgingDatasetName): HedgingFeatureOptions {
  switch (name) {
    case "independent":
      return { firingProbabilities: [0.25, 0.2] };
    case "parent-child":
      return { firingProbabilities: [0.25, 0.2], modifier: childOnlyWithParent(0, 1) };
    case "correlated":
      return { firingProbabilities: [0.25, 0.2], modifier: partialCooccurrence(0, 1, 0.1) };
    case "anti-correlated":
      return { firingProbabilities: [0.25, 0.1], modifier: partialCooccurrence(0, 1, 0.2) };
  }
}
