import { beforeAll, describe, expect, it } from "vitest";
import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-cpu";
import "@tensorflow/tfjs-core/dist/register_all_gradients";
import { Rng } from "../src/random.ts";
import {
  arenaComputationLossAndGrads,
  arenaComputationReferenceLoss,
  arenaTmsHidden,
  arenaTmsLossAndGrads,
  arenaTmsPreset,
  arenaTmsReferenceLoss,
  arenaToyLossAndGrads,
  arenaToyParameters,
  ARENA_TMS_PRESET_NAMES,
  cosineDecayLr,
  createArenaComputation,
  createArenaTms,
  createArenaToyModelFromPreset,
  emptyArenaComputationGrads,
  emptyArenaTmsGrads,
  emptyArenaToyGrads,
  kaimingUniform3dBound,
  linearLr,
  constantLr,
  trainArenaToyModel,
  xavierNormal3dStd,
  type ArenaProgress,
  type ArenaToyModel,
} from "../src/models/arena-tms.ts";
import { maxRelErr } from "./sae/gradient-check.ts";

beforeAll(async () => {
  await tf.setBackend("cpu");
});

const rngs = (seed: number, n: number) => Array.from({ length: n }, (_, i) => new Rng(seed).fork(`instance/${i}`));

/** A sparse [I, B, F] batch: each entry U[lo, 1) with probability p, else 0. */
function sparseBatch(rng: Rng, I: number, B: number, F: number, p: number, lo = 0): Float32Array {
  const x = new Float32Array(I * B * F);
  for (let e = 0; e < x.length; e++) if (rng.uniform() < p) x[e] = rng.uniformIn(lo, 1);
  return x;
}

/** Random importance [F] in [0.2, 1]. */
const importanceOf = (rng: Rng, F: number) => Array.from({ length: F }, () => rng.uniformIn(0.2, 1));

/**
 * Every entry of every parameter tensor against the central difference of `lossOf(m)[instance]`,
 * using the step actually stored in float32.
 */
function expectCentralDifferences(m: ArenaToyModel, x: Float32Array, B: number, digits = 3): void {
  const grads = emptyArenaToyGrads(m);
  arenaToyLossAndGrads(m, x, B, grads);
  const params = arenaToyParameters(m);
  const per = (t: Float32Array) => t.length / m.instances;
  for (let k = 0; k < params.length; k++) {
    const t = params[k];
    for (let e = 0; e < t.length; e++) {
      const inst = Math.floor(e / per(t));
      const orig = t[e];
      t[e] = orig + 1e-3;
      const up = t[e];
      const lossUp = arenaToyLossAndGrads(m, x, B, emptyArenaToyGrads(m))[inst];
      t[e] = orig - 1e-3;
      const down = t[e];
      const lossDown = arenaToyLossAndGrads(m, x, B, emptyArenaToyGrads(m))[inst];
      t[e] = orig;
      expect(grads[k][e], `tensor ${k} entry ${e}`).toBeCloseTo((lossUp - lossDown) / (up - down), digits);
    }
  }
}

describe("ARENA TMS and NeuronModel kernels", () => {
  it("compute the importance-weighted MSE on hand values (W = [1, 0], b = [0, −½], x = [½, 0.2])", () => {
    for (const [kind, w, expected] of [
      // tms: h = ½, out = ReLU([½, −½]) = [½, 0]; loss = (0 + 0.9·0.2²)/2
      ["tms", [1, 0], (0.9 * 0.04) / 2],
      // neuron with W = [−1, 0]: h = ReLU(−½) = 0, out = ReLU(b) = [0, 0]; loss = (½² + 0.9·0.2²)/2
      ["neuron", [-1, 0], (0.25 + 0.9 * 0.04) / 2],
      // tms with W = [−1, 0]: h = −½, Wᵀh = [½, 0], out = [½, 0] again — no hidden ReLU to stop it
      ["tms", [-1, 0], (0.9 * 0.04) / 2],
    ] as const) {
      const m = createArenaTms({ instances: 1, nFeatures: 2, dHidden: 1 }, { kind, importance: [1, 0.9] }, rngs(1, 1));
      m.w.set(w);
      m.b.set([0, -0.5]);
      const loss = arenaTmsLossAndGrads(m, Float32Array.from([0.5, 0.2]), 1, emptyArenaTmsGrads(m));
      expect(loss[0], `${kind} W=${w}`).toBeCloseTo(expected, 7);
    }
    const neuron = createArenaTms({ instances: 1, nFeatures: 2, dHidden: 2 }, { kind: "neuron" }, rngs(1, 1));
    neuron.w.set([1, 0, -1, 0]); // rows: hidden 0 reads feature 0, hidden 1 reads −feature 0
    expect(Array.from(arenaTmsHidden(neuron, 0, Float32Array.from([0.5, 0.3]), 1))).toEqual([0.5, 0]);
  });

  it("fused gradients match tfjs autodiff for both variants, with per-instance importance and sparse inputs", () => {
    const I = 3,
      F = 6,
      H = 3,
      B = 32;
    for (const kind of ["tms", "neuron"] as const) {
      const rng = new Rng(kind === "tms" ? 2 : 3);
      const importance = Array.from({ length: I * F }, () => rng.uniformIn(0.2, 1));
      const m = createArenaTms({ instances: I, nFeatures: F, dHidden: H }, { kind, importance }, rngs(4, I));
      rng.fillNormal(m.b, 0, 0.2);
      const x = sparseBatch(rng, I, B, F, 0.4);
      const grads = emptyArenaTmsGrads(m);
      const loss = arenaTmsLossAndGrads(m, x, B, grads);
      const xt = tf.tensor3d(x, [I, B, F]);
      const imp = tf.tensor2d(m.importance, [I, F]);
      const lossOf = (w: tf.Tensor, b: tf.Tensor) => arenaTmsReferenceLoss(tf, kind, w as tf.Tensor3D, b as tf.Tensor2D, xt, imp);
      const wt = tf.tensor3d(m.w, [I, H, F]);
      const bt = tf.tensor2d(m.b, [I, F]);
      const refLoss = lossOf(wt, bt).dataSync();
      const [gw, gb] = tf.grads((w: tf.Tensor, b: tf.Tensor) => tf.sum(lossOf(w, b)))([wt, bt]);
      for (let i = 0; i < I; i++) expect(loss[i]).toBeCloseTo(refLoss[i], 6);
      expect(maxRelErr(grads.w, gw.dataSync() as Float32Array)).toBeLessThan(1e-3);
      expect(maxRelErr(grads.b, gb.dataSync() as Float32Array)).toBeLessThan(1e-3);
      expect(Math.max(...Array.from(grads.w, Math.abs))).toBeGreaterThan(1e-3); // not a trivially zero gradient
    }
  });

  it("agree with central differences of their own loss (tms and neuron)", () => {
    for (const kind of ["tms", "neuron"] as const) {
      const rng = new Rng(5);
      const m = createArenaTms({ instances: 2, nFeatures: 4, dHidden: 2 }, { kind, importance: importanceOf(rng, 4) }, rngs(6, 2));
      rng.fillNormal(m.b, 0.1, 0.1);
      expectCentralDifferences(m, sparseBatch(rng, 2, 8, 4, 0.6), 8);
    }
  });

  it("initialise W with torch's xavier_normal_ on [I, dHidden, nFeatures] (std √(2/(F·(H + I)))) and b = 0", () => {
    expect(xavierNormal3dStd(8, 2, 5)).toBeCloseTo(0.2, 12); // the 5-features-in-2-d model: √(2/(10 + 40))
    const I = 4,
      H = 50,
      F = 50;
    const m = createArenaTms({ instances: I, nFeatures: F, dHidden: H }, {}, rngs(7, I));
    const sd = Math.sqrt(m.w.reduce((s, v) => s + v * v, 0) / m.w.length);
    expect(sd / xavierNormal3dStd(I, H, F)).toBeGreaterThan(0.98);
    expect(sd / xavierNormal3dStd(I, H, F)).toBeLessThan(1.02);
    expect(m.b.every((v) => v === 0)).toBe(true);
    expect(m.importance.every((v) => v === 1)).toBe(true);
    expect(Array.from(m.featureProbability)).toEqual([1, 1, 1, 1]);
  });

  it("broadcast a per-feature importance to every instance and reject wrong lengths", () => {
    const m = createArenaTms({ instances: 2, nFeatures: 3, dHidden: 2 }, { importance: [1, 0.5, 0.25], featureProbability: [0.5, 0.1] }, rngs(1, 2));
    expect(Array.from(m.importance)).toEqual([1, 0.5, 0.25, 1, 0.5, 0.25]);
    expect(Array.from(m.featureProbability)).toEqual([0.5, 0.1]);
    expect(() => createArenaTms({ instances: 2, nFeatures: 3, dHidden: 2 }, { importance: [1, 2] }, rngs(1, 2))).toThrow(/importance/);
    expect(() => createArenaTms({ instances: 2, nFeatures: 3, dHidden: 2 }, { featureProbability: [0.5, 0.1, 0.2] }, rngs(1, 2))).toThrow(/featureProbability/);
    expect(() => createArenaTms({ instances: 2, nFeatures: 3, dHidden: 2 }, { featureProbability: [1.5] }, rngs(1, 2))).toThrow(/\[0, 1\]/);
    expect(() => createArenaTms({ instances: 2, nFeatures: 3, dHidden: 2 }, {}, rngs(1, 1))).toThrow(/Rngs/);
  });
});

describe("ARENA computation-in-superposition model", () => {
  it("targets |x| through a hidden ReLU (hand values)", () => {
    const m = createArenaComputation({ instances: 1, nFeatures: 2, dHidden: 2 }, {}, rngs(1, 1));
    m.w1.set([1, 0, -1, 0]); // h = ReLU(±x_0)
    m.w2.set([1, 1, 0, 0]); // out_0 = h_0 + h_1 = |x_0|; out_1 = ReLU(b_1) = 0
    const loss = arenaComputationLossAndGrads(m, Float32Array.from([-0.6, -0.3]), 1, emptyArenaComputationGrads(m));
    expect(loss[0]).toBeCloseTo(0.09 / 2, 7); // (| −0.6 | − 0.6)² = 0 and (0.3 − 0)²
  });

  it("fused gradients match tfjs autodiff and central differences", () => {
    const I = 2,
      F = 5,
      H = 4,
      B = 24;
    const rng = new Rng(9);
    const m = createArenaComputation({ instances: I, nFeatures: F, dHidden: H }, { importance: importanceOf(rng, F) }, rngs(10, I));
    rng.fillNormal(m.b, 0.1, 0.1);
    const x = sparseBatch(rng, I, B, F, 0.5, -1);
    const grads = emptyArenaComputationGrads(m);
    const loss = arenaComputationLossAndGrads(m, x, B, grads);
    const xt = tf.tensor3d(x, [I, B, F]);
    const imp = tf.tensor2d(m.importance, [I, F]);
    const lossOf = (w1: tf.Tensor, w2: tf.Tensor, b: tf.Tensor) => arenaComputationReferenceLoss(tf, w1 as tf.Tensor3D, w2 as tf.Tensor3D, b as tf.Tensor2D, xt, imp);
    const ts = [tf.tensor3d(m.w1, [I, H, F]), tf.tensor3d(m.w2, [I, F, H]), tf.tensor2d(m.b, [I, F])] as const;
    const refLoss = lossOf(...ts).dataSync();
    const g = tf.grads((a: tf.Tensor, b: tf.Tensor, c: tf.Tensor) => tf.sum(lossOf(a, b, c)))([...ts]);
    for (let i = 0; i < I; i++) expect(loss[i]).toBeCloseTo(refLoss[i], 6);
    expect(maxRelErr(grads.w1, g[0].dataSync() as Float32Array)).toBeLessThan(1e-3);
    expect(maxRelErr(grads.w2, g[1].dataSync() as Float32Array)).toBeLessThan(1e-3);
    expect(maxRelErr(grads.b, g[2].dataSync() as Float32Array)).toBeLessThan(1e-3);
    const small = createArenaComputation({ instances: 2, nFeatures: 3, dHidden: 2 }, { importance: [1, 0.8, 0.64] }, rngs(11, 2));
    small.b.set([0.1, 0.2, 0.05, 0.1, 0.15, 0.2]);
    expectCentralDifferences(small, sparseBatch(rng, 2, 8, 3, 0.7, -1), 8);
  });

  it("initialises W1 and W2 with torch's kaiming_uniform_ bound √(6/(H·F))", () => {
    const m = createArenaComputation({ instances: 2, nFeatures: 40, dHidden: 30 }, {}, rngs(12, 2));
    const bound = kaimingUniform3dBound(30, 40);
    expect(bound).toBeCloseTo(Math.sqrt(6 / 1200), 12);
    for (const w of [m.w1, m.w2]) {
      expect(w.every((v) => Math.abs(v) <= bound)).toBe(true);
      expect(Math.max(...Array.from(w, Math.abs))).toBeGreaterThan(0.99 * bound);
      const variance = w.reduce((s, v) => s + v * v, 0) / w.length;
      expect(variance / ((bound * bound) / 3)).toBeCloseTo(1, 1); // U(−a, a) has variance a²/3
    }
  });
});

describe("ARENA lr schedules and training loop", () => {
  it("schedules: constant 1, linear 1 − s/S, cosine cos(½π s/(S − 1))", () => {
    expect(constantLr(7, 10)).toBe(1);
    expect(linearLr(0, 10)).toBe(1);
    expect(linearLr(5, 10)).toBe(0.5);
    expect(linearLr(9, 10)).toBeCloseTo(0.1, 12); // never reaches 0 within the run
    expect(cosineDecayLr(0, 11)).toBe(1);
    expect(cosineDecayLr(5, 11)).toBeCloseTo(Math.SQRT1_2, 12);
    expect(cosineDecayLr(10, 11)).toBeCloseTo(0, 12); // the last step has lr 0
  });

  it("applies the schedule, logs every logEvery steps and at the last, and lowers the loss", () => {
    const I = 2,
      F = 3,
      H = 2,
      B = 64;
    const m = createArenaTms({ instances: I, nFeatures: F, dHidden: H }, {}, rngs(13, I));
    const data = new Rng(14);
    const progress: ArenaProgress[] = [];
    const curve = trainArenaToyModel(m, (batch) => sparseBatch(data, I, batch, F, 0.3), {
      steps: 101,
      batch: B,
      lr: 1e-2,
      schedule: "linear",
      logEvery: 25,
      onProgress: (p) => progress.push({ ...p, loss: p.loss.slice() }),
    });
    expect(progress.map((p) => p.step)).toEqual([0, 25, 50, 75, 100]);
    expect(progress[2].lr).toBeCloseTo(1e-2 * (1 - 50 / 101), 12);
    expect(curve.length).toBe(5 * I);
    expect(curve[2]).toEqual({ step: 25, instance: 0, loss: progress[1].loss[0], lr: progress[1].lr });
    for (let i = 0; i < I; i++) expect(progress[4].loss[i]).toBeLessThan(0.7 * progress[0].loss[i]);
  });
});

describe("ARENA presets", () => {
  it("carry the reference's numbers (S) and the OLD differences", () => {
    const p2 = arenaTmsPreset("features-2d");
    expect([p2.instances, p2.nFeatures, p2.dHidden, p2.steps, p2.batch, p2.lr]).toEqual([8, 5, 2, 5_000, 1_024, 1e-3]);
    expect(p2.featureProbability[0]).toBe(1);
    expect(p2.featureProbability[7]).toBeCloseTo(1 / 50, 12);
    expect(p2.featureProbability[1]).toBeCloseTo(50 ** (-1 / 7), 12);
    expect(Array.from(p2.importance)).toEqual([1, 0.9, 0.9 ** 2, 0.9 ** 3, 0.9 ** 4]);
    expect(arenaTmsPreset("features-2d", { version: "old" }).steps).toBe(10_000);

    const p100 = arenaTmsPreset("features-100");
    expect([p100.instances, p100.nFeatures, p100.dHidden, p100.steps]).toEqual([10, 100, 20, 10_000]);
    expect(p100.importance[99]).toBeCloseTo(0.01, 12);
    expect(p100.featureProbability[9]).toBeCloseTo(0.05, 12);
    expect(arenaTmsPreset("features-100", { version: "old" }).featureProbability.length).toBe(20);

    const corr = arenaTmsPreset("correlated-2-pairs");
    expect([corr.nCorrelatedPairs, corr.nAnticorrelatedPairs, corr.nFeatures]).toEqual([2, 0, 4]);
    expect(corr.featureProbability[0]).toBeCloseTo(0.05, 12); // 400^−0.5
    expect(corr.featureProbability[4]).toBeCloseTo(1 / 400, 12);
    const anti = arenaTmsPreset("anticorrelated-2-pairs");
    expect([anti.nCorrelatedPairs, anti.nAnticorrelatedPairs]).toEqual([0, 2]);
    expect(anti.featureProbability[0]).toBeCloseTo(10 ** -0.5, 12);
    expect(arenaTmsPreset("correlated-3-pairs").featureProbability[0]).toBeCloseTo(0.1, 12);

    const priv = arenaTmsPreset("privileged");
    expect(priv.kind).toBe("neuron");
    expect(priv.importance[0]).toBeCloseTo(0.75, 12);
    expect(priv.importance[9]).toBeCloseTo(0.75 ** 10, 12);
    expect(Array.from(priv.featureProbability)).toEqual([0.75, 0.35, 0.15, 0.1, 0.06, 0.02, 0.01]);

    const comp = arenaTmsPreset("computation");
    expect([comp.kind, comp.magnitude, comp.nFeatures, comp.dHidden]).toEqual(["computation", "signed", 100, 40]);
    expect(comp.assumptions.length).toBeGreaterThan(0);

    const geo = arenaTmsPreset("geometry");
    expect([geo.instances, geo.nFeatures, geo.dHidden, geo.steps]).toEqual([20, 200, 20, 10_000]);
    expect(geo.featureProbability[19]).toBeCloseTo(0.05, 12);
  });

  it("build the right model kind from every preset", () => {
    for (const name of ARENA_TMS_PRESET_NAMES) {
      const preset = arenaTmsPreset(name);
      const m = createArenaToyModelFromPreset(preset, rngs(1, preset.instances));
      expect(m.kind).toBe(preset.kind);
      expect(m.importance.length).toBe(preset.instances * preset.nFeatures);
    }
    expect(() => arenaTmsPreset("nope" as "geometry")).toThrow(/unknown preset/);
  });
});
