import { describe, expect, it } from "vitest";
import { Rng } from "../../src/random.ts";
import { initSaeToMatchModel } from "../../src/sae/shared/init-to-truth.ts";
import { initSaeLens } from "../../src/sae/shared/saelens-base.ts";
import { emptySaeParams } from "../../src/sae/types.ts";

// 3 features in 2-d: f0 = (1, 0), f1 = (0, 1), f2 = (0.6, 0.8)
const embedding = Float32Array.from([1, 0, 0, 1, 0.6, 0.8]);

describe("initSaeToMatchModel", () => {
  it("puts feature j in encoder column j and W_dec = W_encᵀ, in the given instance only", () => {
    const p = emptySaeParams({ instances: 2, dIn: 2, dSae: 3 });
    initSaeToMatchModel(p, 1, embedding, 3);
    expect(Array.from(p.wEnc.subarray(6))).toEqual(Array.from(Float32Array.from([1, 0, 0.6, 0, 1, 0.8])));
    expect(Array.from(p.wDec.subarray(6))).toEqual(Array.from(embedding));
    expect(Array.from(p.wEnc.subarray(0, 6))).toEqual([0, 0, 0, 0, 0, 0]);
  });

  it("permutes among the first m = min(dSae, N) features and copies every encoder column to the decoder", () => {
    // dSae = 2 < N = 3: only f0 and f1, swapped
    const small = emptySaeParams({ instances: 1, dIn: 2, dSae: 2 });
    initSaeToMatchModel(small, 0, embedding, 3, { featureOrdering: [1, 0] });
    expect(Array.from(small.wDec)).toEqual([0, 1, 1, 0]);
    expect(() => initSaeToMatchModel(small, 0, embedding, 3, { featureOrdering: [2, 0] })).toThrow(/featureOrdering/);
    // dSae = 4 > N = 3: latent 3 keeps its random encoder column, the decoder copies it
    const big = initSaeLens({ instances: 1, dIn: 2, dSae: 4 }, [new Rng(1)]);
    big.wDec.fill(7); // anything: it is overwritten from W_encᵀ
    initSaeToMatchModel(big, 0, embedding, 3);
    expect(big.wDec[6]).toBe(big.wEnc[0 * 4 + 3]);
    expect(big.wDec[7]).toBe(big.wEnc[1 * 4 + 3]);
    expect(big.wDec[6]).not.toBe(7);
  });

  it("adds noise·randn to the copied features", () => {
    const p = emptySaeParams({ instances: 1, dIn: 2, dSae: 3 });
    initSaeToMatchModel(p, 0, embedding, 3, { noiseLevel: 0.01, rng: new Rng(3) });
    let maxDiff = 0;
    for (let j = 0; j < 3; j++) for (let k = 0; k < 2; k++) maxDiff = Math.max(maxDiff, Math.abs(p.wDec[j * 2 + k] - embedding[j * 2 + k]));
    expect(maxDiff).toBeGreaterThan(1e-4);
    expect(maxDiff).toBeLessThan(0.05);
    expect(() => initSaeToMatchModel(p, 0, embedding, 3, { noiseLevel: 0.1 })).toThrow(/rng/);
  });
});
