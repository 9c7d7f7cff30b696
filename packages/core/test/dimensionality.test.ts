import { describe, expect, it } from "vitest";
import {
  DIMENSIONS_PER_FEATURE_GUIDES,
  dimensionsPerFeature,
  featureDimensionality,
  featureGram,
  featureNorms,
  featureSuperposition,
  instanceFeatureMatrix,
} from "../src/metrics/dimensionality.ts";

/** W [2, n] whose column k is the unit vector at angle 2πk/n (a regular n-gon). */
function polygon(n: number, radius = 1): Float64Array {
  const w = new Float64Array(2 * n);
  for (let k = 0; k < n; k++) {
    w[k] = radius * Math.cos((2 * Math.PI * k) / n);
    w[n + k] = radius * Math.sin((2 * Math.PI * k) / n);
  }
  return w;
}

describe("feature dimensionality (W is [dHidden, nFeatures], column i = feature i)", () => {
  it("orthogonal features each get a full dimension, whatever their norms", () => {
    const w = Float64Array.from([2, 0, 0, 0.5]); // W_0 = (2, 0), W_1 = (0, 0.5)
    expect(Array.from(featureNorms(w, 2, 2))).toEqual([2, 0.5]);
    const d = featureDimensionality(w, 2, 2);
    expect(d[0]).toBeCloseTo(1, 7);
    expect(d[1]).toBeCloseTo(1, 7);
    expect(Array.from(featureSuperposition(w, 2, 2))).toEqual([0, 0]);
    expect(dimensionsPerFeature(w, 2, 2)).toBeCloseTo(2 / 4.25, 12);
  });

  it("an antipodal pair shares one dimension: ½ each at equal norms, ‖W_i‖²/(‖W_i‖² + ‖W_j‖²) otherwise", () => {
    const equal = Float64Array.from([1, -1]); // dHidden 1, two features
    const dEqual = featureDimensionality(equal, 1, 2);
    expect(dEqual[0]).toBeCloseTo(0.5, 7);
    expect(dEqual[1]).toBeCloseTo(0.5, 7);
    const unequal = Float64Array.from([2, -1]);
    const d = featureDimensionality(unequal, 1, 2);
    expect(d[0]).toBeCloseTo(4 / 5, 7); // ‖W_0‖² / ((Ŵ_0·W_0)² + (Ŵ_0·W_1)²) = 4 / (4 + 1)
    expect(d[1]).toBeCloseTo(1 / 5, 7); // 1 / (1 + 4)
    // superposition of feature 0: (Ŵ_0·W_1)² = (−2/(2 + ε))²; of feature 1: (Ŵ_1·W_0)² = (−2/(1 + ε))², ε = 1e-6
    const sup = featureSuperposition(unequal, 1, 2);
    expect(sup[0]).toBeCloseTo((2 / (2 + 1e-6)) ** 2, 12);
    expect(sup[1]).toBeCloseTo((2 / (1 + 1e-6)) ** 2, 12);
  });

  it("a pentagon gives 2/5 per feature and D* = 2/5; its superposition is 2cos²72° + 2cos²144° = 3/2", () => {
    const w = polygon(5);
    for (const v of featureDimensionality(w, 2, 5)) expect(v).toBeCloseTo(0.4, 7);
    for (const v of featureSuperposition(w, 2, 5)) expect(v).toBeCloseTo(1.5, 5);
    for (const v of featureSuperposition(w, 2, 5, { sqrt: true })) expect(v).toBeCloseTo(Math.sqrt(1.5), 5);
    expect(dimensionsPerFeature(w, 2, 5)).toBeCloseTo(0.4, 12);
  });

  it("one feature alone plus an antipodal pair in 2-d: D = (1, ½, ½) and D* = 2/3, one of the guide fractions", () => {
    const w = Float64Array.from([1, 0, 0, 0, 1, -1]); // columns e1, e2, −e2
    const d = featureDimensionality(w, 2, 3);
    expect(d[0]).toBeCloseTo(1, 7);
    expect(d[1]).toBeCloseTo(0.5, 7);
    expect(d[2]).toBeCloseTo(0.5, 7);
    expect(dimensionsPerFeature(w, 2, 3)).toBeCloseTo(2 / 3, 12);
    expect(DIMENSIONS_PER_FEATURE_GUIDES).toContain(2 / 3);
  });

  it("an unrepresented (all-zero) feature has dimensionality 0/0 = NaN, as the original, and no superposition", () => {
    const w = Float64Array.from([1, 0, 0, 0, 1, 0]); // columns e1, e2, 0
    const d = featureDimensionality(w, 2, 3);
    expect(d[0]).toBeCloseTo(1, 7);
    expect(Number.isNaN(d[2])).toBe(true);
    expect(featureSuperposition(w, 2, 3)[2]).toBe(0);
  });

  it("uses ε in the normalisation, which matters only for tiny columns", () => {
    const w = Float64Array.from([1e-6, 1e-6]); // two parallel features of norm 1e-6
    // (Ŵ_0·W_1)² = (1e-12 / (1e-6 + ε))²: 2.5e-13 with the plot's ε = 1e-6, 1e-12·(1/(1+1e-2))² with ε = 1e-8
    expect(featureSuperposition(w, 1, 2)[0]).toBeCloseTo(2.5e-13, 20);
    expect(featureSuperposition(w, 1, 2, { eps: 1e-8 })[0] / 1e-12).toBeCloseTo(1 / 1.01 ** 2, 9);
    // D_i = 1e-12 / (2·1e-12/1.01²) = 1.01²/2
    expect(featureDimensionality(w, 1, 2)[0]).toBeCloseTo(1.01 ** 2 / 2, 9);
  });

  it("computes WᵀW and slices one instance out of [I, dHidden, nFeatures]", () => {
    const w = Float64Array.from([1, 2, 3, 4, 5, 6]); // [2, 3]: rows (1,2,3) and (4,5,6)
    expect(Array.from(featureGram(w, 2, 3))).toEqual([17, 22, 27, 22, 29, 36, 27, 36, 45]);
    const stacked = Float32Array.from([0, 0, 0, 0, 1, 0, 0, 1]);
    expect(Array.from(instanceFeatureMatrix(stacked, 1, 2, 2))).toEqual([1, 0, 0, 1]);
    expect(() => instanceFeatureMatrix(stacked, 2, 2, 2)).toThrow(/outside/);
    expect(() => featureDimensionality(w, 2, 2)).toThrow(/expected 2×2/);
  });
});
