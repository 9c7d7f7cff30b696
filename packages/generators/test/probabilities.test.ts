import { describe, it, expect } from "vitest";
import { constantProbabilities, linearProbabilities, sparseButWrongMainProbabilities } from "../src/probabilities.ts";

describe("firing probabilities", () => {
  it("Sparse but Wrong main toy: p_i = .345·(49 − i)/50 + .05, Σp = 10.9525", () => {
    const p = sparseButWrongMainProbabilities();
    expect(p.length).toBe(50);
    expect(p[0]).toBeCloseTo(0.3881, 15);
    expect(p[1]).toBeCloseTo(0.3812, 15);
    expect(p[49]).toBeCloseTo(0.05, 15);
    expect(p.reduce((a, b) => a + b, 0)).toBeCloseTo(10.9525, 12);
    // It is the linspace from .3881 to .05.
    const l = linearProbabilities(50, 0.3881, 0.05);
    for (let i = 0; i < 50; i++) expect(l[i]).toBeCloseTo(p[i], 14);
  });

  it("linearProbabilities includes both ends", () => {
    expect(Array.from(linearProbabilities(5, 0.5, 0.1)).map((x) => Number(x.toFixed(12)))).toEqual([0.5, 0.4, 0.3, 0.2, 0.1]);
    expect(Array.from(linearProbabilities(1, 0.3, 0.1))).toEqual([0.3]);
    expect(linearProbabilities(0, 0.3, 0.1).length).toBe(0);
  });

  it("constantProbabilities fills one value and validates it", () => {
    expect(Array.from(constantProbabilities(5, 0.4))).toEqual([0.4, 0.4, 0.4, 0.4, 0.4]);
    expect(() => constantProbabilities(3, 1.2)).toThrow(/\[0, 1\]/);
    expect(() => constantProbabilities(-1, 0.2)).toThrow(/non-negative integer/);
  });
});
