/**
 * End-to-end: the ARENA generator feeding the ARENA TMS model (here because the generators
 * package depends on core, not the other way round).
 */
import { describe, expect, it } from "vitest";
import { Rng } from "@toy-sae/core/random";
import { arenaTmsPreset, createArenaTms, trainArenaToyModel } from "@toy-sae/core/models/arena-tms";
import { dimensionsPerFeature, featureDimensionality, featureNorms } from "@toy-sae/core/metrics/dimensionality";
import { arenaBatchSampler } from "../src/arena.ts";

describe("5 features in 2-d (ARENA figure 27)", () => {
  it("the dense instance (p = 1) keeps its 2 most important features, orthogonal; the sparsest (p = 1/50) forms a pentagon", () => {
    // The first and last instances of the features-2d preset, trained alone to keep CI short
    // (the cost is linear in instances). 10,000 steps (the OLD count): after S's 5,000 the
    // p = 1 instance is, for some seeds, still dropping its third feature; at 10,000 every
    // seed tried (0–4) has settled.
    const preset = arenaTmsPreset("features-2d");
    const p = [preset.featureProbability[0], preset.featureProbability[7]];
    expect(p[0]).toBe(1);
    expect(p[1]).toBeCloseTo(0.02, 12);
    const root = new Rng(0);
    const model = createArenaTms({ instances: 2, nFeatures: 5, dHidden: 2 }, { importance: preset.importance, featureProbability: p }, [root.fork("init/0"), root.fork("init/1")]);
    const sample = arenaBatchSampler({ instances: 2, nFeatures: 5, featureProbability: p });
    const data = root.fork("data");
    trainArenaToyModel(model, (batch) => sample(batch, data), { steps: 10_000, batch: preset.batch, lr: preset.lr });

    const dense = model.w.subarray(0, 10); // [dHidden 2, nFeatures 5]
    const denseNorms = featureNorms(dense, 2, 5);
    // features 0 and 1 (importance 1 and 0.9) at unit norm, the other three dropped
    expect(denseNorms[0]).toBeCloseTo(1, 1);
    expect(denseNorms[1]).toBeCloseTo(1, 1);
    for (const f of [2, 3, 4]) expect(denseNorms[f], `feature ${f}`).toBeLessThan(0.1);
    const cos01 = (dense[0] * dense[1] + dense[5] * dense[6]) / (denseNorms[0] * denseNorms[1]);
    expect(Math.abs(cos01)).toBeLessThan(0.05);
    const dDense = featureDimensionality(dense, 2, 5);
    expect(dDense[0]).toBeGreaterThan(0.95);
    expect(dDense[1]).toBeGreaterThan(0.95);

    const sparse = model.w.subarray(10, 20);
    for (const n of featureNorms(sparse, 2, 5)) expect(n).toBeGreaterThan(0.9);
    for (const d of featureDimensionality(sparse, 2, 5)) expect(d).toBeCloseTo(0.4, 1); // 2/5 each: a pentagon
    expect(dimensionsPerFeature(sparse, 2, 5)).toBeLessThan(0.45); // 2/‖W‖²_F, pentagon of norm ≈ 1.15 arrows
  });
});
