import { describe, expect, it, beforeAll } from "vitest";
import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-cpu";
import { Rng } from "../src/random.ts";
import { batchTopKLossAndGrads, batchTopKState } from "../src/sae/batchtopk/kernel.ts";
import { matryoshkaBatchTopKLossAndGrads, resolveMatryoshkaWidths, type MatryoshkaBatchTopKHyper } from "../src/sae/matryoshka-batchtopk/kernel.ts";
import { matryoshkaBatchTopKReferenceLoss } from "../src/sae/matryoshka-batchtopk/reference.ts";
import { emptySaeParams, type GridBatch, type SaeParams } from "../src/sae/types.ts";
import { autodiff, expectMatchesCentralDifference, maxRelErr } from "./sae/gradient-check.ts";

beforeAll(async () => {
  await tf.setBackend("cpu");
});

describe("Matryoshka BatchTopK widths (SAELens 6.18 validation)", () => {
  it("appends d_sae when the last width is not d_sae", () => {
    expect(resolveMatryoshkaWidths([1, 3], 4)).toEqual([1, 3, 4]);
    expect(resolveMatryoshkaWidths([2, 4], 4)).toEqual([2, 4]);
    expect(resolveMatryoshkaWidths([4], 4)).toEqual([4]);
  });

  it("rejects widths that are not strictly increasing, or pass d_sae", () => {
    expect(() => resolveMatryoshkaWidths([3, 2], 4)).toThrow("strictly increasing and end at d_sae 4, got [3, 2, 4]");
    expect(() => resolveMatryoshkaWidths([2, 5], 4)).toThrow("got [2, 5, 4]");
    expect(() => resolveMatryoshkaWidths([1, 1, 4], 4)).toThrow("strictly increasing");
    expect(() => resolveMatryoshkaWidths([], 4)).toThrow("must not be empty");
  });
});

/**
 * dIn 2, dSae 2, W_enc = I, b = 0, W_dec rows [3, 0] and [0, 1.5]; x_1 = [1, 3], x_2 = [−1, 0]
 * (h_2 ≤ 0, a_2 = 0); widths [1] → [1, 2]: one inner level of width 1.
 */
function handCase(): { p: SaeParams; batch: GridBatch } {
  const p = emptySaeParams({ instances: 1, dIn: 2, dSae: 2 });
  p.wEnc.set([1, 0, 0, 1]);
  p.wDec.set([3, 0, 0, 1.5]);
  return { p, batch: { x: [Float32Array.from([1, 3, -1, 0])], batch: 2, group: Int32Array.from([0]) } };
}

describe("Matryoshka BatchTopK loss by hand", () => {
  // ReLU(h) = [[1, 3], [0, 0]].
  // k = 1, B = 2 → 2 kept: a_1 = [1, 3]. Full: x̂_1 = [3, 4.5], e = [2, 1.5], 6.25; x_2: e = [1, 0], 1
  //   → mse 3.625. Width 1: x̂_1 = [3, 0], e = [2, −3], 13; x_2: 1 → 7. Total 10.625.
  // k = .5 → 1 kept: a_1 = [0, 3]. Full: e = [−1, 1.5], 3.25 → 2.125. Width 1: x̂_1 = 0,
  //   e = [−1, −3], 10 → 5.5. Total 7.625.
  const cases: Array<[number, number[], number, number]> = [
    [1, [1], 3.625 + 7, 7],
    [0.5, [1], 2.125 + 5.5, 5.5],
    [1, [2], 3.625, 0], // a single level: plain BatchTopK
  ];
  for (const [k, widths, expected, inner] of cases) {
    it(`k = ${k}, widths [${widths}]: ${expected}`, () => {
      const { p, batch } = handCase();
      const hyper: MatryoshkaBatchTopKHyper = { k: Float64Array.from([k]), auxCoefficient: 1, widths };
      const state = batchTopKState(p);
      const out = matryoshkaBatchTopKLossAndGrads(p, hyper, state, batch, emptySaeParams(p));
      expect(out.loss[0]).toBeCloseTo(expected, 10);
      expect(out.inner[0]).toBeCloseTo(inner, 10);
      expect(out.reconstruction[0]).toBeCloseTo(expected, 10);
      const ref = autodiff(p, batch, (t, x) => matryoshkaBatchTopKReferenceLoss(tf, t, x, hyper, state), emptySaeParams(p));
      expect(ref[0]).toBeCloseTo(expected, 5);
    });
  }
});

describe("Matryoshka BatchTopK gradients", () => {
  function setup(seed: number, I: number, D: number, M: number, B: number) {
    const rng = new Rng(seed);
    const p = emptySaeParams({ instances: I, dIn: D, dSae: M });
    rng.fillNormal(p.wEnc, 0, 0.5);
    rng.fillNormal(p.wDec, 0, 0.5);
    rng.fillNormal(p.bEnc, 0, 0.3);
    rng.fillNormal(p.bDec, 0, 0.2);
    const x = [rng.fillUniform(new Float32Array(B * D), -1, 1), rng.fillUniform(new Float32Array(B * D), -1, 1)];
    return { p, batch: { x, batch: B, group: Int32Array.from({ length: I }, (_, i) => i % 2) } as GridBatch };
  }

  it("fused = tfjs autodiff, with and without dead latents (aux-k)", () => {
    const { p, batch } = setup(41, 2, 6, 7, 16);
    for (const deadMask of [
      [0, 0, 0, 0, 0, 0, 0],
      [1, 0, 0, 1, 0, 0, 1],
    ]) {
      const hyper: MatryoshkaBatchTopKHyper = { k: Float64Array.from([1.8, 3.3]), auxCoefficient: 1, widths: [2, 3, 5] };
      const state = batchTopKState(p);
      state.dead.set(deadMask, 0);
      const fused = emptySaeParams(p);
      const out = matryoshkaBatchTopKLossAndGrads(p, hyper, state, batch, fused);
      const ref = emptySaeParams(p);
      const refLoss = autodiff(p, batch, (t, x) => matryoshkaBatchTopKReferenceLoss(tf, t, x, hyper, state), ref);
      for (let i = 0; i < 2; i++) {
        expect(out.loss[i]).toBeCloseTo(refLoss[i], 4);
        expect(out.inner[i]).toBeGreaterThan(0);
      }
      if (deadMask[0]) expect(out.auxiliary[0]).toBeGreaterThan(0);
      for (const k of ["wEnc", "bEnc", "wDec", "bDec"] as const) expect(maxRelErr(fused[k], ref[k]), k).toBeLessThan(1e-3);
    }
  });

  it("the inner levels use the base's selection: with a single level the step is exactly BatchTopK's", () => {
    const { p, batch } = setup(42, 2, 5, 4, 12);
    const hyper = { k: Float64Array.from([1.5, 2]), auxCoefficient: 1 };
    const state = batchTopKState(p);
    const a = emptySaeParams(p);
    const b = emptySaeParams(p);
    const plain = batchTopKLossAndGrads(p, hyper, state, batch, a);
    const mat = matryoshkaBatchTopKLossAndGrads(p, { ...hyper, widths: [4] }, state, batch, b);
    expect(Array.from(mat.loss)).toEqual(Array.from(plain.loss));
    expect(Array.from(b.wDec)).toEqual(Array.from(a.wDec));
    expect(Array.from(mat.l0)).toEqual(Array.from(plain.l0));
  });

  it("agrees with central differences of its own loss (mask fixed by small steps)", () => {
    const { p, batch } = setup(43, 1, 4, 5, 8);
    const hyper: MatryoshkaBatchTopKHyper = { k: Float64Array.from([2.5]), auxCoefficient: 1, widths: [1, 3] };
    const state = batchTopKState(p);
    const g = emptySaeParams(p);
    matryoshkaBatchTopKLossAndGrads(p, hyper, state, batch, g);
    expectMatchesCentralDifference(p, g, (q) => matryoshkaBatchTopKLossAndGrads(q, hyper, state, batch, emptySaeParams(q)).loss[0]);
  });
});
