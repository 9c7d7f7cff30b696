import { describe, it, expect } from "vitest";
import { Rng } from "@toy-sae/core/random";
import { normalCdf, normalQuantile, symmetricEigen } from "@toy-sae/core/linalg";
import { correlatedFeatureSampler, createCorrelationMatrix, minEigenvalue, randomCorrelationMatrix, repairCorrelationMatrix, smallToyCorrelation } from "../src/correlated.ts";
import { constantProbabilities, sparseButWrongMainProbabilities } from "../src/probabilities.ts";

/** Symmetric, exactly unit diagonal, smallest eigenvalue ≥ −tol. */
function expectCorrelationMatrix(c: Float64Array, n: number, tol = 1e-12): void {
  expect(c.length).toBe(n * n);
  for (let i = 0; i < n; i++) {
    expect(c[i * n + i]).toBe(1);
    for (let j = 0; j < n; j++) {
      expect(c[i * n + j]).toBe(c[j * n + i]);
      expect(Math.abs(c[i * n + j])).toBeLessThanOrEqual(1);
    }
  }
  expect(minEigenvalue(c)).toBeGreaterThanOrEqual(-tol);
}

/**
 * P(Z1 > t1, Z2 > t2) for a standard bivariate normal with correlation ρ (|ρ| < 1):
 * ∫_{t1}^∞ φ(x)·P(Z2 > t2 | Z1 = x) dx by Simpson's rule.
 */
function bivariateUpperOrthant(t1: number, t2: number, rho: number): number {
  const steps = 4000;
  const upper = t1 + 12;
  const h = (upper - t1) / steps;
  const s = Math.sqrt(1 - rho * rho);
  const f = (x: number): number => (Math.exp(-0.5 * x * x) / Math.sqrt(2 * Math.PI)) * (1 - normalCdf((t2 - rho * x) / s));
  let sum = f(t1) + f(upper);
  for (let k = 1; k < steps; k++) sum += (k % 2 === 1 ? 4 : 2) * f(t1 + k * h);
  return (sum * h) / 3;
}

function zScore(count: number, n: number, p: number): number {
  return Math.abs(count / n - p) / Math.sqrt((p * (1 - p)) / n);
}

/** Firing counts per feature and per pair (i < j) over a sample. */
function firingStats(x: Float32Array, n: number, batch: number): { single: number[]; both: number[][] } {
  const single = new Array<number>(n).fill(0);
  const both = Array.from({ length: n }, () => new Array<number>(n).fill(0));
  for (let b = 0; b < batch; b++) {
    for (let i = 0; i < n; i++) {
      if (!(x[b * n + i] > 0)) continue;
      single[i]++;
      for (let j = i + 1; j < n; j++) if (x[b * n + j] > 0) both[i][j]++;
    }
  }
  return { single, both };
}

describe("createCorrelationMatrix", () => {
  it("builds I plus the given pairs (and a default), unchanged when PSD", () => {
    const c = createCorrelationMatrix(3, [[0, 2, 0.4]], 0.1);
    expect(Array.from(c)).toEqual([1, 0.1, 0.4, 0.1, 1, 0.1, 0.4, 0.1, 1]);
  });

  it("repairs a matrix with a negative eigenvalue to a unit-diagonal PSD one", () => {
    // ρ01 = ρ02 = .9 with ρ12 = −.9 is impossible: (1, −1, −1) is an eigenvector with eigenvalue −.8.
    const raw = new Float64Array([1, 0.9, 0.9, 0.9, 1, -0.9, 0.9, -0.9, 1]);
    expect(minEigenvalue(raw)).toBeLessThan(-0.5);
    const c = createCorrelationMatrix(3, [
      [0, 1, 0.9],
      [0, 2, 0.9],
      [1, 2, -0.9],
    ]);
    expectCorrelationMatrix(c, 3);
    expect(minEigenvalue(c)).toBeGreaterThan(0);
    // The repair keeps the signs of the requested correlations.
    expect(c[1]).toBeGreaterThan(0);
    expect(c[2]).toBeGreaterThan(0);
    expect(c[5]).toBeLessThan(0);
  });

  it("rejects bad pairs", () => {
    expect(() => createCorrelationMatrix(3, [[0, 3, 0.2]])).toThrow(/distinct feature indices/);
    expect(() => createCorrelationMatrix(3, [[1, 1, 0.2]])).toThrow(/distinct feature indices/);
    expect(() => createCorrelationMatrix(3, [[0, 1, 1.2]])).toThrow(/\[−1, 1\]/);
  });
});

describe("repairCorrelationMatrix", () => {
  it("clips eigenvalues to ≥ 1e-6 and rescales to a unit diagonal", () => {
    const raw = new Float64Array([1, 0.95, -0.95, 0.95, 1, 0.95, -0.95, 0.95, 1]);
    const c = repairCorrelationMatrix(raw);
    expectCorrelationMatrix(c, 3);
    // After clipping, rebuilding and rescaling, the smallest eigenvalue is tiny but positive.
    const lowest = minEigenvalue(c);
    expect(lowest).toBeGreaterThan(0);
    expect(lowest).toBeLessThan(1e-4);
  });
});

describe("smallToyCorrelation", () => {
  it("ρ between feature 0 and all others; eigenvalues 1 ± 2ρ, 1, 1, 1", () => {
    const c = smallToyCorrelation(0.4);
    expect(c[1]).toBe(0.4);
    expect(c[4 * 5]).toBe(0.4);
    expect(c[1 * 5 + 2]).toBe(0);
    const values = symmetricEigen(c, 5).values;
    const expected = [0.2, 1, 1, 1, 1.8];
    for (let k = 0; k < 5; k++) expect(values[k]).toBeCloseTo(expected[k], 13);
  });

  it("keeps the singular matrix at ρ = ±0.5 as is (eigenvalue 0, no repair)", () => {
    for (const rho of [0.5, -0.5]) {
      const c = smallToyCorrelation(rho);
      expect(c[1]).toBe(rho);
      expectCorrelationMatrix(c, 5, 1e-13);
      expect(Math.abs(minEigenvalue(c))).toBeLessThan(1e-13);
    }
  });

  it("repairs beyond |ρ| = 0.5", () => {
    const c = smallToyCorrelation(0.7);
    expectCorrelationMatrix(c, 5);
    expect(c[1]).toBeLessThan(0.7);
    expect(c[1]).toBeGreaterThan(0.3);
  });
});

describe("randomCorrelationMatrix", () => {
  it("is a symmetric, unit-diagonal, PSD matrix, deterministic for a seed", () => {
    const a = randomCorrelationMatrix(50, { strengthRange: [0.3, 0.9] }, new Rng(42));
    expectCorrelationMatrix(a, 50);
    expect(minEigenvalue(a)).toBeGreaterThan(0);
    const b = randomCorrelationMatrix(50, { strengthRange: [0.3, 0.9] }, new Rng(42));
    expect(Array.from(b)).toEqual(Array.from(a));
    const c = randomCorrelationMatrix(50, { strengthRange: [0.3, 0.9] }, new Rng(43));
    expect(Array.from(c)).not.toEqual(Array.from(a));
    // The dense strong draws are heavily shrunk by the repair: no |ρ| anywhere near .9 survives.
    let largest = 0;
    for (let i = 0; i < 50; i++) for (let j = 0; j < i; j++) largest = Math.max(largest, Math.abs(a[i * 50 + j]));
    expect(largest).toBeGreaterThan(0.05);
    expect(largest).toBeLessThan(0.6);
  });

  it("picks P − ⌊P·sparsity⌋ pairs, the first ⌊count·positiveRatio⌋ positive, strengths in range", () => {
    // n = 6: P = 15 pairs, sparsity .8 → 15 − 12 = 3 correlated pairs, ⌊3·.5⌋ = 1 positive.
    // Three correlations of size ≤ .31 keep the matrix positive definite, so the repair changes nothing.
    for (let seed = 0; seed < 10; seed++) {
      const c = randomCorrelationMatrix(6, { sparsity: 0.8, strengthRange: [0.3, 0.31], positiveRatio: 0.5 }, new Rng(seed));
      expectCorrelationMatrix(c, 6);
      const offDiagonal: number[] = [];
      for (let i = 0; i < 6; i++) for (let j = i + 1; j < 6; j++) if (Math.abs(c[i * 6 + j]) > 1e-9) offDiagonal.push(c[i * 6 + j]);
      expect(offDiagonal.length).toBe(3);
      expect(offDiagonal.filter((r) => r > 0).length).toBe(1);
      for (const r of offDiagonal) {
        expect(Math.abs(r)).toBeGreaterThanOrEqual(0.3 - 1e-12);
        expect(Math.abs(r)).toBeLessThan(0.31 + 1e-12);
      }
    }
  });
});

describe("correlatedFeatureSampler", () => {
  it("independent firing: marginals p_i, pairs fire together with probability p_i·p_j", () => {
    const p = [0.1, 0.4, 0.7, 0];
    const sampler = correlatedFeatureSampler({ firingProbabilities: p });
    expect(sampler.factorMethod).toBeNull();
    const batch = 100_000;
    const { single, both } = firingStats(sampler.sample(new Rng(1), batch), 4, batch);
    for (let i = 0; i < 3; i++) expect(zScore(single[i], batch, p[i]), `feature ${i}`).toBeLessThan(4.5);
    expect(single[3]).toBe(0);
    expect(zScore(both[1][2], batch, 0.28)).toBeLessThan(4.5);
  });

  it("copula marginals equal p_i on the Sparse-but-Wrong main toy (random C, σ = .15)", () => {
    const p = sparseButWrongMainProbabilities();
    const correlation = randomCorrelationMatrix(50, { strengthRange: [0.3, 0.9] }, new Rng(42));
    const sampler = correlatedFeatureSampler({ firingProbabilities: p, correlation, magnitudeStd: 0.15 });
    expect(sampler.factorMethod).toBe("cholesky");
    expect(sampler.expectedL0).toBeCloseTo(10.9525, 12);
    const batch = 40_000;
    const x = sampler.sample(new Rng(2), batch);
    const { single } = firingStats(x, 50, batch);
    for (let i = 0; i < 50; i++) expect(zScore(single[i], batch, p[i]), `feature ${i}`).toBeLessThan(4.5);
    // Magnitudes of firing features: N(1, .15²) (ReLU clipping is negligible).
    let s1 = 0;
    let s2 = 0;
    let count = 0;
    for (const v of x) {
      if (v > 0) {
        s1 += v;
        s2 += v * v;
        count++;
      }
    }
    const mean = s1 / count;
    expect(mean).toBeCloseTo(1, 2);
    expect(Math.sqrt(s2 / count - mean * mean)).toBeCloseTo(0.15, 2);
  });

  it("copula joint firing matches the bivariate normal orthant probability (PD, Cholesky path)", () => {
    const rho = 0.6;
    const p = [0.3, 0.2];
    const sampler = correlatedFeatureSampler({ firingProbabilities: p, correlation: createCorrelationMatrix(2, [[0, 1, rho]]) });
    expect(sampler.factorMethod).toBe("cholesky");
    const batch = 200_000;
    const { single, both } = firingStats(sampler.sample(new Rng(3), batch), 2, batch);
    const joint = bivariateUpperOrthant(normalQuantile(0.7), normalQuantile(0.8), rho);
    expect(joint).toBeGreaterThan(0.06 * 1.5); // far above independence (.06): the test can tell
    expect(zScore(both[0][1], batch, joint)).toBeLessThan(4.5);
    expect(zScore(single[0], batch, 0.3)).toBeLessThan(4.5);
    expect(zScore(single[1], batch, 0.2)).toBeLessThan(4.5);
  });

  it("works on the singular small toy at ρ = ±0.5: marginals .4, joint firing as the copula predicts", () => {
    const p = constantProbabilities(5, 0.4);
    const t = normalQuantile(0.6);
    for (const rho of [0.5, -0.5]) {
      const sampler = correlatedFeatureSampler({ firingProbabilities: p, correlation: smallToyCorrelation(rho), magnitudeStd: 0.15 });
      expect(sampler.factorMethod).toBe("eigen");
      const batch = 100_000;
      const { single, both } = firingStats(sampler.sample(new Rng(4), batch), 5, batch);
      for (let i = 0; i < 5; i++) expect(zScore(single[i], batch, 0.4), `ρ ${rho}, feature ${i}`).toBeLessThan(4.5);
      // Feature 0 with each other feature: latent correlation ρ.
      const joint = bivariateUpperOrthant(t, t, rho);
      for (let j = 1; j < 5; j++) expect(zScore(both[0][j], batch, joint), `ρ ${rho}, pair 0-${j}`).toBeLessThan(4.5);
      // Features 1..4 are uncorrelated with each other: p² = .16.
      expect(zScore(both[1][2], batch, 0.16)).toBeLessThan(4.5);
      expect(zScore(both[3][4], batch, 0.16)).toBeLessThan(4.5);
    }
    // Sanity of the reference: ρ = ±.5 are far from independence.
    expect(bivariateUpperOrthant(t, t, 0.5)).toBeGreaterThan(0.22);
    expect(bivariateUpperOrthant(t, t, -0.5)).toBeLessThan(0.09);
  });

  it("per-feature magnitudes: mean and std arrays, ReLU at zero", () => {
    const sampler = correlatedFeatureSampler({ firingProbabilities: [1, 1, 1], magnitudeMean: [2, 0.5, -1], magnitudeStd: [0, 0.1, 0] });
    const x = sampler.sample(new Rng(5), 2000);
    let s = 0;
    let exact = 0;
    let negative = 0;
    for (let b = 0; b < 2000; b++) {
      if (x[b * 3] === 2) exact++;
      s += x[b * 3 + 1];
      if (x[b * 3 + 2] !== 0) negative++;
    }
    expect(exact).toBe(2000);
    expect(s / 2000).toBeCloseTo(0.5, 2);
    expect(negative).toBe(0);
  });

  it("is deterministic for a seed; sampleInto overwrites its buffer", () => {
    const sampler = correlatedFeatureSampler({ firingProbabilities: constantProbabilities(5, 0.4), correlation: smallToyCorrelation(0.4), magnitudeStd: 0.15 });
    const a = sampler.sample(new Rng(8), 128);
    expect(Array.from(sampler.sample(new Rng(8), 128))).toEqual(Array.from(a));
    const buffer = new Float32Array(128 * 5).fill(3);
    sampler.sampleInto(new Rng(8), 128, buffer);
    expect(Array.from(buffer)).toEqual(Array.from(a));
  });

  it("rejects invalid correlation matrices and probabilities", () => {
    const p = [0.5, 0.5];
    expect(() => correlatedFeatureSampler({ firingProbabilities: p, correlation: new Float64Array([2, 0, 0, 1]) })).toThrow(/unit diagonal/);
    expect(() => correlatedFeatureSampler({ firingProbabilities: p, correlation: new Float64Array([1, 0.2, 0.3, 1]) })).toThrow(/not symmetric/);
    expect(() => correlatedFeatureSampler({ firingProbabilities: [0.5, 0.5, 0.5], correlation: new Float64Array([1, 0.9, 0.9, 0.9, 1, -0.9, 0.9, -0.9, 1]) })).toThrow(
      /not positive semi-definite/,
    );
    expect(() => correlatedFeatureSampler({ firingProbabilities: p, correlation: new Float64Array(9) })).toThrow(/expected 2×2/);
    expect(() => correlatedFeatureSampler({ firingProbabilities: [0.5, 1.5] })).toThrow(/firingProbabilities\[1\]/);
    expect(() => correlatedFeatureSampler({ firingProbabilities: p, magnitudeStd: [0.1] })).toThrow(/magnitudeStd/);
  });
});
