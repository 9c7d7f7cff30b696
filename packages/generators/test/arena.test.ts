import { describe, expect, it } from "vitest";
import { Rng } from "@toy-sae/core/random";
import { ARENA_TMS_PRESET_NAMES, arenaTmsPreset } from "@toy-sae/core/models/arena-tms";
import { arenaBatch, arenaBatchSampler, type ArenaBatchSpec } from "../src/arena.ts";

const N = 100_000;

/** Fraction of samples of instance i in which feature f is non-zero. */
function marginal(x: Float32Array, i: number, f: number, batch: number, F: number): number {
  let on = 0;
  for (let s = 0; s < batch; s++) if (x[(i * batch + s) * F + f] !== 0) on++;
  return on / batch;
}

/** Fraction of samples of instance i in which features f and g are both non-zero. */
function joint(x: Float32Array, i: number, f: number, g: number, batch: number, F: number): number {
  let on = 0;
  for (let s = 0; s < batch; s++) if (x[(i * batch + s) * F + f] !== 0 && x[(i * batch + s) * F + g] !== 0) on++;
  return on / batch;
}

/** |empirical − p| in binomial standard errors. */
function z(freq: number, p: number, n: number): number {
  return p === 0 || p === 1 ? (freq === p ? 0 : Infinity) : Math.abs(freq - p) / Math.sqrt((p * (1 - p)) / n);
}

/** p = base^−linspace(from, to, 5), the originals' pair sweeps. */
const sweep = (base: number, from: number, to: number): number[] => [0, 1, 2, 3, 4].map((k) => base ** -(from + ((to - from) * k) / 4));

describe("ARENA independent features", () => {
  it("keeps each feature with its instance's probability (within 0.002 on 100k samples) and lays instances out [I, B, F]", () => {
    const p = [1, 0.5, 0.1, 0.02, 0];
    const F = 3;
    const x = arenaBatch({ instances: 5, nFeatures: F, featureProbability: p }, N, new Rng(11));
    expect(x.length).toBe(5 * N * F);
    for (let i = 0; i < 5; i++) {
      for (let f = 0; f < F; f++) {
        const freq = marginal(x, i, f, N, F);
        expect(Math.abs(freq - p[i]), `instance ${i} feature ${f}`).toBeLessThan(0.002);
        expect(z(freq, p[i], N)).toBeLessThan(4);
      }
    }
    // p = 1: every entry of instance 0's block is a U[0, 1) magnitude; p = 0: instance 4's block is all zeros
    expect(x.subarray(0, N * F).every((v) => v > 0 && v < 1)).toBe(true);
    expect(x.subarray(4 * N * F).every((v) => v === 0)).toBe(true);
  });

  it("takes a per-instance-and-feature probability table [I, F]", () => {
    const x = arenaBatch({ instances: 2, nFeatures: 2, featureProbability: [0.3, 0.05, 0.01, 0.2] }, N, new Rng(5));
    expect(Math.abs(marginal(x, 0, 0, N, 2) - 0.3)).toBeLessThan(0.006);
    expect(Math.abs(marginal(x, 0, 1, N, 2) - 0.05)).toBeLessThan(0.002);
    expect(Math.abs(marginal(x, 1, 0, N, 2) - 0.01)).toBeLessThan(0.002);
    expect(Math.abs(marginal(x, 1, 1, N, 2) - 0.2)).toBeLessThan(0.005);
  });

  it("draws U[0,1) magnitudes, clip(0.5 + 0.2·N(0,1), 0, 1) for 'normal' and U[−1,1) for 'signed'", () => {
    const spec = (magnitude: ArenaBatchSpec["magnitude"]): ArenaBatchSpec => ({ instances: 1, nFeatures: 1, featureProbability: [1], magnitude });
    const uniform = arenaBatch(spec("uniform"), N, new Rng(1));
    const mean = (a: Float32Array) => a.reduce((s, v) => s + v, 0) / a.length;
    expect(mean(uniform)).toBeCloseTo(0.5, 2);
    expect(uniform.every((v) => v >= 0 && v < 1)).toBe(true);

    const normal = arenaBatch(spec("normal"), N, new Rng(2));
    // P(0.5 + 0.2Z ≤ 0) = Φ(−2.5) = 0.00621, the same mass is clipped to 1; mean stays 0.5 by symmetry
    const zeros = normal.filter((v) => v === 0).length / N;
    const ones = normal.filter((v) => v === 1).length / N;
    expect(Math.abs(zeros - 0.00621)).toBeLessThan(0.0015);
    expect(Math.abs(ones - 0.00621)).toBeLessThan(0.0015);
    expect(mean(normal)).toBeCloseTo(0.5, 2);
    const sd = Math.sqrt(normal.reduce((s, v) => s + (v - 0.5) ** 2, 0) / N);
    expect(sd).toBeGreaterThan(0.19); // clipping trims the 0.2 standard deviation only slightly
    expect(sd).toBeLessThan(0.2);

    const signed = arenaBatch(spec("signed"), N, new Rng(3));
    expect(signed.every((v) => v >= -1 && v < 1)).toBe(true);
    expect(mean(signed)).toBeCloseTo(0, 2);
    expect(signed.filter((v) => v < 0).length / N).toBeCloseTo(0.5, 2);
  });

  it("is deterministic for a seed", () => {
    const spec: ArenaBatchSpec = { instances: 2, nFeatures: 6, featureProbability: [0.3, 0.1], nCorrelatedPairs: 1, nAnticorrelatedPairs: 1 };
    expect(Array.from(arenaBatch(spec, 50, new Rng(9)))).toEqual(Array.from(arenaBatch(spec, 50, new Rng(9))));
  });
});

describe("ARENA correlated and anticorrelated pairs", () => {
  it("correlated pairs (the original's 400^−linspace(.5,1,5) sweep): both on or both off, marginals within 0.002", () => {
    const p = sweep(400, 0.5, 1);
    const x = arenaBatch({ instances: 5, nFeatures: 4, featureProbability: p, nCorrelatedPairs: 2 }, N, new Rng(21));
    for (let i = 0; i < 5; i++) {
      for (let f = 0; f < 4; f++) expect(Math.abs(marginal(x, i, f, N, 4) - p[i]), `instance ${i} feature ${f}`).toBeLessThan(0.002);
      for (const [a, b] of [
        [0, 1],
        [2, 3],
      ]) {
        expect(joint(x, i, a, b, N, 4)).toBe(marginal(x, i, a, N, 4)); // together, always
      }
    }
  });

  it("correlated pairs share their presence but not their magnitudes", () => {
    const x = arenaBatch({ instances: 1, nFeatures: 2, featureProbability: [1], nCorrelatedPairs: 1 }, N, new Rng(4));
    let sa = 0,
      sb = 0,
      sab = 0,
      saa = 0,
      sbb = 0;
    for (let s = 0; s < N; s++) {
      const a = x[2 * s],
        b = x[2 * s + 1];
      sa += a;
      sb += b;
      sab += a * b;
      saa += a * a;
      sbb += b * b;
    }
    const cov = sab / N - (sa / N) * (sb / N);
    const corr = cov / Math.sqrt((saa / N - (sa / N) ** 2) * (sbb / N - (sb / N) ** 2));
    expect(Math.abs(corr)).toBeLessThan(0.015); // 100k independent pairs: sd of the estimate ≈ 0.003
  });

  it("anticorrelated pairs, S form (the original's 10^−linspace(.5,1,5) sweep): never together, marginals p", () => {
    const p = sweep(10, 0.5, 1);
    const x = arenaBatch({ instances: 5, nFeatures: 4, featureProbability: p, nAnticorrelatedPairs: 2 }, N, new Rng(31));
    for (let i = 0; i < 5; i++) {
      // per entry 0.002 is only 1.4 standard errors at p = 0.32, so each entry gets a 4σ bound
      for (let f = 0; f < 4; f++) expect(z(marginal(x, i, f, N, 4), p[i], N), `instance ${i} feature ${f}`).toBeLessThan(4);
      expect(joint(x, i, 0, 1, N, 4)).toBe(0);
      expect(joint(x, i, 2, 3, N, 4)).toBe(0);
    }
  });

  it("the original's self-check: 30 instances at 10^−linspace(.5,1,30), one pair of each kind, mean |marginal − p| < 0.002", () => {
    const I = 30;
    const p = Array.from({ length: I }, (_, k) => 10 ** -(0.5 + (0.5 * k) / (I - 1)));
    const x = arenaBatch({ instances: I, nFeatures: 4, featureProbability: p, nCorrelatedPairs: 1, nAnticorrelatedPairs: 1 }, N, new Rng(61));
    for (let f = 0; f < 4; f++) {
      let deviation = 0;
      for (let i = 0; i < I; i++) deviation += Math.abs(marginal(x, i, f, N, 4) - p[i]) / I;
      expect(deviation, `feature ${f}`).toBeLessThan(0.002);
    }
    for (let i = 0; i < I; i++) {
      expect(joint(x, i, 0, 1, N, 4)).toBe(marginal(x, i, 0, N, 4));
      expect(joint(x, i, 2, 3, N, 4)).toBe(0);
    }
  });

  it("anticorrelated S form at p = ½: exactly one feature of the pair is on (up to the measure-zero tie)", () => {
    const x = arenaBatch({ instances: 1, nFeatures: 2, featureProbability: [0.5], nAnticorrelatedPairs: 1 }, N, new Rng(8));
    let exactlyOne = 0;
    for (let s = 0; s < N; s++) if ((x[2 * s] !== 0) !== (x[2 * s + 1] !== 0)) exactlyOne++;
    expect(exactlyOne).toBe(N);
    expect(z(marginal(x, 0, 0, N, 2), 0.5, N)).toBeLessThan(4);
  });

  it("anticorrelated OLD form: the pair fires w.p. 2p, one of the two 50/50; marginals p, never together", () => {
    const p = [0.3, 0.1, 0.02];
    const x = arenaBatch({ instances: 3, nFeatures: 2, featureProbability: p, nAnticorrelatedPairs: 1, anticorrelationForm: "old" }, N, new Rng(41));
    for (let i = 0; i < 3; i++) {
      const m0 = marginal(x, i, 0, N, 2),
        m1 = marginal(x, i, 1, N, 2);
      expect(z(m0, p[i], N)).toBeLessThan(4);
      expect(z(m1, p[i], N)).toBeLessThan(4);
      expect(z(m0 + m1, 2 * p[i], N)).toBeLessThan(4);
      expect(joint(x, i, 0, 1, N, 2)).toBe(0);
    }
  });

  it("orders columns: correlated pairs, then anticorrelated pairs, then the independent rest", () => {
    const p = 0.3;
    const x = arenaBatch({ instances: 1, nFeatures: 7, featureProbability: [p], nCorrelatedPairs: 1, nAnticorrelatedPairs: 1 }, N, new Rng(51));
    expect(joint(x, 0, 0, 1, N, 7)).toBe(marginal(x, 0, 0, N, 7)); // columns 0, 1: correlated
    expect(joint(x, 0, 2, 3, N, 7)).toBe(0); // columns 2, 3: anticorrelated
    // columns 4–6 independent: co-occur at p², and not with the pairs more than chance
    for (const [a, b] of [
      [4, 5],
      [5, 6],
      [0, 4],
      [2, 6],
    ]) {
      expect(z(joint(x, 0, a, b, N, 7), p * p, N), `columns ${a}, ${b}`).toBeLessThan(4);
    }
    // a correlated and an anticorrelated column are independent too
    expect(z(joint(x, 0, 1, 3, N, 7), p * p, N)).toBeLessThan(4);
  });
});

describe("ARENA batch spec errors", () => {
  const base: ArenaBatchSpec = { instances: 2, nFeatures: 4, featureProbability: [0.4, 0.2] };
  it("rejects anticorrelated pairs with p > 0.5, in both forms", () => {
    for (const form of ["s", "old"] as const) {
      expect(() => arenaBatch({ ...base, featureProbability: [0.4, 0.6], nAnticorrelatedPairs: 1, anticorrelationForm: form }, 4, new Rng(1))).toThrow(/p ≤ 0.5/);
    }
    // p = 0.5 is the edge the original allows; correlated pairs accept any p
    expect(() => arenaBatch({ ...base, featureProbability: [0.5, 0.5], nAnticorrelatedPairs: 1 }, 4, new Rng(1))).not.toThrow();
    expect(() => arenaBatch({ ...base, featureProbability: [1, 0.9], nCorrelatedPairs: 2 }, 4, new Rng(1))).not.toThrow();
  });

  it("rejects probabilities outside [0, 1], a wrong length, unequal p within an instance with pairs, and too many pairs", () => {
    expect(() => arenaBatch({ ...base, featureProbability: [1.2, 0.1] }, 4, new Rng(1))).toThrow(/\[0, 1\]/);
    expect(() => arenaBatch({ ...base, featureProbability: [-0.1, 0.1] }, 4, new Rng(1))).toThrow(/\[0, 1\]/);
    expect(() => arenaBatch({ ...base, featureProbability: [0.1, 0.1, 0.1] }, 4, new Rng(1))).toThrow(/expected 2/);
    const perFeature = [0.1, 0.1, 0.2, 0.1, 0.3, 0.3, 0.3, 0.3];
    expect(() => arenaBatch({ ...base, featureProbability: perFeature }, 4, new Rng(1))).not.toThrow();
    expect(() => arenaBatch({ ...base, featureProbability: perFeature, nCorrelatedPairs: 1 }, 4, new Rng(1))).toThrow(/same p/);
    expect(() => arenaBatch({ ...base, nCorrelatedPairs: 2, nAnticorrelatedPairs: 1 }, 4, new Rng(1))).toThrow(/need 6 features/);
    expect(() => arenaBatchSampler({ ...base, nCorrelatedPairs: 0.5 })).toThrow(/integer/);
  });
});

describe("ARENA presets as batch specs", () => {
  it("every preset of @toy-sae/core/models/arena-tms is a valid spec (its fields are the generator's)", () => {
    for (const name of ARENA_TMS_PRESET_NAMES) {
      const preset = arenaTmsPreset(name);
      const x = arenaBatchSampler(preset)(64, new Rng(1));
      expect(x.length, name).toBe(preset.instances * 64 * preset.nFeatures);
      if (preset.magnitude === "signed")
        expect(
          x.some((v) => v < 0),
          name,
        ).toBe(true);
      else
        expect(
          x.every((v) => v >= 0),
          name,
        ).toBe(true);
    }
    const anti = arenaTmsPreset("anticorrelated-2-pairs");
    const x = arenaBatchSampler(anti)(N, new Rng(2));
    for (let i = 0; i < anti.instances; i++) {
      expect(joint(x, i, 0, 1, N, 4)).toBe(0);
      expect(z(marginal(x, i, 0, N, 4), anti.featureProbability[i], N)).toBeLessThan(4);
    }
  });
});
