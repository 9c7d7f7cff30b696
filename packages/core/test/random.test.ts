import { describe, expect, it } from "vitest";
import { Rng } from "../src/random.ts";

describe("Rng", () => {
  it("gives the same stream for the same seed and different streams for different seeds/labels", () => {
    const a = new Rng(7);
    const b = new Rng(7);
    const c = new Rng(8);
    const xs = Array.from({ length: 5 }, () => a.nextUint32());
    expect(Array.from({ length: 5 }, () => b.nextUint32())).toEqual(xs);
    expect(Array.from({ length: 5 }, () => c.nextUint32())).not.toEqual(xs);
    expect(new Rng(7).fork("data").uniform()).toBe(new Rng(7).fork("data").uniform());
    expect(new Rng(7).fork("data").uniform()).not.toBe(new Rng(7).fork("init").uniform());
  });

  it("has uniform mean 1/2, variance 1/12 and normal mean 0, variance 1 on 200k draws", () => {
    const r = new Rng(1);
    const n = 200_000;
    let s = 0,
      s2 = 0,
      z = 0,
      z2 = 0;
    for (let i = 0; i < n; i++) {
      const u = r.uniform();
      expect(u >= 0 && u < 1).toBe(true);
      s += u;
      s2 += u * u;
      const g = r.normal();
      z += g;
      z2 += g * g;
    }
    expect(s / n).toBeCloseTo(0.5, 2);
    expect(s2 / n - (s / n) ** 2).toBeCloseTo(1 / 12, 3);
    expect(z / n).toBeCloseTo(0, 2);
    expect(z2 / n).toBeCloseTo(1, 1);
  });

  it("draws categorical indices with the given weights", () => {
    const r = new Rng(3);
    const cumulative = Float64Array.from([0.1, 0.4, 1.0]); // weights .1, .3, .6
    const counts = [0, 0, 0];
    for (let i = 0; i < 100_000; i++) counts[r.categorical(cumulative)]++;
    expect(counts[0] / 1e5).toBeCloseTo(0.1, 2);
    expect(counts[1] / 1e5).toBeCloseTo(0.3, 2);
    expect(counts[2] / 1e5).toBeCloseTo(0.6, 2);
  });
});
