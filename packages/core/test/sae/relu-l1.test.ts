import { describe, expect, it, beforeAll } from "vitest";
import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-cpu";
import { Rng } from "../../src/random.ts";
import { initReluL1, normaliseDecoderRows, reluL1LossAndGrads, reluL1State, removeParallelDecoderGrad } from "../../src/sae/relu-l1/kernel.ts";
import { emptySaeParams, type GridBatch, type SaeParams } from "../../src/sae/types.ts";
import { reluL1Reference } from "../../src/sae/relu-l1/reference.ts";
import { autodiff, expectMatchesCentralDifference, maxRelErr } from "./gradient-check.ts";

beforeAll(async () => {
  await tf.setBackend("cpu");
});

function setup(seed: number, I = 3, D = 2, M = 4, B = 16) {
  const rng = new Rng(seed);
  const p = initReluL1(
    { instances: I, dIn: D, dSae: M },
    Array.from({ length: I }, (_, i) => rng.fork(`i${i}`)),
  );
  rng.fillNormal(p.bEnc, 0, 0.3);
  rng.fillNormal(p.bDec, 0, 0.1);
  const x = [new Float32Array(B * D), new Float32Array(B * D)];
  for (const g of x) rng.fillUniform(g, -1, 1);
  x[0].fill(0, 0, D); // one all-zero sample exercises the ‖x‖ = 0 → 1 rule
  const batch: GridBatch = { x, batch: B, group: Int32Array.from({ length: I }, (_, i) => i % 2) };
  return { p, batch, rng };
}

describe("ReLU/L1 SAE fused kernel", () => {
  it("matches tfjs autodiff without ghost grads", () => {
    const { p, batch } = setup(1);
    const hyper = { l1: Float64Array.from([0.01, 0.3, 1]) };
    const state = reluL1State(p, true);
    state.l1Scale.set([1, 0.5, 1, 0.25], 0);
    const fused = emptySaeParams(p);
    const out = reluL1LossAndGrads(p, hyper, state, batch, fused);
    const ref = emptySaeParams(p);
    const refLoss = autodiff(p, batch, (t, x) => reluL1Reference(tf, t, x, hyper, state).loss, ref);
    for (let i = 0; i < 3; i++) expect(out.loss[i]).toBeCloseTo(refLoss[i], 5);
    for (const k of ["wEnc", "bEnc", "wDec", "bDec"] as const) expect(maxRelErr(fused[k], ref[k])).toBeLessThan(1e-3);
    expect(out.auxiliary.every((g) => g === 0)).toBe(true);
  });

  it("matches tfjs autodiff with ghost grads on dead latents", () => {
    const { p, batch } = setup(2);
    // make latents 1 and 3 of instance 0 and latent 2 of instance 2 dead (negative pre-activations)
    p.bEnc[1] = -2;
    p.bEnc[3] = -2;
    p.bEnc[2 * 4 + 2] = -2;
    const hyper = { l1: Float64Array.from([0.1, 0.1, 0.1]) };
    const state = reluL1State(p, true);
    state.dead[1] = 1;
    state.dead[3] = 1;
    state.dead[2 * 4 + 2] = 1;
    const fused = emptySaeParams(p);
    const out = reluL1LossAndGrads(p, hyper, state, batch, fused);
    const ref = emptySaeParams(p);
    const refLoss = autodiff(p, batch, (t, x) => reluL1Reference(tf, t, x, hyper, state).loss, ref);
    expect(out.auxiliary[0]).toBeGreaterThan(0);
    expect(out.auxiliary[1]).toBe(0);
    for (let i = 0; i < 3; i++) expect(out.loss[i]).toBeCloseTo(refLoss[i], 5);
    for (const k of ["wEnc", "bEnc", "wDec", "bDec"] as const) expect(maxRelErr(fused[k], ref[k])).toBeLessThan(2e-3);
    // the dead latents' encoder columns receive a gradient only through the ghost term
    expect(Math.abs(fused.bEnc[1])).toBeGreaterThan(0);
  });

  it("agrees with a central finite difference of its own loss", () => {
    const { p, batch } = setup(3, 1, 2, 3, 8);
    const hyper = { l1: Float64Array.from([0.2]) };
    const state = reluL1State(p, false);
    const g = emptySaeParams(p);
    reluL1LossAndGrads(p, hyper, state, batch, g);
    const lossAt = (q: SaeParams) => reluL1LossAndGrads(q, hyper, state, batch, emptySaeParams(q)).loss[0];
    expectMatchesCentralDifference(p, g, lossAt, ["wEnc", "wDec", "bDec"]);
  });
});

describe("decoder constraints", () => {
  it("renormalises every decoder row to unit length", () => {
    const p = emptySaeParams({ instances: 2, dIn: 2, dSae: 2 });
    p.wDec.set([3, 4, 0, -2, 1, 1, 0.6, 0.8]);
    normaliseDecoderRows(p);
    expect(Array.from(p.wDec)).toEqual([0.6, 0.8, 0, -1, Math.SQRT1_2, Math.SQRT1_2, 0.6, 0.8].map((v) => Math.fround(v)));
  });

  it("removes the gradient component parallel to each decoder row", () => {
    const p = emptySaeParams({ instances: 1, dIn: 2, dSae: 2 });
    p.wDec.set([1, 0, Math.SQRT1_2, Math.SQRT1_2]);
    const g = Float32Array.from([2, 3, 1, 0]);
    removeParallelDecoderGrad(p, g);
    // row 0 = e_x: the x part (2) goes, y stays; row 1 = (1,1)/√2: (1,0) − ½(1,1) = (½, −½)
    expect(g[0]).toBeCloseTo(0, 6);
    expect(g[1]).toBeCloseTo(3, 6);
    expect(g[2]).toBeCloseTo(0.5, 6);
    expect(g[3]).toBeCloseTo(-0.5, 6);
  });
});
