import { describe, expect, it } from "vitest";
import { adjustForSuperposition, findBestIndexReordering, findBestIndexReorderingForSaes, reorderRows, roundCos } from "../src/metrics/cos-reordering.ts";
import { decoderProjections, nthDecoderProjection, nthDecoderProjections } from "../src/metrics/nth-decoder-projection.ts";
import { columnsAsRows, meanAbsPairwiseCosine } from "../src/metrics/pairwise-cosine.ts";
import { decoderFeatureCos, encoderFeatureCos, evalSparseButWrong, featureMixingScore } from "../src/metrics/sparse-but-wrong.ts";

describe("n-th decoder projection", () => {
  // W_dec rows (1,0), (0,1), (1,1); b_dec = (1,0); x = (3,1), (1,2)
  // x − b_dec = (2,1), (0,2) → P = [[2,1,3],[0,2,2]] → sorted desc 3,2,2,2,1,0
  const wDec = Float32Array.from([1, 0, 0, 1, 1, 1]);
  const bDec = Float32Array.from([1, 0]);
  const x = Float32Array.from([3, 1, 1, 2]);

  it("projects (x − b_dec) on the decoder rows, with no ReLU or b_enc", () => {
    expect(Array.from(decoderProjections(x, 2, 2, wDec, bDec, 3))).toEqual([2, 1, 3, 0, 2, 2]);
  });

  it("takes index n·B of the descending sort", () => {
    expect(Array.from(nthDecoderProjections(x, 2, 2, wDec, bDec, 3))).toEqual([3, 2, 1]);
    expect(nthDecoderProjection(x, 2, 2, wDec, bDec, 3, 0)).toBe(3);
    expect(nthDecoderProjection(x, 2, 2, wDec, bDec, 3, 2)).toBe(1);
    expect(() => nthDecoderProjection(x, 2, 2, wDec, bDec, 3, 3)).toThrow(/outside/);
  });
});

describe("pairwise cosine", () => {
  it("averages |cos| over the upper triangle", () => {
    // pairs: (1,0)·(0,1) = 0, (1,0)·(−1,−1)/√2 = −1/√2, (0,1)·(−1,−1)/√2 = −1/√2
    expect(meanAbsPairwiseCosine(Float32Array.from([1, 0, 0, 3, -1, -1]), 3, 2)).toBeCloseTo(Math.SQRT2 / 3, 12);
    expect(meanAbsPairwiseCosine(Float32Array.from([1, 0]), 1, 2)).toBeNaN();
  });

  it("reads encoder directions from W_enc columns", () => {
    expect(Array.from(columnsAsRows(Float32Array.from([1, 2, 3, 4, 5, 6]), 2, 3))).toEqual([1, 4, 2, 5, 3, 6]);
  });
});

describe("latent × feature cosines", () => {
  const embedding = Float32Array.from([1, 0, 0, 0, 1, 0]); // 2 features in 3-d
  it("decoder rows and encoder columns against the features", () => {
    const wDec = Float32Array.from([0, 2, 0, 3, 0, 4]); // latent 0 = f1, latent 1 = (3,0,4)/5
    expect(Array.from(decoderFeatureCos(wDec, 2, embedding, 2, 3)).map((v) => +v.toFixed(12))).toEqual([0, 1, 0.6, 0]);
    const wEnc = Float32Array.from([0, 3, 2, 0, 0, 4]); // the same directions as columns
    expect(Array.from(encoderFeatureCos(wEnc, 2, embedding, 2, 3)).map((v) => +v.toFixed(12))).toEqual([0, 1, 0.6, 0]);
  });

  it("feature mixing = mean cos of latents 1, 2, 3 with feature 0", () => {
    const cos = new Float64Array(25);
    cos.set([0.1, 0.2, 0.6], 5); // latent 1 row: (0.1, 0.2, 0.6, …)
    cos[10] = 0.3;
    cos[15] = -0.1;
    cos[20] = 0.9; // latent 4 is not counted
    expect(featureMixingScore(cos, 5, 5)).toBeCloseTo((0.1 + 0.3 - 0.1) / 3, 12);
  });
});

describe("heatmap reordering", () => {
  it("rounds to 0.01 half-to-even and removes −0", () => {
    const r = roundCos(Float64Array.from([0.125, -0.001, 0.556, -0.994]));
    expect(Array.from(r)).toEqual([0.12, 0, 0.56, -0.99]);
    expect(Object.is(r[1], -0)).toBe(false);
  });

  it("orders latents by their best |cos| feature and scores the signed diagonal", () => {
    // latent 0 ↔ feature 1, latent 1 ↔ feature 2 (negative), latent 2 ↔ feature 0
    const cos = Float64Array.from([0.1, 0.9, 0.0, 0.2, 0.1, -0.95, 0.8, 0.3, 0.1]);
    const { order, score } = findBestIndexReordering(cos, 3, 3);
    expect(Array.from(order)).toEqual([2, 0, 1]);
    expect(score).toBeCloseTo((0.8 + 0.9 - 0.95) / 3, 12);
    expect(Array.from(reorderRows(cos, order, 3))).toEqual([0.8, 0.3, 0.1, 0.1, 0.9, 0, 0.2, 0.1, -0.95]);
  });

  it("keeps the order of the best-scoring SAE for a set of SAEs", () => {
    const worse = Float64Array.from([0.5, 0.1, 0.1, 0.4]); // identity order, score .45
    const better = Float64Array.from([0.1, 0.9, 0.8, 0.1]); // order [1, 0], score .85
    const r = findBestIndexReorderingForSaes([worse, better], 2, 2);
    expect(Array.from(r.order)).toEqual([1, 0]);
    expect(r.score).toBeCloseTo(0.85, 12);
    expect(() => findBestIndexReorderingForSaes([], 2, 2)).toThrow();
  });

  it("subtracts the features' off-diagonal cosines (superposition adjustment)", () => {
    const cos = Float64Array.from([1, 0.3, 0.2, 0.9]);
    const featureCos = Float64Array.from([1, 0.25, 0.25, 1]);
    const out = adjustForSuperposition(cos, featureCos, 2);
    expect(Array.from(out).map((v) => +v.toFixed(12))).toEqual([1, 0.05, -0.05, 0.9]);
  });
});

describe("evaluation summary", () => {
  it("true L0, SAE L0, dead latents, shrinkage and uncentred variance explained", () => {
    const features = Float32Array.from([1, 0, 1, 0, 0, 0]); // [2, 3]: L0 (2 + 0)/2 = 1
    const x = Float32Array.from([3, 4, 0, 0]); // second sample is empty
    const xHat = Float32Array.from([1.5, 2, 0, 0.1]);
    const acts = Float32Array.from([0.5, 0, 0, 0, 0, 0.2]); // [2, 3]: latent 1 dead
    const e = evalSparseButWrong(features, 3, x, xHat, acts, 2, 2, 3);
    expect(e.trueL0).toBe(1);
    expect(e.saeL0).toBe(1);
    expect(e.dead).toBe(1);
    expect(e.shrinkage).toBeCloseTo(0.5, 6); // the empty sample is skipped
    expect(e.varianceExplained).toBeCloseTo(1 - (1.5 ** 2 + 2 ** 2 + 0.1 ** 2) / 25, 6);
  });
});
