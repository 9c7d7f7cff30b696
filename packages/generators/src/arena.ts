/**
 * The batch generators of ARENA's "Toy Models of Superposition" exercises (chapter 1.3.1,
 * formerly 1.4; reference arena-toy-models.md §1), with the instance axis of the original:
 * every instance draws its own batch with its own feature probability p.
 *
 * Output layout: one Float32Array [I, B, F], instance-major (instance i's batch is the
 * contiguous block i·B·F … (i+1)·B·F), the form the ARENA toy-model kernels take.
 *
 * Columns (as the original concatenates them): the correlated pairs, then the anticorrelated
 * pairs, then the independent ("uncorrelated") features; the two features of a pair are
 * adjacent (columns 2k and 2k + 1 of their block).
 *
 * - independent: magnitude kept where an independent uniform ≤ p, else 0;
 * - correlated pair: one uniform per pair, both features on iff it is ≤ p; the two
 *   magnitudes are independent;
 * - anticorrelated pair, S form (current ARENA): one uniform s per pair; the first feature is
 *   on iff s ≤ p, the second iff 1 − s ≤ p, so each has marginal p and (for p ≤ ½, the
 *   original's assertion) they never co-occur;
 * - anticorrelated pair, OLD form (ARENA 1.4): the pair is active w.p. 2p, then one of its
 *   two features is picked 50/50 (again marginal p, never both).
 *
 * Magnitudes: U[0, 1) (default); "normal": clip(0.5 + 0.2·N(0, 1), 0, 1) (the original's
 * option); "signed": U[−1, 1) (the computation-in-superposition model's inputs).
 *
 * The original draws every magnitude and then masks it; we draw a magnitude only for a
 * feature that is on — the same distribution, with fewer random numbers.
 */
import type { Rng } from "@toy-sae/core/random";

export type ArenaMagnitude = "uniform" | "normal" | "signed";
export type AnticorrelationForm = "s" | "old";

export interface ArenaBatchSpec {
  instances: number;
  nFeatures: number;
  /**
   * p per instance (length I), or per instance and feature (length I·F, row-major [I, F],
   * the original's broadcast `feature_probability`). Pairs need one p per instance: the
   * original asserts that every feature of an instance has the same p when pairs exist.
   */
  featureProbability: ArrayLike<number>;
  /** Correlated pairs, in columns 0 … 2·nCorrelatedPairs − 1. Default 0. */
  nCorrelatedPairs?: number;
  /** Anticorrelated pairs, in the next 2·nAnticorrelatedPairs columns. Default 0. */
  nAnticorrelatedPairs?: number;
  /** Default "uniform". */
  magnitude?: ArenaMagnitude;
  /** Default "s" (current ARENA); "old" is ARENA 1.4's. */
  anticorrelationForm?: AnticorrelationForm;
}

/** The spec with defaults filled in and p expanded to [I, F]. */
interface ResolvedSpec {
  instances: number;
  nFeatures: number;
  p: Float64Array;
  nCorrelatedPairs: number;
  nAnticorrelatedPairs: number;
  magnitude: ArenaMagnitude;
  anticorrelationForm: AnticorrelationForm;
}

function checkCount(value: number, what: string, min: number): void {
  if (!Number.isInteger(value) || value < min) throw new Error(`arenaBatch: ${what} must be an integer ≥ ${min}, got ${value}`);
}

function resolve(spec: ArenaBatchSpec): ResolvedSpec {
  const { instances: I, nFeatures: F } = spec;
  checkCount(I, "instances", 1);
  checkCount(F, "nFeatures", 1);
  const nCorrelatedPairs = spec.nCorrelatedPairs ?? 0;
  const nAnticorrelatedPairs = spec.nAnticorrelatedPairs ?? 0;
  checkCount(nCorrelatedPairs, "nCorrelatedPairs", 0);
  checkCount(nAnticorrelatedPairs, "nAnticorrelatedPairs", 0);
  if (2 * (nCorrelatedPairs + nAnticorrelatedPairs) > F) {
    throw new Error(
      `arenaBatch: ${nCorrelatedPairs} correlated and ${nAnticorrelatedPairs} anticorrelated pairs need ${2 * (nCorrelatedPairs + nAnticorrelatedPairs)} features, only ${F} given`,
    );
  }
  const given = spec.featureProbability;
  if (given.length !== I && given.length !== I * F) {
    throw new Error(`arenaBatch: featureProbability has ${given.length} entries, expected ${I} (per instance) or ${I * F} (per instance and feature)`);
  }
  const p = new Float64Array(I * F);
  for (let i = 0; i < I; i++) {
    for (let f = 0; f < F; f++) {
      const v = given.length === I ? given[i] : given[i * F + f];
      if (!(v >= 0 && v <= 1)) throw new Error(`arenaBatch: feature probability of instance ${i}, feature ${f} must be in [0, 1], got ${v}`);
      p[i * F + f] = v;
    }
  }
  const anticorrelationForm = spec.anticorrelationForm ?? "s";
  if (nCorrelatedPairs + nAnticorrelatedPairs > 0) {
    for (let i = 0; i < I; i++) {
      for (let f = 1; f < F; f++) {
        if (p[i * F + f] !== p[i * F]) {
          throw new Error(`arenaBatch: with correlated or anticorrelated pairs every feature of an instance needs the same p; instance ${i} has ${p[i * F]} and ${p[i * F + f]}`);
        }
      }
      // both forms give marginals p only when 2p ≤ 1 (S: s ≤ p and 1 − s ≤ p must not overlap)
      if (nAnticorrelatedPairs > 0 && p[i * F] > 0.5) {
        throw new Error(`arenaBatch: anticorrelated pairs need p ≤ 0.5, instance ${i} has p = ${p[i * F]}`);
      }
    }
  }
  return {
    instances: I,
    nFeatures: F,
    p,
    nCorrelatedPairs,
    nAnticorrelatedPairs,
    magnitude: spec.magnitude ?? "uniform",
    anticorrelationForm,
  };
}

/** One magnitude of the chosen distribution. */
export function arenaMagnitude(rng: Rng, kind: ArenaMagnitude): number {
  if (kind === "uniform") return rng.uniform();
  if (kind === "signed") return rng.uniformIn(-1, 1);
  const m = 0.5 + 0.2 * rng.normal();
  return m < 0 ? 0 : m > 1 ? 1 : m;
}

/**
 * A fresh [I, B, F] batch. Validates the spec on every call; for a training loop,
 * `arenaBatchSampler` validates once.
 */
export function arenaBatch(spec: ArenaBatchSpec, batch: number, rng: Rng): Float32Array {
  return arenaBatchSampler(spec)(batch, rng);
}

/** A sampler bound to a validated spec: (batch, rng) → [I, B, F]. */
export function arenaBatchSampler(spec: ArenaBatchSpec): (batch: number, rng: Rng, out?: Float32Array) => Float32Array {
  const r = resolve(spec);
  const { instances: I, nFeatures: F, p, nCorrelatedPairs: nc, nAnticorrelatedPairs: na, magnitude } = r;
  const old = r.anticorrelationForm === "old";
  const anticorrStart = 2 * nc;
  const independentStart = 2 * (nc + na);
  return (batch, rng, out) => {
    checkCount(batch, "batch", 0);
    const x = out ?? new Float32Array(I * batch * F);
    if (x.length < I * batch * F) throw new Error(`arenaBatch: out has ${x.length} entries, needs ${I * batch * F}`);
    x.fill(0, 0, I * batch * F);
    for (let i = 0; i < I; i++) {
      const pi = p[i * F]; // pairs share the instance's single p (checked in resolve)
      for (let s = 0; s < batch; s++) {
        const row = (i * batch + s) * F;
        for (let k = 0; k < nc; k++) {
          if (rng.uniform() <= pi) {
            x[row + 2 * k] = arenaMagnitude(rng, magnitude);
            x[row + 2 * k + 1] = arenaMagnitude(rng, magnitude);
          }
        }
        for (let k = 0; k < na; k++) {
          const c = row + anticorrStart + 2 * k;
          if (old) {
            if (rng.uniform() <= 2 * pi) x[c + (rng.uniform() <= 0.5 ? 0 : 1)] = arenaMagnitude(rng, magnitude);
          } else {
            const u = rng.uniform();
            if (u <= pi) x[c] = arenaMagnitude(rng, magnitude);
            if (1 - u <= pi) x[c + 1] = arenaMagnitude(rng, magnitude);
          }
        }
        for (let f = independentStart; f < F; f++) {
          if (rng.uniform() <= p[i * F + f]) x[row + f] = arenaMagnitude(rng, magnitude);
        }
      }
    }
    return x;
  };
}
