import { describe, it, expect } from "vitest";
import { Rng } from "@toy-sae/core/random";
import { composedCondition, composedFeatureMarginals, composedFeatureSampler, composedProbabilityTable, type ComposedFeatureOptions } from "../src/composed.ts";

function expectArrayClose(actual: ArrayLike<number>, expected: number[], digits = 14): void {
  expect(actual.length).toBe(expected.length);
  for (let k = 0; k < expected.length; k++) expect(actual[k], `entry ${k}`).toBeCloseTo(expected[k], digits);
}

/** |observed − p| in standard errors of a frequency over `n` draws. */
function zScore(count: number, n: number, p: number): number {
  return Math.abs(count / n - p) / Math.sqrt((p * (1 - p)) / n);
}

function pearson(xs: number[], ys: number[]): number {
  const n = xs.length;
  const mx = xs.reduce((a, b) => a + b, 0) / n;
  const my = ys.reduce((a, b) => a + b, 0) / n;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let k = 0; k < n; k++) {
    sxy += (xs[k] - mx) * (ys[k] - my);
    sxx += (xs[k] - mx) ** 2;
    syy += (ys[k] - my) ** 2;
  }
  return sxy / Math.sqrt(sxx * syy);
}

describe("composedProbabilityTable", () => {
  it("is uniform by default: .25 (2×2), .0625 (4×4), .015625 (8×8), no one-hot cells", () => {
    for (const [n, p] of [
      [2, 0.25],
      [4, 0.0625],
      [8, 0.015625],
    ]) {
      const t = composedProbabilityTable({ setSizes: [n, n] });
      expectArrayClose(t.pairs, new Array<number>(n * n).fill(p), 16);
      expect(Array.from(t.singles0)).toEqual(new Array<number>(n).fill(0));
      expect(Array.from(t.singles1)).toEqual(new Array<number>(n).fill(0));
    }
  });

  it("non-uniform baseline weights give T ∝ b0_i·b1_j", () => {
    // b0 = [1, 3], b1 = [1, 1]: the products 1,1,3,3 over their sum 8.
    const t = composedProbabilityTable({
      baselineWeights: [
        [1, 3],
        [1, 1],
      ],
    });
    expectArrayClose(t.pairs, [1 / 8, 1 / 8, 3 / 8, 3 / 8]);
  });

  it("boosts a pair and keeps row and column sums (2×2, boost .5 at (0,0))", () => {
    // T = .25 everywhere; row = column = .5; min remaining = .25; T00 = .25 + .5·.25 = .375.
    // Remaining .125 of row 0 and column 0: T01 = T10 = .25·(.125/.25) = .125.
    // Row 1 restores its sum .5 from T11: .5 − .125 = .375.
    const t = composedProbabilityTable({ correlatedPair: [0, 0], correlatedBoost: 0.5 });
    expectArrayClose(t.pairs, [0.375, 0.125, 0.125, 0.375]);
  });

  it("boost 1 on a 4×4 table ties x1 and y2 completely", () => {
    // T = 1/16; row = col = 1/4; T[1,2] = 1/16 + 3/16 = 1/4, the rest of row 1 and column 2 → 0.
    // Each other row had 1/4 and keeps 3 cells outside column 2: 1/12 each.
    const t = composedProbabilityTable({ setSizes: [4, 4], correlatedPair: [1, 2], correlatedBoost: 1 });
    const third = 1 / 12;
    expectArrayClose(t.pairs, [third, third, 0, third, 0, 0, 0.25, 0, third, third, 0, third, third, third, 0, third]);
    expectArrayClose(composedFeatureMarginals(t), new Array<number>(8).fill(0.25));
  });

  it("one-hot cells: pairs ×(1 − p1h), singletons p1h·(b_i/Σb)·n_set/(n0 + n1)", () => {
    // Boost .5 at (0,0) then p1h = .2: pairs .8·[.375, .125, .125, .375]; singles .2·.5·.5 = .05.
    const t = composedProbabilityTable({ correlatedPair: [0, 0], correlatedBoost: 0.5, oneHotProbability: 0.2 });
    expectArrayClose(t.pairs, [0.3, 0.1, 0.1, 0.3]);
    expectArrayClose(t.singles0, [0.05, 0.05]);
    expectArrayClose(t.singles1, [0.05, 0.05]);
    // x0 active: .3 + .1 + .05.
    expectArrayClose(composedFeatureMarginals(t), [0.45, 0.45, 0.45, 0.45]);
  });

  it("one-hot works without a correlated pair, and follows the baseline weights", () => {
    // b0 = [1, 3], b1 = [1, 1], p1h = .5: pairs .5·[1,1,3,3]/8; x singles .5·(1/4 or 3/4)·2/4;
    // y singles .5·(1/2)·2/4 = 1/8.
    const t = composedProbabilityTable({
      baselineWeights: [
        [1, 3],
        [1, 1],
      ],
      oneHotProbability: 0.5,
    });
    expectArrayClose(t.pairs, [1 / 16, 1 / 16, 3 / 16, 3 / 16]);
    expectArrayClose(t.singles0, [1 / 16, 3 / 16]);
    expectArrayClose(t.singles1, [1 / 8, 1 / 8]);
  });

  it("the one-hot-75 condition: pairs .0625, singletons .1875", () => {
    const t = composedProbabilityTable(composedCondition("one-hot-75"));
    expectArrayClose(t.pairs, [0.0625, 0.0625, 0.0625, 0.0625]);
    expectArrayClose(t.singles0, [0.1875, 0.1875]);
    expectArrayClose(t.singles1, [0.1875, 0.1875]);
  });

  it("non-square boost: marginals kept by default; legacyBoostRescale reproduces the original", () => {
    // 2×3, T = 1/6; boost 1 at (0,0): row 1/2, column 1/3, min remaining 1/6 → T00 = 1/3.
    // Default: rest of row 0 ×(1/6)/(1/3) = 1/12 each; rest of column 0 ×0; row 1 back to 1/2: 1/4, 1/4.
    const fixed = composedProbabilityTable({ setSizes: [2, 3], correlatedPair: [0, 0], correlatedBoost: 1 });
    expectArrayClose(fixed.pairs, [1 / 3, 1 / 12, 1 / 12, 0, 1 / 4, 1 / 4]);
    // Original: row 0 ×(column ratio 0), column 0 ×(row ratio 1/2) → T10 = 1/12; row 1 rescaled by
    // 1 + (1/2 − 5/12)/(1/3) = 5/4 → 5/24 each; total 5/6, renormalised: [.4, 0, 0, .1, .25, .25].
    const legacy = composedProbabilityTable({ setSizes: [2, 3], correlatedPair: [0, 0], correlatedBoost: 1, legacyBoostRescale: true });
    expectArrayClose(legacy.pairs, [0.4, 0, 0, 0.1, 0.25, 0.25]);
    // On square uniform tables (every notebook case) both agree.
    const square: ComposedFeatureOptions = { setSizes: [4, 4], correlatedPair: [2, 1], correlatedBoost: 0.3, oneHotProbability: 0.4 };
    const a = composedProbabilityTable(square);
    const b = composedProbabilityTable({ ...square, legacyBoostRescale: true });
    expectArrayClose(b.pairs, Array.from(a.pairs), 15);
    expectArrayClose(b.singles0, Array.from(a.singles0), 15);
  });

  it("every table sums to 1", () => {
    const t = composedProbabilityTable({
      setSizes: [3, 5],
      baselineWeights: [
        [1, 2, 3],
        [5, 4, 3, 2, 1],
      ],
      correlatedPair: [2, 0],
      correlatedBoost: 0.7,
      oneHotProbability: 0.3,
    });
    let s = 0;
    for (const arr of [t.pairs, t.singles0, t.singles1]) for (const p of arr) s += p;
    expect(s).toBeCloseTo(1, 14);
    for (const p of t.pairs) expect(p).toBeGreaterThanOrEqual(0);
  });

  it("rejects bad options with a message naming the field", () => {
    expect(() => composedProbabilityTable({ correlatedPair: [0, 2] })).toThrow(/correlatedPair\[1\]/);
    expect(() => composedProbabilityTable({ correlatedPair: [0, 0], correlatedBoost: 1.5 })).toThrow(/correlatedBoost/);
    expect(() => composedProbabilityTable({ correlatedBoost: 0.5 })).toThrow(/needs a correlatedPair/);
    expect(() => composedProbabilityTable({ oneHotProbability: -0.1 })).toThrow(/oneHotProbability/);
    expect(() => composedProbabilityTable({ setSizes: [2, 0] })).toThrow(/setSizes\[1\]/);
    expect(() => composedProbabilityTable({ baselineWeights: [[1], [1, 1]] })).toThrow(/baselineWeights\[0\]/);
  });
});

describe("composedCondition", () => {
  it("names the three 2+2 conditions of the blog post", () => {
    expect(composedCondition("correlated")).toMatchObject({ setSizes: [2, 2], setMagnitudeCorrelation: 1, oneHotProbability: 0 });
    expect(composedCondition("uncorrelated")).toMatchObject({ setSizes: [2, 2], setMagnitudeCorrelation: 0, oneHotProbability: 0 });
    expect(composedCondition("one-hot-75")).toMatchObject({ setSizes: [2, 2], setMagnitudeCorrelation: 1, oneHotProbability: 0.75 });
  });
});

describe("composedFeatureSampler", () => {
  const N = 200_000;

  it("pair-only data: exactly one x and one y active, cell frequencies match T", () => {
    const sampler = composedFeatureSampler({ correlatedPair: [0, 0], correlatedBoost: 0.5 });
    expect(sampler.nFeatures).toBe(4);
    expect(sampler.expectedL0).toBe(2);
    const x = sampler.sample(new Rng(1), N);
    const counts = [0, 0, 0, 0];
    let malformed = 0; // samples without exactly one active x and one active y
    for (let b = 0; b < N; b++) {
      const row = x.subarray(b * 4, b * 4 + 4);
      const xs = [0, 1].filter((i) => row[i] > 0);
      const ys = [0, 1].filter((j) => row[2 + j] > 0);
      if (xs.length !== 1 || ys.length !== 1) malformed++;
      else counts[xs[0] * 2 + ys[0]]++;
    }
    expect(malformed).toBe(0);
    const expected = [0.375, 0.125, 0.125, 0.375];
    for (let c = 0; c < 4; c++) expect(zScore(counts[c], N, expected[c]), `cell ${c}`).toBeLessThan(4.5);
  });

  it("one-hot data: cell and feature frequencies match T, one feature active in one-hot draws", () => {
    const options: ComposedFeatureOptions = { setSizes: [2, 3], correlatedPair: [1, 2], correlatedBoost: 0.6, oneHotProbability: 0.3, setMagnitudeCorrelation: 1 };
    const sampler = composedFeatureSampler(options);
    const table = composedProbabilityTable(options);
    const x = sampler.sample(new Rng(2), N);
    const n = 5;
    const pairCounts = new Array<number>(6).fill(0);
    const singleCounts = new Array<number>(5).fill(0);
    const featureCounts = new Array<number>(5).fill(0);
    let l0 = 0;
    let malformed = 0; // neither one feature nor one x plus one y
    for (let b = 0; b < N; b++) {
      const active: number[] = [];
      for (let i = 0; i < n; i++) if (x[b * n + i] > 0) active.push(i);
      for (const i of active) featureCounts[i]++;
      l0 += active.length;
      if (active.length === 1) singleCounts[active[0]]++;
      else if (active.length === 2 && active[0] < 2 && active[1] >= 2) pairCounts[active[0] * 3 + (active[1] - 2)]++;
      else malformed++;
    }
    expect(malformed).toBe(0);
    for (let c = 0; c < 6; c++) expect(zScore(pairCounts[c], N, table.pairs[c]), `pair ${c}`).toBeLessThan(4.5);
    const singles = [...table.singles0, ...table.singles1];
    for (let i = 0; i < 5; i++) expect(zScore(singleCounts[i], N, singles[i]), `single ${i}`).toBeLessThan(4.5);
    for (let i = 0; i < 5; i++) expect(zScore(featureCounts[i], N, sampler.firingProbabilities[i]), `feature ${i}`).toBeLessThan(4.5);
    expect(sampler.expectedL0).toBeCloseTo(1.7, 14);
    expect(Math.abs(l0 / N - 1.7)).toBeLessThan(4.5 * Math.sqrt((0.3 * 0.7) / N));
  });

  it("f = 1 gives equal amplitudes, uniform on [0, 1)", () => {
    const sampler = composedFeatureSampler(composedCondition("correlated"));
    const x = sampler.sample(new Rng(3), 20_000);
    let sum = 0;
    let unequal = 0;
    let outside = 0;
    for (let b = 0; b < 20_000; b++) {
      const a = x[b * 4] + x[b * 4 + 1];
      const c = x[b * 4 + 2] + x[b * 4 + 3];
      if (a !== c) unequal++;
      if (!(a > 0 && a <= 1)) outside++;
      sum += a;
    }
    expect(unequal).toBe(0);
    expect(outside).toBe(0);
    // Mean of U[0,1) is .5, standard error √(1/12/20000) ≈ .002.
    expect(Math.abs(sum / 20_000 - 0.5)).toBeLessThan(0.01);
  });

  it("f = 0 gives independent amplitudes: correlation ≈ 0", () => {
    const sampler = composedFeatureSampler(composedCondition("uncorrelated"));
    const n = 50_000;
    const x = sampler.sample(new Rng(4), n);
    const xa: number[] = [];
    const ya: number[] = [];
    for (let b = 0; b < n; b++) {
      xa.push(x[b * 4] + x[b * 4 + 1]);
      ya.push(x[b * 4 + 2] + x[b * 4 + 3]);
    }
    // Standard error of r under independence is 1/√n ≈ .0045.
    expect(Math.abs(pearson(xa, ya))).toBeLessThan(0.02);
    // With f = .5 the correlation is f/√(f² + (1−f)²) = 1/√2.
    const half = composedFeatureSampler({ setMagnitudeCorrelation: 0.5 }).sample(new Rng(5), n);
    const xh: number[] = [];
    const yh: number[] = [];
    for (let b = 0; b < n; b++) {
      xh.push(half[b * 4] + half[b * 4 + 1]);
      yh.push(half[b * 4 + 2] + half[b * 4 + 3]);
    }
    expect(pearson(xh, yh)).toBeCloseTo(Math.SQRT1_2, 1);
  });

  it("a one-hot feature holds r_1 (set 1's mixed amplitude), not r_0", () => {
    // With f = .5, r_1 = (r_0 + r_1')/2 is triangular on [0, 1): variance 1/24, while r_0 is
    // uniform: variance 1/12. One-hot draws must show the smaller variance.
    const sampler = composedFeatureSampler({ oneHotProbability: 1, setMagnitudeCorrelation: 0.5 });
    const n = 50_000;
    const x = sampler.sample(new Rng(6), n);
    const values: number[] = [];
    let notOneHot = 0;
    for (let b = 0; b < n; b++) {
      let active = 0;
      for (let i = 0; i < 4; i++) {
        if (x[b * 4 + i] > 0) {
          active++;
          values.push(x[b * 4 + i]);
        }
      }
      if (active !== 1) notOneHot++;
    }
    expect(notOneHot).toBe(0);
    const mean = values.reduce((a, b) => a + b, 0) / values.length;
    const variance = values.reduce((a, v) => a + (v - mean) ** 2, 0) / values.length;
    expect(mean).toBeCloseTo(0.5, 2);
    // Standard error of the variance here is ≈ 2e-4; 1/12 − 1/24 ≈ .042.
    expect(Math.abs(variance - 1 / 24)).toBeLessThan(0.0015);
  });

  it("is deterministic for a seed, and sampleInto overwrites its buffer", () => {
    const sampler = composedFeatureSampler(composedCondition("one-hot-75"));
    const a = sampler.sample(new Rng(9), 64);
    const b = sampler.sample(new Rng(9), 64);
    expect(Array.from(a)).toEqual(Array.from(b));
    const buffer = new Float32Array(64 * 4).fill(7);
    sampler.sampleInto(new Rng(9), 64, buffer);
    expect(Array.from(buffer)).toEqual(Array.from(a));
    expect(Array.from(sampler.sample(new Rng(10), 64))).not.toEqual(Array.from(a));
  });
});
