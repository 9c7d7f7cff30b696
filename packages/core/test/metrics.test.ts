import { describe, expect, it } from "vitest";
import {
  cosineMatrix,
  deadLatents,
  explainedVariancePooled,
  featureRecovery,
  firingDensity,
  fvuPerSample,
  geometricMedian,
  geometricMedianWithInfo,
  l0,
  mcc,
  mccMatching,
  mmcsSaeToTrue,
  mmcsTrueToSae,
  monosemanticity,
  monosemanticityPerLatent,
  relativeReconstructionBias,
  shrinkage,
  varianceExplained,
} from "../src/metrics/index.ts";

const f64 = (xs: number[]): Float64Array => new Float64Array(xs);

describe("cosineMatrix", () => {
  it("gives [rowsA, rowsB] cosines and 0 for an all-zero row", () => {
    // a = [[3,4],[0,0]], b = [[1,0],[0,2],[-1,0]]
    // row 0: (3,4)/5 · (1,0) = 0.6; · (0,1) = 0.8; · (−1,0) = −0.6. Row 1 is zero → 0s.
    const cos = cosineMatrix(f64([3, 4, 0, 0]), 2, new Float32Array([1, 0, 0, 2, -1, 0]), 3, 2);
    expect(Array.from(cos)).toEqual([0.6, 0.8, -0.6, 0, 0, 0].map((v) => expect.closeTo(v, 12)));
  });

  it("checks shapes", () => {
    expect(() => cosineMatrix(f64([1, 2, 3]), 2, f64([1, 0]), 1, 2)).toThrow("cosineMatrix: a has 3 values, expected 2×2 = 4");
  });
});

describe("monosemanticity (Engineering Monosemanticity eq. 7)", () => {
  it("is 1 for the identity activation matrix", () => {
    // Each latent fires for exactly one feature: max/sum = 1/(1e-10 + 1) per latent.
    const eye = f64([1, 0, 0, 0, 1, 0, 0, 0, 1]);
    expect(monosemanticity(eye, 3, 3)).toBeCloseTo(1, 9);
  });

  it("is 1/nFeatures for a uniform activation matrix", () => {
    // 4 features × 2 latents, all 0.5: per latent 0.5 / (4 · 0.5) = 1/4.
    const uniform = new Float32Array(8).fill(0.5);
    expect(monosemanticity(uniform, 4, 2)).toBeCloseTo(0.25, 9);
  });

  it("counts a dead latent as 0 in the average", () => {
    // A = [[1, 0, 0, 3],
    //      [0, 2, 0, 1]]   (2 features × 4 latents)
    // latent 0: 1/1 = 1; latent 1: 2/2 = 1; latent 2 dead: 0/(1e-10) = 0; latent 3: 3/4 = 0.75
    // mono = (1 + 1 + 0 + 0.75)/4 = 0.6875
    const a = f64([1, 0, 0, 3, 0, 2, 0, 1]);
    expect(Array.from(monosemanticityPerLatent(a, 2, 4)).map((v) => Number(v.toFixed(9)))).toEqual([1, 1, 0, 0.75]);
    expect(monosemanticity(a, 2, 4)).toBeCloseTo(0.6875, 9);
  });

  it("clamps negative activations to 0", () => {
    // column [2, −1] → [2, 0] → 2/2 = 1 (unclamped it would be 2/1 = 2 > 1)
    expect(monosemanticity(f64([2, -1]), 2, 1)).toBeCloseTo(1, 9);
  });
});

describe("MMCS in both directions", () => {
  // cos [M = 2 latents, F = 3 features]:
  //   latent 0: [0.9, 0.1, −0.2]
  //   latent 1: [0.8, 0.3,  0.0]
  const cos = f64([0.9, 0.1, -0.2, 0.8, 0.3, 0.0]);

  it("true→SAE averages over features, SAE→true over latents, and they differ", () => {
    // true→SAE: feature maxima over latents 0.9, 0.3, 0.0 → 1.2/3 = 0.4
    expect(mmcsTrueToSae(cos, 2, 3)).toBeCloseTo(0.4, 12);
    // SAE→true: latent maxima over features 0.9, 0.8 → 0.85
    expect(mmcsSaeToTrue(cos, 2, 3)).toBeCloseTo(0.85, 12);
  });

  it("uses the signed cosine, while feature recovery uses |cos|", () => {
    // One latent, cos with 2 features = [−0.95, 0.5]: signed maxima −0.95, 0.5 → mean −0.225.
    const anti = f64([-0.95, 0.5]);
    expect(mmcsTrueToSae(anti, 1, 2)).toBeCloseTo(-0.225, 12);
    // recovery at τ = 0.9 uses |cos|: feature 0 (0.95) recovered, feature 1 (0.5) not → 1/2
    expect(featureRecovery(anti, 1, 2, 0.9)).toBe(0.5);
  });

  it("feature recovery counts features whose best |cos| reaches τ", () => {
    // feature best |cos|: 0.9, 0.3, 0.2 → at τ = 0.85 only feature 0 → 1/3; at τ = 0.25 → 2/3
    expect(featureRecovery(cos, 2, 3, 0.85)).toBeCloseTo(1 / 3, 12);
    expect(featureRecovery(cos, 2, 3, 0.25)).toBeCloseTo(2 / 3, 12);
  });
});

describe("MCC (Hungarian matching on |cos|)", () => {
  it("beats the greedy matching where greedy takes the single best pair first", () => {
    // |cos|: latent 0: [0.9, 0.8]
    //        latent 1: [0.7, 0.1]    (stored as −0.7: the sign is ignored)
    // greedy: (0,0)=0.9 then (1,1)=0.1 → mean 0.5
    // optimal: (0,1)=0.8 + (1,0)=0.7 = 1.5 → MCC 0.75
    const cos = f64([0.9, 0.8, -0.7, 0.1]);
    const res = mccMatching(cos, 2, 2);
    expect(res.mcc).toBeCloseTo(0.75, 12);
    expect(res.pairs).toEqual([
      { latent: 0, feature: 1, absCos: 0.8 },
      { latent: 1, feature: 0, absCos: 0.7 },
    ]);
  });

  it("matches min(M, F) pairs on a rectangular matrix, either orientation", () => {
    // 3 latents × 2 features:
    //   latent 0: [0.9, 0.8], latent 1: [0.7, 0.1], latent 2: [0.2, 0.85]
    // best totals: (0,0)+(2,1) = 0.9+0.85 = 1.75 > (0,1)+(1,0) = 1.5 > (1,0)+(2,1) = 1.55 → MCC 0.875
    const tall = f64([0.9, 0.8, 0.7, 0.1, 0.2, 0.85]);
    expect(mcc(tall, 3, 2)).toBeCloseTo(0.875, 12);
    expect(mccMatching(tall, 3, 2).pairs.map((p) => [p.latent, p.feature])).toEqual([
      [0, 0],
      [2, 1],
    ]);
    // Transposed (2 latents × 3 features) gives the same value.
    const wide = f64([0.9, 0.7, 0.2, 0.8, 0.1, 0.85]);
    expect(mcc(wide, 2, 3)).toBeCloseTo(0.875, 12);
  });
});

describe("geometric median (Weiszfeld)", () => {
  it("is the centre of a symmetric point set", () => {
    // Square corners around (2, −1): by symmetry the median is the centre.
    const pts = f64([3, 0, 1, 0, 3, -2, 1, -2]);
    const m = geometricMedian(pts, 4, 2);
    expect(m[0]).toBeCloseTo(2, 9);
    expect(m[1]).toBeCloseTo(-1, 9);
  });

  it("is the middle point of collinear points, robust to an outlier unlike the mean", () => {
    // (0,0), (1,1), (2,2), (3,3), (100,100): Σ distances is minimised at the middle point (2,2);
    // the mean is (21.2, 21.2), dragged by the outlier.
    const pts = f64([0, 0, 1, 1, 2, 2, 3, 3, 100, 100]);
    const res = geometricMedianWithInfo(pts, 5, 2);
    expect(res.median[0]).toBeCloseTo(2, 6);
    expect(res.median[1]).toBeCloseTo(2, 6);
    // Objective at (2,2): √2·(2 + 1 + 0 + 1 + 98)/5 = √2·20.4
    expect(res.objective).toBeCloseTo(Math.SQRT2 * 20.4, 6);
    expect(res.iterations).toBeLessThanOrEqual(100);
  });

  it("moves little when the outlier moves far", () => {
    const near = geometricMedian(f64([0, 0, 1, 1, 2, 2, 3, 3, 100, 100]), 5, 2);
    const far = geometricMedian(f64([0, 0, 1, 1, 2, 2, 3, 3, 1e6, 1e6]), 5, 2);
    expect(Math.abs(near[0] - far[0])).toBeLessThan(1e-3);
  });
});

describe("reconstruction metrics", () => {
  // x    = [[3, 4], [0, 0], [1, 0]]
  // xHat = [[1.5, 2], [0, 0], [1, 0]]
  const x = f64([3, 4, 0, 0, 1, 0]);
  const xHat = new Float32Array([1.5, 2, 0, 0, 1, 0]);

  it("shrinkage skips zero inputs", () => {
    // ‖x‖ = 5, 0 (skipped), 1; ‖x̂‖ = 2.5, ·, 1 → ratios 0.5, 1 → 0.75
    expect(shrinkage(x, xHat, 3, 2)).toBeCloseTo(0.75, 12);
  });

  it("varianceExplained is uncentred: 1 − Σ‖x̂−x‖²/Σ‖x‖²", () => {
    // Σ‖x̂−x‖² = 1.5² + 2² = 6.25; Σ‖x‖² = 25 + 0 + 1 = 26 → 1 − 6.25/26 = 0.7596153846…
    expect(varianceExplained(x, xHat)).toBeCloseTo(1 - 6.25 / 26, 12);
  });

  it("explainedVariancePooled centres on the set mean", () => {
    // E‖x−x̂‖² = 6.25/3; E‖x‖² = 26/3; E x = (4/3, 4/3), ‖E x‖² = 32/9
    // denominator 26/3 − 32/9 = 46/9 → 1 − (6.25/3)/(46/9) = 1 − 18.75/46 = 0.5923913…
    expect(explainedVariancePooled(x, xHat, 3, 2)).toBeCloseTo(1 - 18.75 / 46, 12);
  });

  it("fvuPerSample uses denominator 1 for a zero input", () => {
    // 6.25/25 = 0.25; 0/1 = 0; 0/1 = 0
    expect(Array.from(fvuPerSample(x, xHat, 3, 2))).toEqual([0.25, 0, 0]);
  });

  it("relative reconstruction bias γ = E‖x̂‖² / E[x·x̂]", () => {
    // Σ‖x̂‖² = 6.25 + 0 + 1 = 7.25; Σ x·x̂ = (4.5 + 8) + 0 + 1 = 13.5 → 0.537037…
    expect(relativeReconstructionBias(x, xHat, 3, 2)).toBeCloseTo(7.25 / 13.5, 12);
  });

  it("L0, firing density and dead latents", () => {
    // acts [B=3, dSae=3] = [[1, 0, 0], [0.5, 2, 0], [0, 0, 0]]
    // active per sample 1, 2, 0 → L0 = 1; density [2/3, 1/3, 0]; latent 2 never fires → dead
    const acts = new Float32Array([1, 0, 0, 0.5, 2, 0, 0, 0, 0]);
    expect(l0(acts, 3, 3)).toBe(1);
    expect(Array.from(firingDensity(acts, 3, 3))).toEqual([2 / 3, 1 / 3, 0]);
    expect(deadLatents(acts, 3, 3)).toEqual([2]);
  });
});
