/**
 * End-to-end: ARENA's toy ReLU SAE on the hidden layer of a trained 5-features-in-2-d TMS
 * (p = 0.025, the reference's §2 demo), with and without advanced resampling. Checks that
 * the kernel, the after-step hook, the frac_active window and the resampler fit together:
 * latents die, resampling finds them and brings them back.
 */
import { describe, expect, it } from "vitest";
import { Rng } from "@toy-sae/core/random";
import { arenaTmsHidden, createArenaTms, trainArenaToyModel } from "@toy-sae/core/models/arena-tms";
import { arenaSaeAfterStep, initArenaSae } from "@toy-sae/core/sae/arena-relu/init";
import { arenaReluLossAndGrads, arenaReluReconstructionPerSample, type ArenaReluHyper } from "@toy-sae/core/sae/arena-relu/kernel";
import { emptySaeParams, saeTensors, type GridBatch } from "@toy-sae/core/sae/types";
import { InstanceAdam } from "@toy-sae/core/train/adam";
import { FracActiveWindow, isResampleStep, resampleAdvanced, type ResamplingEvent } from "@toy-sae/core/train/resampling";
import { arenaBatchSampler } from "../src/arena.ts";

function run(resample: boolean) {
  const root = new Rng(0);
  const spec = { instances: 1, nFeatures: 5, featureProbability: [0.025] };
  const tms = createArenaTms({ instances: 1, nFeatures: 5, dHidden: 2 }, { featureProbability: [0.025] }, [root.fork("tms")]);
  const sample = arenaBatchSampler(spec);
  const data = root.fork("data");
  trainArenaToyModel(tms, (b) => sample(b, data), { steps: 3_000 });

  // two of the instances of a seeded grid (each has its own Rng and Adam state, and all read
  // the same batches, so they evolve exactly as they would among more): with these, latents
  // are dead by step 5,000; resampling there and training 1,000 more steps shows the revival
  const instanceSeeds = ["sae/2", "sae/3"];
  const I = instanceSeeds.length,
    M = 5,
    B = 1_024,
    steps = 6_000,
    freq = 5_000;
  const p = initArenaSae(
    { instances: I, dIn: 2, dSae: M },
    instanceSeeds.map((label) => root.fork(label)),
  );
  const grads = emptySaeParams(p);
  const adam = new InstanceAdam(saeTensors(p), I, { beta1: new Float64Array(I).fill(0.9), beta2: 0.999, eps: 1e-8 });
  const lr = new Float64Array(I).fill(1e-3);
  const hyper: ArenaReluHyper = { sparsityCoeff: new Float64Array(I).fill(0.2), tied: false };
  const window = new FracActiveWindow(p, 500);
  const resampleRng = root.fork("resample");
  const saeData = root.fork("sae-data");
  const batchOf = (): GridBatch => ({ x: [arenaTmsHidden(tms, 0, sample(B, saeData), B)], batch: B, group: new Int32Array(I) });
  const events: ResamplingEvent[] = [];
  let deadBefore = 0;
  for (let step = 0; step < steps; step++) {
    if (isResampleStep(step, freq)) {
      const dead = window.dead();
      if (step === freq - 1) deadBefore = dead.reduce((a, b) => a + b, 0);
      if (resample) {
        const b = batchOf();
        events.push(...resampleAdvanced(p, dead, b, arenaReluReconstructionPerSample(p, hyper, b), resampleRng, step));
      }
    }
    const out = arenaReluLossAndGrads(p, hyper, batchOf(), grads);
    adam.step(saeTensors(grads), lr);
    arenaSaeAfterStep(p, { tied: false });
    window.push(out.fracActive);
  }
  return { events, deadBefore, deadAtEnd: window.dead().reduce((a, b) => a + b, 0), decoder: p.wDec };
}

describe("ARENA toy SAE with resampling (end to end)", () => {
  it("latents die without resampling; advanced resampling revives them", () => {
    const plain = run(false);
    const resampled = run(true);
    // identical until the first resampling step: the same latents are dead there
    expect(plain.deadBefore).toBeGreaterThan(0);
    expect(resampled.deadBefore).toBe(plain.deadBefore);
    expect(resampled.events.length).toBe(plain.deadBefore);
    expect(resampled.events.every((e) => e.step === 4_999)).toBe(true);
    // 1,000 steps later: without resampling latents are still dead, with it every latent has fired
    expect(plain.deadAtEnd).toBeGreaterThan(0);
    expect(resampled.deadAtEnd).toBe(0);
    // the after-step hook keeps every decoder row at unit norm
    for (let r = 0; r < resampled.decoder.length / 2; r++) {
      expect(Math.hypot(resampled.decoder[2 * r], resampled.decoder[2 * r + 1])).toBeCloseTo(1, 5);
    }
  });
});
