import { describe, expect, it, beforeAll } from "vitest";
import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-cpu";
// registers the gradient functions the autodiff references use (the trainer no longer loads tfjs)
import "@tensorflow/tfjs";
import { InstanceAdam } from "../src/train/adam.ts";
import { EXPLOSION_FACTOR, EXPLOSION_PATIENCE } from "../src/train/trainer.ts";
import { warmupCooldown } from "../src/train/schedule.ts";
import { initTms, tmsLossAndGrads, tmsReferenceLoss } from "../src/models/tms.ts";
import { Rng } from "../src/random.ts";
import { initReluL1 } from "../src/sae/relu-l1/kernel.ts";
import { trainWith } from "./train/harness.ts";

beforeAll(async () => {
  await tf.setBackend("cpu");
});

describe("warm-up / cool-down schedule", () => {
  it("follows the original's constant_with_warmup_and_cooldown on 100 steps", () => {
    const s = warmupCooldown(100); // W = 10, C = 20, cooldown from step 80
    expect(s(0)).toBeCloseTo(0.1, 12);
    expect(s(4)).toBeCloseTo(0.5, 12);
    expect(s(9)).toBe(1);
    expect(s(50)).toBe(1);
    expect(s(79)).toBe(1);
    expect(s(80)).toBe(1);
    expect(s(90)).toBeCloseTo(0.5, 12);
    expect(s(99)).toBeCloseTo(0.05, 12);
  });

  it("gives the paper profile's 125,000-step schedule: warm-up 12,500, decay from 100,000", () => {
    const s = warmupCooldown(125_000);
    expect(s(12_498)).toBeLessThan(1);
    expect(s(12_499)).toBe(1);
    expect(s(100_000)).toBe(1);
    expect(s(112_500)).toBeCloseTo(0.5, 12);
  });
});

describe("InstanceAdam", () => {
  it("matches a hand-computed Adam step per instance (own lr and β1)", () => {
    const p = Float32Array.from([1, 1]);
    const adam = new InstanceAdam([p], 2, { beta1: Float64Array.from([0.9, 0]), beta2: 0.999, eps: 1e-8 });
    adam.step([Float32Array.from([0.5, 0.5])], Float64Array.from([0.1, 0.01]));
    // first step: m̂ = g, v̂ = g², update = lr·g/|g| = lr
    expect(p[0]).toBeCloseTo(0.9, 5);
    expect(p[1]).toBeCloseTo(0.99, 6);
    // second step with β1 = 0 for instance 1: m = g2 = 1; v = .999·(.001·.25) + .001·1; v̂ = v/(1−.999²)
    adam.step([Float32Array.from([0, 1])], Float64Array.from([0.1, 0.01]));
    const v = 0.999 * (0.001 * 0.25) + 0.001 * 1;
    const vh = v / (1 - 0.999 ** 2);
    expect(p[1]).toBeCloseTo(0.99 - (0.01 * 1) / Math.sqrt(vh), 6);
  });

  it("applies decoupled weight decay (AdamW)", () => {
    const p = Float32Array.from([2]);
    const adam = new InstanceAdam([p], 1, { beta1: Float64Array.from([0.9]), beta2: 0.999, eps: 1e-8, weightDecay: Float64Array.from([0.01]) });
    adam.step([Float32Array.from([0])], Float64Array.from([0.1]));
    expect(p[0]).toBeCloseTo(2 * (1 - 0.1 * 0.01), 6);
  });

  it("leaves frozen instances untouched", () => {
    const p = Float32Array.from([1, 1]);
    const adam = new InstanceAdam([p], 2, { beta1: Float64Array.from([0.9, 0.9]), beta2: 0.999, eps: 1e-8 });
    adam.step([Float32Array.from([1, 1])], Float64Array.from([0.1, 0.1]), Uint8Array.from([1, 0]));
    expect(p[1]).toBe(1);
    expect(p[0]).toBeLessThan(1);
  });
});

describe("TMS ReLU-output model", () => {
  it("fused gradients match tfjs autodiff", () => {
    const rng = new Rng(5);
    const I = 2,
      nIn = 4,
      nHidden = 2,
      B = 32;
    const p = initTms(I, nIn, nHidden, [rng.fork("a"), rng.fork("b")]);
    rng.fillNormal(p.b, 0, 0.1);
    const xs = [rng.fillUniform(new Float32Array(B * nIn)), rng.fillUniform(new Float32Array(B * nIn))];
    const gw = new Float32Array(p.w.length);
    const gb = new Float32Array(p.b.length);
    const loss = tmsLossAndGrads(p, xs, Int32Array.from([0, 1]), B, gw, gb);
    const x = tf.tensor3d(Float32Array.from([...xs[0], ...xs[1]]), [I, B, nIn]);
    const w = tf.tensor3d(p.w, [I, nIn, nHidden]);
    const b = tf.tensor2d(p.b, [I, nIn]);
    const refLoss = tmsReferenceLoss(tf, w, b, x).dataSync();
    const [rw, rb] = tf.grads((ww: tf.Tensor, bb: tf.Tensor) => tf.sum(tmsReferenceLoss(tf, ww as tf.Tensor3D, bb as tf.Tensor2D, x)))([w, b]);
    expect(loss[0]).toBeCloseTo(refLoss[0], 6);
    expect(loss[1]).toBeCloseTo(refLoss[1], 6);
    const rwd = rw.dataSync();
    const rbd = rb.dataSync();
    for (let e = 0; e < gw.length; e++) expect(gw[e]).toBeCloseTo(rwd[e], 5);
    for (let e = 0; e < gb.length; e++) expect(gb[e]).toBeCloseTo(rbd[e], 5);
  });
});

describe("composed SAE grid trainer", () => {
  const shape = { instances: 3, dIn: 2, dSae: 4 };
  const makeSample = (seed: number) => {
    const rng = new Rng(seed);
    return () => {
      const x = new Float32Array(64 * 2);
      for (let s = 0; s < 64; s++) {
        const a = rng.uniform();
        const k = rng.int(4);
        x[s * 2] = a * Math.cos((k * Math.PI) / 2 + 0.3);
        x[s * 2 + 1] = a * Math.sin((k * Math.PI) / 2 + 0.3);
      }
      return x;
    };
  };
  // relu-l1 with the composed-2024 recipe: the original composed-feature trainer
  const run = async (engine: "fused" | "tfjs", lr = [1e-2, 3e-3, 1e-3]) => {
    const rng = new Rng(11);
    const p = initReluL1(
      shape,
      [0, 1, 2].map((i) => rng.fork(`init${i}`)),
    );
    const result = await trainWith("relu-l1", "composed-2024", p, {
      steps: 60,
      batch: 64,
      lr: Float64Array.from(lr),
      hyper: { l1: Float64Array.from([0.01, 0.1, 0.3]) },
      beta1: Float64Array.from([0, 0, 0.9]),
      sample: makeSample(3),
      engine,
      logEvery: 10,
    });
    return { p, result };
  };

  it("is deterministic and the fused and tfjs engines train to the same weights", async () => {
    const a = await run("fused");
    const b = await run("fused");
    expect(Array.from(a.p.wDec)).toEqual(Array.from(b.p.wDec));
    const c = await run("tfjs");
    for (let e = 0; e < a.p.wDec.length; e++) expect(c.p.wDec[e]).toBeCloseTo(a.p.wDec[e], 3);
  });

  it("keeps decoder rows unit-norm and lowers the loss", async () => {
    const { p, result } = await run("fused");
    for (let r = 0; r < 12; r++) expect(Math.hypot(p.wDec[r * 2], p.wDec[r * 2 + 1])).toBeCloseTo(1, 5);
    const first = result.curves.filter((c) => c.step === 0 && c.instance === 0)[0];
    const last = result.curves.filter((c) => c.step === 59 && c.instance === 0)[0];
    expect(last.loss).toBeLessThan(first.loss);
    expect(Array.from(result.diverged)).toEqual([0, 0, 0]);
  });

  it("marks a finite blow-up as exploded and freezes it, and an SAE with no active latent as collapsed", async () => {
    // lr 1e3: the loss grows by orders of magnitude within a few steps but stays finite
    const rng = new Rng(11);
    const p = initReluL1(
      shape,
      [0, 1, 2].map((i) => rng.fork(`init${i}`)),
    );
    const result = await trainWith("relu-l1", "composed-2024", p, {
      steps: 60,
      batch: 64,
      lr: Float64Array.from([1e-2, 1e3, 0.1]),
      hyper: { l1: Float64Array.from([0.01, 0.01, 1e4]) },
      settings: { lrSchedule: { kind: "constant" } },
      sample: makeSample(3),
      logEvery: 1,
    });
    expect(result.divergedReason).toEqual([null, "exploded", "collapsed"]);
    expect(Array.from(result.diverged)).toEqual([0, 1, 1]);
    const blowUp = result.curves.filter((c) => c.instance === 1);
    const frozenAt = result.divergedAt[1];
    expect(frozenAt).toBeGreaterThan(0);
    // recorded at the first of EXPLOSION_PATIENCE consecutive steps over the threshold, all finite
    const streak = blowUp.filter((c) => c.step >= frozenAt && c.step < frozenAt + EXPLOSION_PATIENCE);
    expect(streak).toHaveLength(EXPLOSION_PATIENCE);
    for (const c of streak) expect(Number.isFinite(c.loss) && c.loss > 1e4).toBe(true);
    // a collapse freezes nothing: it is decided after training, from the last batch
    expect(result.divergedAt[2]).toBe(-1);
    expect(result.curves.find((c) => c.instance === 2 && c.step === 59)?.l0).toBe(0);
    expect(result.curves.find((c) => c.instance === 0 && c.step === 59)?.l0).toBeGreaterThan(0);
  });

  it("does not call one outlier batch an explosion", async () => {
    // one sample of one batch (the 30th drawn) is nearly zero: its FVU, ‖x − x̂‖² / ‖x‖², is huge and
    // the batch's loss jumps far over the threshold for that step, while the parameters are fine
    // (how the composed grid's lr 3e-3 SAEs were once called exploded)
    const rng = new Rng(12);
    const p = initReluL1(
      shape,
      [0, 1, 2].map((i) => rng.fork(`init${i}`)),
    );
    const sample = makeSample(3);
    let calls = 0;
    const result = await trainWith("relu-l1", "composed-2024", p, {
      steps: 60,
      batch: 64,
      lr: Float64Array.from([1e-3, 1e-3, 1e-3]),
      hyper: { l1: Float64Array.from([0.01, 0.01, 0.01]) },
      settings: { lrSchedule: { kind: "constant" } },
      sample: () => {
        const x = sample();
        if (calls++ === 30) x.set([1e-9, 0], 0);
        return x;
      },
      logEvery: 1,
    });
    const spike = Math.max(...result.curves.filter((c) => c.instance === 0).map((c) => c.loss));
    const first = result.curves.find((c) => c.instance === 0 && c.step === 0)?.loss ?? Infinity;
    expect(spike).toBeGreaterThan(EXPLOSION_FACTOR * Math.max(1, first));
    expect(result.divergedReason).toEqual([null, null, null]);
  });

  it("freezes an instance whose loss turns non-finite and finishes the rest", async () => {
    const { p, result } = await run("fused", [1e-2, Number.POSITIVE_INFINITY, 1e-3]);
    expect(Array.from(result.diverged)).toEqual([0, 1, 0]);
    expect(result.divergedReason[1]).toBe("non-finite");
    expect(result.divergedAt[1]).toBeGreaterThan(0);
    for (let e = 0; e < 8; e++) expect(Number.isFinite(p.wDec[e])).toBe(true);
  });
});
