import { describe, it, expect } from "vitest";
import { Rng } from "@toy-sae/core/random";
import { normalCdf } from "@toy-sae/core/linalg";
import { absorption, chainModifiers, hedgingDataset, hedgingFeatureSampler, suppressFeatures, type HedgingDatasetName } from "../src/parent-child.ts";

/** |observed − p| in standard errors of a frequency over `n` draws (exact 0/1 must be hit exactly). */
function expectFrequency(count: number, n: number, p: number, label: string): void {
  if (p === 0 || p === 1) {
    expect(count / n, label).toBe(p);
    return;
  }
  expect(Math.abs(count / n - p) / Math.sqrt((p * (1 - p)) / n), label).toBeLessThan(4.5);
}

/** Counts of the four (parent, child) firing cells of a 2-feature sample: [neither, parent only, child only, both]. */
function cells(x: Float32Array, n: number): [number, number, number, number] {
  const c: [number, number, number, number] = [0, 0, 0, 0];
  for (let b = 0; b < n; b++) c[(x[2 * b] > 0 ? 1 : 0) + (x[2 * b + 1] > 0 ? 2 : 0)]++;
  return c;
}

const N = 400_000;

describe("the single-latent notebook datasets", () => {
  // [neither, parent only, child only, both], by hand from p and the modifier:
  const expected: Record<HedgingDatasetName, [number, number, number, number]> = {
    independent: [0.75 * 0.8, 0.25 * 0.8, 0.75 * 0.2, 0.25 * 0.2],
    // child zeroed without the parent: P(parent only) = .25·.8 = .2, P(both) = .25·.2 = .05
    "parent-child": [0.75, 0.2, 0, 0.05],
    // (a): with the parent the child keeps p = .2; without it, it is redrawn at .1
    correlated: [0.75 * 0.9, 0.25 * 0.8, 0.75 * 0.1, 0.25 * 0.2],
    // (b): p = [.25, .1], solo .2: the child fires more often without the parent
    "anti-correlated": [0.75 * 0.8, 0.25 * 0.9, 0.75 * 0.2, 0.25 * 0.1],
  };
  for (const name of Object.keys(expected) as HedgingDatasetName[]) {
    it(`${name}: joint firing probabilities ${expected[name].map((q) => q.toFixed(3)).join(", ")}`, () => {
      const s = hedgingFeatureSampler(hedgingDataset(name));
      const x = s.sample(new Rng(11), N);
      const c = cells(x, N);
      for (const [k, label] of ["neither", "parent only", "child only", "both"].entries()) expectFrequency(c[k], N, expected[name][k], label);
      // σ = 0: every firing feature is exactly 1
      expect(x.every((v) => v === 0 || v === 1)).toBe(true);
    });
  }
});

describe("firing modifiers", () => {
  it("suppress: the dominant feature silences the suppressed ones", () => {
    const s = hedgingFeatureSampler({ firingProbabilities: [0.5, 0.4, 0.6], modifier: suppressFeatures(0, [1, 2]) });
    const x = s.sample(new Rng(12), N);
    let f0 = 0,
      f1 = 0,
      f2 = 0,
      f0and1 = 0,
      f0and2 = 0;
    for (let b = 0; b < N; b++) {
      const a = x[3 * b] > 0,
        c = x[3 * b + 1] > 0,
        d = x[3 * b + 2] > 0;
      f0 += +a;
      f1 += +c;
      f2 += +d;
      f0and1 += +(a && c);
      f0and2 += +(a && d);
    }
    expectFrequency(f0, N, 0.5, "dominant unchanged");
    expectFrequency(f1, N, 0.4 * 0.5, "P(1) = .4·(1 − .5)");
    expectFrequency(f2, N, 0.6 * 0.5, "P(2) = .6·(1 − .5)");
    expect(f0and1 + f0and2).toBe(0);
  });

  it("absorption: the child forces the parent on", () => {
    const s = hedgingFeatureSampler({ firingProbabilities: [0.3, 0.2], modifier: absorption([[0, 1]]) });
    const c = cells(s.sample(new Rng(13), N), N);
    expectFrequency(c[2], N, 0, "child without parent");
    expectFrequency(c[1] + c[3], N, 1 - 0.7 * 0.8, "P(parent) = 1 − (1 − .3)(1 − .2)");
    expectFrequency(c[3], N, 0.2, "P(both) = P(child)");
  });

  it("chainModifiers applies the modifiers in order", () => {
    // absorb then suppress: the child is always silenced. suppress then absorb: the child
    // survives only where the parent was off (.2·.7), and then turns the parent on.
    const absorbThenSuppress = hedgingFeatureSampler({ firingProbabilities: [0.3, 0.2], modifier: chainModifiers([absorption([[0, 1]]), suppressFeatures(0, [1])]) });
    const a = cells(absorbThenSuppress.sample(new Rng(14), N), N);
    expectFrequency(a[2] + a[3], N, 0, "child after absorb → suppress");
    expectFrequency(a[1], N, 1 - 0.7 * 0.8, "parent after absorb → suppress");
    const suppressThenAbsorb = hedgingFeatureSampler({ firingProbabilities: [0.3, 0.2], modifier: chainModifiers([suppressFeatures(0, [1]), absorption([[0, 1]])]) });
    const b = cells(suppressThenAbsorb.sample(new Rng(14), N), N);
    expectFrequency(b[3], N, 0.2 * 0.7, "both after suppress → absorb");
    expectFrequency(b[1], N, 0.3, "parent only after suppress → absorb");
  });

  it("rejects feature indices outside the sampler and probabilities outside [0, 1]", () => {
    expect(() => hedgingFeatureSampler({ firingProbabilities: [0.3, 0.2], modifier: absorption([[0, 2]]) }).sample(new Rng(1), 4)).toThrow(
      "absorption: feature 2 is not in [0, 2)",
    );
    expect(() => hedgingFeatureSampler({ firingProbabilities: [0.3, 1.2] })).toThrow("firingProbabilities[1] must be in [0, 1], got 1.2");
    expect(() => hedgingFeatureSampler({ firingProbabilities: [0.3], magnitudeStd: -1 })).toThrow("magnitudeStd[0] must be a finite number ≥ 0, got -1");
  });
});

describe("magnitudes", () => {
  it("ReLU(μ + δ) with δ ~ N(0, σ) only where the feature fires", () => {
    const mu = 0.5;
    const sigma = 1;
    const s = hedgingFeatureSampler({ firingProbabilities: [0.6], magnitudeMean: mu, magnitudeStd: sigma });
    const x = s.sample(new Rng(15), N);
    let positive = 0;
    let sum = 0;
    for (const v of x) {
      if (v > 0) positive++;
      sum += v;
    }
    expect(x.every((v) => v >= 0)).toBe(true);
    // P(x > 0) = p·Φ(μ/σ); E[x] = p·(μΦ(μ/σ) + σφ(μ/σ))
    expectFrequency(positive, N, 0.6 * normalCdf(mu / sigma), "P(x > 0)");
    const z = mu / sigma;
    const phi = Math.exp(-0.5 * z * z) / Math.sqrt(2 * Math.PI);
    expect(sum / N).toBeCloseTo(0.6 * (mu * normalCdf(z) + sigma * phi), 2);
  });

  it("sampleInto reuses a buffer and equals sample for the same stream", () => {
    const s = hedgingFeatureSampler(hedgingDataset("correlated"));
    const a = s.sample(new Rng(16), 300);
    const buf = new Float32Array(600).fill(9);
    s.sampleInto(new Rng(16), 300, buf);
    expect(Array.from(buf)).toEqual(Array.from(a));
  });
});
