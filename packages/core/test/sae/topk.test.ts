/**
 * TopK: an architecture written only in tfjs ops. Its codes are checked by hand, its reference
 * gradients against central differences, and it trains through the one trainer by autodiff
 * (the `tfjs` engine, which is what the trainer uses for an architecture without a fused kernel).
 */
import { beforeAll, describe, expect, it } from "vitest";
import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-cpu";
import { Rng } from "../../src/random.ts";
import { architecture as topk, encodeTopK } from "../../src/sae/topk/index.ts";
import { topKReference } from "../../src/sae/topk/reference.ts";
import { emptySaeParams, type GridBatch, type SaeParams } from "../../src/sae/types.ts";
import { initFor, trainWith } from "../train/harness.ts";
import { autodiff } from "./gradient-check.ts";

beforeAll(async () => {
  await tf.setBackend("cpu");
});

describe("TopK SAE (tfjs only)", () => {
  it("has no fused kernel: the trainer differentiates its reference loss", () => {
    expect(topk.fused).toBeUndefined();
    expect(topk.hyper).toEqual(["k"]);
  });

  it("keeps each sample's k largest pre-activations, ReLU'd", () => {
    const p = emptySaeParams({ instances: 1, dIn: 3, dSae: 3 });
    p.wEnc.set([1, 0, 0, 0, 1, 0, 0, 0, 1]); // identity encoder
    p.bEnc.set([0, 0, -0.5]);
    // sample 0: h = (3, 1, 1.5) → top 2 = latents 0 and 2; sample 1: h = (−1, −2, −0.5) → top 2 are negative → 0
    const codes = encodeTopK(p, 0, Float32Array.from([3, 1, 2, -1, -2, 0]), 2, 2);
    expect(Array.from(codes)).toEqual([3, 0, 1.5, 0, 0, 0]);
  });

  it("the reference loss is ‖x̂ − x‖² with the k-sparse codes, and its gradients match central differences", () => {
    const rng = new Rng(3);
    const I = 2,
      D = 4,
      M = 5,
      B = 6;
    const p = emptySaeParams({ instances: I, dIn: D, dSae: M });
    for (const t of [p.wEnc, p.wDec, p.bEnc, p.bDec]) rng.fillNormal(t, 0, 0.5);
    const x = [rng.fillUniform(new Float32Array(B * D), -1, 1)];
    const batch: GridBatch = { x, batch: B, group: new Int32Array(I) };
    const k = Float64Array.from([2, 3]);
    const dead = new Uint8Array(I * M);
    const loss = (q: SaeParams) => autodiff(q, batch, (t, xs) => topKReference(tf, t, xs, k, 1, dead).loss, emptySaeParams(q));
    const grads = emptySaeParams(p);
    const losses = autodiff(p, batch, (t, xs) => topKReference(tf, t, xs, k, 1, dead).loss, grads);
    // the loss recomputed by hand from encodeTopK
    for (let i = 0; i < I; i++) {
      const codes = encodeTopK(p, i, x[0], B, k[i]);
      let sum = 0;
      for (let s = 0; s < B; s++) {
        for (let d = 0; d < D; d++) {
          let xh = p.bDec[i * D + d];
          for (let j = 0; j < M; j++) xh += codes[s * M + j] * p.wDec[(i * M + j) * D + d];
          sum += (xh - x[0][s * D + d]) ** 2;
        }
      }
      expect(losses[i]).toBeCloseTo(sum / B, 4);
    }
    // decoder and decoder-bias gradients by central differences (no selection changes there)
    const h = 1e-3;
    for (const name of ["wDec", "bDec"] as const) {
      for (let e = 0; e < p[name].length; e += 3) {
        const orig = p[name][e];
        p[name][e] = orig + h;
        const up = loss(p);
        p[name][e] = orig - h;
        const down = loss(p);
        p[name][e] = orig;
        const inst = Math.floor(e / (p[name].length / I));
        expect(grads[name][e]).toBeCloseTo((up[inst] - down[inst]) / (2 * h), 2);
      }
    }
  });

  it("trains through the generic trainer (saelens-6.11 recipe) and lowers the reconstruction error", async () => {
    const rng = new Rng(8);
    const D = 6,
      N = 3,
      B = 128;
    // three orthogonal features, each on with p = 0.3
    const sample = () => {
      const x = new Float32Array(B * D);
      for (let s = 0; s < B; s++) for (let f = 0; f < N; f++) if (rng.uniform() < 0.3) x[s * D + 2 * f] = 1 + 0.1 * rng.normal();
      return x;
    };
    const p = await initFor("topk", { instances: 2, dIn: D, dSae: 4 }, [new Rng(1), new Rng(2)]);
    const result = await trainWith("topk", "saelens-6.11", p, {
      steps: 120,
      batch: B,
      lr: Float64Array.from([1e-2, 1e-2]),
      hyper: { k: Float64Array.from([1, 2]) },
      sample,
      logEvery: 10,
    });
    for (let i = 0; i < 2; i++) {
      const first = result.curves.find((c) => c.step === 0 && c.instance === i);
      const last = result.curves.find((c) => c.step === 119 && c.instance === i);
      expect(last?.reconstruction).toBeLessThan(0.5 * (first?.reconstruction ?? 0));
      expect(last?.l0).toBeLessThanOrEqual(i + 1);
    }
    expect(Array.from(result.diverged)).toEqual([0, 0]);
  });
});
