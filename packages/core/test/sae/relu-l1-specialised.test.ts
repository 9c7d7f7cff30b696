/**
 * The shape-specialised ReLU/L1 kernel (d_in 2, d_sae 4: the composed grid) against the
 * readable reference kernel: bit-identical losses, gradients, L0 and fired latents, on the
 * exact workload shape (batch 1024) with and without ghost grads, and on random shapes
 * (which the dispatcher sends to the reference). The tfjs autodiff tests in relu-l1.test.ts
 * run through the dispatcher at 2 × 4 too.
 */
import { beforeAll, describe, expect, it } from "vitest";
import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-cpu";
import { Rng } from "../../src/random.ts";
import { initReluL1, reluL1LossAndGrads, reluL1LossAndGradsReference, reluL1State } from "../../src/sae/relu-l1/kernel.ts";
import { reluL1LossAndGradsD2M4 } from "../../src/sae/relu-l1/kernel-d2-m4.ts";
import { reluL1Reference } from "../../src/sae/relu-l1/reference.ts";
import { emptySaeParams, type GridBatch, type SaeParams, type StepOutput } from "../../src/sae/types.ts";
import { autodiff, maxRelErr } from "./gradient-check.ts";

beforeAll(async () => {
  await tf.setBackend("cpu");
});

interface Case {
  p: SaeParams;
  batch: GridBatch;
  hyper: { l1: Float64Array };
  state: ReturnType<typeof reluL1State>;
}

function randomCase(seed: number, I: number, D: number, M: number, B: number, groups: number, ghostGrads: boolean): Case {
  const rng = new Rng(seed);
  const p = initReluL1(
    { instances: I, dIn: D, dSae: M },
    Array.from({ length: I }, (_, i) => rng.fork(`init/${i}`)),
  );
  rng.fillNormal(p.bEnc, 0, 0.4);
  rng.fillNormal(p.bDec, 0, 0.2);
  const x = Array.from({ length: groups }, () => rng.fillUniform(new Float32Array(B * D), -1, 1));
  x[0].fill(0, 0, D); // ‖x‖ = 0 → 1
  for (let s = 1; s < B; s += 97) x[0][s * D] = 0; // exact zeros in single coordinates
  const batch: GridBatch = { x, batch: B, group: Int32Array.from({ length: I }, (_, i) => i % groups) };
  const hyper = { l1: Float64Array.from({ length: I }, () => 10 ** rng.uniformIn(-3, 0)) };
  const state = reluL1State(p, ghostGrads);
  for (let e = 0; e < state.l1Scale.length; e++) state.l1Scale[e] = rng.uniform() < 0.3 ? rng.uniform() : 1;
  for (let e = 0; e < state.dead.length; e++) state.dead[e] = rng.uniform() < 0.15 ? 1 : 0;
  return { p, batch, hyper, state };
}

function run(kernel: typeof reluL1LossAndGrads, c: Case): { out: StepOutput; grads: SaeParams } {
  const grads = emptySaeParams(c.p);
  return { out: kernel(c.p, c.hyper, c.state, c.batch, grads), grads };
}

function expectIdentical(a: { out: StepOutput; grads: SaeParams }, b: { out: StepOutput; grads: SaeParams }): void {
  for (const k of ["wEnc", "bEnc", "wDec", "bDec"] as const) expect(Array.from(a.grads[k]), k).toEqual(Array.from(b.grads[k]));
  for (const k of ["loss", "reconstruction", "sparsity", "auxiliary", "l0"] as const) expect(Array.from(a.out[k]), k).toEqual(Array.from(b.out[k]));
  expect(Array.from(a.out.fired)).toEqual(Array.from(b.out.fired));
}

describe("ReLU/L1 kernel specialised to d_in 2, d_sae 4", () => {
  it("is bit-identical to the reference on the composed grid's shape (batch 1024), ghost grads off", () => {
    for (const seed of [1, 2, 3]) {
      const c = randomCase(seed, 7, 2, 4, 1024, 3, false);
      expectIdentical(run(reluL1LossAndGradsD2M4, c), run(reluL1LossAndGradsReference, c));
      expectIdentical(run(reluL1LossAndGrads, c), run(reluL1LossAndGradsReference, c));
    }
  });

  it("is bit-identical with ghost grads on (instances with dead latents take the reference path)", () => {
    const c = randomCase(4, 9, 2, 4, 1024, 9, true);
    expect(c.state.dead.some((d) => d === 1)).toBe(true);
    const fast = run(reluL1LossAndGrads, c);
    expectIdentical(fast, run(reluL1LossAndGradsReference, c));
    expect(fast.out.auxiliary.some((a) => a > 0)).toBe(true);
  });

  it("is bit-identical where a frozen instance holds non-finite parameters", () => {
    const c = randomCase(5, 3, 2, 4, 256, 1, false);
    c.p.wEnc[8 + 1] = Number.NaN;
    c.p.bDec[4] = Number.POSITIVE_INFINITY;
    expectIdentical(run(reluL1LossAndGrads, c), run(reluL1LossAndGradsReference, c));
  });

  it("dispatches every other shape to the reference (random shapes)", () => {
    const rng = new Rng(6);
    for (let t = 0; t < 8; t++) {
      const D = 1 + rng.int(5);
      const M = 1 + rng.int(6);
      const c = randomCase(100 + t, 1 + rng.int(4), D, M, 1 + rng.int(300), 2, rng.uniform() < 0.5);
      expectIdentical(run(reluL1LossAndGrads, c), run(reluL1LossAndGradsReference, c));
    }
  });

  it("matches tfjs autodiff at the workload shape (d 2 × 4, batch 1024)", () => {
    const c = randomCase(7, 3, 2, 4, 1024, 3, false);
    const fused = run(reluL1LossAndGrads, c);
    const ref = emptySaeParams(c.p);
    const refLoss = autodiff(c.p, c.batch, (t, x) => reluL1Reference(tf, t, x, c.hyper, c.state).loss, ref);
    for (let i = 0; i < 3; i++) expect(fused.out.loss[i]).toBeCloseTo(refLoss[i], 5);
    for (const k of ["wEnc", "bEnc", "wDec", "bDec"] as const) expect(maxRelErr(fused.grads[k], ref[k]), k).toBeLessThan(2e-3);
  });

  it("refuses another shape when called directly", () => {
    const c = randomCase(8, 1, 3, 4, 8, 1, false);
    expect(() => run(reluL1LossAndGradsD2M4, c)).toThrow(/not 2 × 4/);
  });
});
