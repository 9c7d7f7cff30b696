import { describe, expect, it, beforeAll } from "vitest";
import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-cpu";
import "@tensorflow/tfjs-core/dist/register_all_gradients";
import { Rng } from "../src/random.ts";
import { embedFeatures, orthogonalFeatureEmbedding, orthogonalityLossAndGrad, orthogonalityReferenceLoss } from "../src/models/orthogonal-embedding.ts";

beforeAll(async () => {
  await tf.setBackend("cpu");
});

/** max |E·Eᵀ − I| over all entries. */
function gramError(e: Float32Array, n: number, h: number): number {
  let worst = 0;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      let dot = 0;
      for (let k = 0; k < h; k++) dot += e[i * h + k] * e[j * h + k];
      worst = Math.max(worst, Math.abs(dot - (i === j ? 1 : 0)));
    }
  }
  return worst;
}

describe("toy model embedding", () => {
  it("hand-written gradient matches tfjs autodiff (with and without a target cosine)", () => {
    const rng = new Rng(1);
    const n = 6,
      h = 4;
    const e = rng.fillNormal(new Float32Array(n * h));
    for (const target of [0, 0.2]) {
      const grad = new Float64Array(n * h);
      const loss = orthogonalityLossAndGrad(e, n, h, target, grad);
      const et = tf.tensor2d(e, [n, h]);
      const refLoss = orthogonalityReferenceLoss(tf, et, target).dataSync()[0];
      const refGrad = tf
        .grad((x: tf.Tensor) => orthogonalityReferenceLoss(tf, x as tf.Tensor2D, target))(et)
        .dataSync();
      expect(loss).toBeCloseTo(refLoss, 3);
      for (let k = 0; k < n * h; k++) expect(grad[k]).toBeCloseTo(refGrad[k], 3);
    }
  });

  it("gives E·Eᵀ = I ± 1e-5 when N ≤ H (10 in 10, 5 in 20)", () => {
    for (const [n, h] of [
      [10, 10],
      [5, 20],
    ]) {
      const e = orthogonalFeatureEmbedding(n, h, {}, new Rng(42).fork(`${n}x${h}`));
      expect(gramError(e, n, h)).toBeLessThan(1e-5);
    }
  });

  it("50 in 100: the original 1000 Adam steps end near-orthonormal; a loss tolerance makes it exact", () => {
    // Adam oscillates around the minimum once its second moment has decayed (see
    // stopBelowLoss), so the faithful run is orthonormal only to ~1e-3.
    const losses: number[] = [];
    const faithful = orthogonalFeatureEmbedding(50, 100, { onStep: (_, l) => losses.push(l) }, new Rng(42));
    expect(losses.length).toBe(1000);
    expect(Math.min(...losses)).toBeLessThan(1e-10);
    expect(gramError(faithful, 50, 100)).toBeLessThan(2e-2);
    const exact = orthogonalFeatureEmbedding(50, 100, { stopBelowLoss: 1e-10 }, new Rng(42));
    expect(gramError(exact, 50, 100)).toBeLessThan(1e-5);
  });

  it("after only 4 steps (the superposition model) rows are unit but far from orthogonal", () => {
    const e = orthogonalFeatureEmbedding(5, 20, { steps: 4 }, new Rng(7));
    let maxCos = 0;
    for (let i = 0; i < 5; i++) {
      let n2 = 0;
      for (let k = 0; k < 20; k++) n2 += e[i * 20 + k] ** 2;
      expect(n2).toBeCloseTo(1, 6);
      for (let j = 0; j < i; j++) {
        let dot = 0;
        for (let k = 0; k < 20; k++) dot += e[i * 20 + k] * e[j * 20 + k];
        maxCos = Math.max(maxCos, Math.abs(dot));
      }
    }
    expect(maxCos).toBeGreaterThan(0.05);
  });

  it("is deterministic for a seed", () => {
    const a = orthogonalFeatureEmbedding(5, 8, { steps: 20 }, new Rng(3));
    const b = orthogonalFeatureEmbedding(5, 8, { steps: 20 }, new Rng(3));
    expect(Array.from(a)).toEqual(Array.from(b));
  });

  it("embeds features as features·E", () => {
    const e = Float32Array.from([1, 0, 0, 0, 1, 0]); // 2 features in 3-d
    const x = embedFeatures(Float32Array.from([2, 0, 0.5, 3]), e, 2, 3);
    expect(Array.from(x)).toEqual([2, 0, 0, 0.5, 3, 0]);
  });
});
