import { describe, expect, it, beforeAll } from "vitest";
import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-cpu";
import { Rng } from "../../src/random.ts";
import { encodeJumpRelu, initLogThreshold, jumpReluLossAndGrads, type JumpReluHyper } from "../../src/sae/jumprelu/kernel.ts";
import { initSaeLens } from "../../src/sae/shared/saelens-base.ts";
import { emptySaeParams, type GridBatch, type SaeParams } from "../../src/sae/types.ts";
import { jumpReluReference } from "../../src/sae/jumprelu/reference.ts";
import { l0WarmUpFactor } from "../../src/train/hyper-schedule.ts";
import { STANDARD_PARAMS } from "../../src/sae/types.ts";
import { autodiff, expectMatchesCentralDifference, maxRelErr } from "./gradient-check.ts";

beforeAll(async () => {
  await tf.setBackend("cpu");
});

function setup(seed: number, I = 3, D = 6, M = 5, B = 24) {
  const rng = new Rng(seed);
  const p = initSaeLens(
    { instances: I, dIn: D, dSae: M },
    Array.from({ length: I }, (_, i) => rng.fork(`i${i}`)),
  );
  rng.fillNormal(p.wEnc, 0, 0.5);
  rng.fillNormal(p.wDec, 0, 0.5);
  rng.fillNormal(p.bEnc, 0, 0.2);
  rng.fillNormal(p.bDec, 0, 0.2);
  const logT = initLogThreshold(p);
  for (let e = 0; e < logT.length; e++) logT[e] = Math.log(rng.uniformIn(0.05, 0.6));
  const x = [rng.fillUniform(new Float32Array(B * D), -1, 1), rng.fillUniform(new Float32Array(B * D), -1, 1)];
  const batch: GridBatch = { x, batch: B, group: Int32Array.from({ length: I }, (_, i) => i % 2) };
  return { p, logT, batch };
}

const hyperOf = (coeffs: number[], bandwidth = 0.5): JumpReluHyper => ({
  l0Coefficient: Float64Array.from(coeffs),
  bandwidth,
  tanhScale: 4,
});

describe("JumpReLU", () => {
  it("initialises log thresholds to log(0.1) and warms the L0 coefficient up linearly from 0", () => {
    const lt = initLogThreshold({ instances: 2, dSae: 3 });
    expect(lt.length).toBe(6);
    expect(Math.exp(lt[4])).toBeCloseTo(0.1, 6);
    expect(l0WarmUpFactor(0, 10_000)).toBe(0);
    expect(l0WarmUpFactor(2_500, 10_000)).toBe(0.25);
    expect(l0WarmUpFactor(12_000, 10_000)).toBe(1);
    expect(l0WarmUpFactor(0, 0)).toBe(1);
  });

  it("activates h only above the threshold (a = h·[h > t])", () => {
    const p = emptySaeParams({ instances: 1, dIn: 2, dSae: 2 });
    p.wEnc.set([1, 0, 0, 1]); // identity encoder
    const logT = Float32Array.from([Math.log(0.5), Math.log(0.1)]);
    const acts = encodeJumpRelu(p, logT, 0, Float32Array.from([0.4, 0.4, 0.6, 0.05]), 2);
    expect(Array.from(acts)).toEqual([0, Math.fround(0.4), Math.fround(0.6), 0]);
  });

  it("fused gradients match tfjs autodiff with the custom step gradient", () => {
    // the second shape leaves two samples and two latents outside the blocked products' blocks
    for (const [D, M, B] of [
      [6, 5, 24],
      [7, 6, 26],
    ]) {
      const { p, logT, batch } = setup(1, 3, D, M, B);
      const hyper = hyperOf([0, 0.3, 1.2]);
      const fused = emptySaeParams(p);
      const fusedT = new Float32Array(logT.length);
      const out = jumpReluLossAndGrads(p, logT, hyper, batch, fused, fusedT);
      const specs = [...STANDARD_PARAMS, { name: "logThreshold", shape: ["dSae"] as const }];
      const ref = emptySaeParams(p, specs);
      const refLoss = autodiff({ ...p, extra: { logThreshold: logT } }, batch, (t, x) => jumpReluReference(tf, t, t.extra.logThreshold, x, hyper).loss, ref, specs);
      const refT = ref.extra.logThreshold;
      for (let i = 0; i < 3; i++) expect(out.loss[i]).toBeCloseTo(refLoss[i], 4);
      for (const k of ["wEnc", "bEnc", "wDec", "bDec"] as const) expect(maxRelErr(fused[k], ref[k])).toBeLessThan(1e-3);
      expect(maxRelErr(fusedT, refT)).toBeLessThan(1e-3);
      expect(out.sparsity[0]).toBe(0);
      expect(out.sparsity[2]).toBeGreaterThan(0);
      // the threshold gradient is really exercised
      expect(Math.max(...Array.from(fusedT).map(Math.abs))).toBeGreaterThan(1e-3);
    }
  });

  it("the threshold gradient is Σ_b −(t/bw)·rect((h−t)/bw)·∂L/∂a, times t for log t", () => {
    const { p, logT, batch } = setup(2, 1, 4, 3, 16);
    const hyper = hyperOf([0.7], 0.8);
    const gradsT = new Float32Array(3);
    jumpReluLossAndGrads(p, logT, hyper, batch, emptySaeParams(p), gradsT);
    // ∂L/∂a by tfjs autodiff of the loss written as a function of the codes a
    const B = 16,
      D = 4,
      M = 3;
    const x = tf.tensor2d(batch.x[0], [B, D]);
    const wEnc = tf.tensor2d(p.wEnc, [D, M]);
    const wDec = tf.tensor2d(p.wDec, [M, D]);
    const bDec = tf.tensor2d(p.bDec, [1, D]);
    const h = tf.add(tf.matMul(tf.sub(x, bDec), wEnc), tf.tensor2d(p.bEnc, [1, M])).arraySync() as number[][];
    const t = Array.from(logT, Math.exp);
    const a = tf.tensor2d(h.map((row) => row.map((v, j) => (v > t[j] ? v : 0))));
    const norms = tf.reshape(tf.norm(wDec, 2, 1), [1, M]);
    const lossOfA = (codes: tf.Tensor) =>
      tf.add(tf.mean(tf.sum(tf.square(tf.sub(tf.add(tf.matMul(codes, wDec), bDec), x)), 1)), tf.mul(0.7, tf.mean(tf.sum(tf.tanh(tf.mul(4, tf.mul(codes, norms))), 1))));
    const dA = tf.grad(lossOfA)(a).arraySync() as number[][];
    let inWindow = 0;
    for (let j = 0; j < M; j++) {
      let dt = 0;
      for (let s = 0; s < B; s++) {
        const u = (h[s][j] - t[j]) / 0.8;
        if (u > -0.5 && u < 0.5) {
          dt += -(t[j] / 0.8) * dA[s][j];
          inWindow++;
        }
      }
      expect(gradsT[j]).toBeCloseTo(dt * t[j], 5);
    }
    expect(inWindow).toBeGreaterThan(5);
  });

  it("agrees with a central finite difference for the SAE weights (no jump crossed)", () => {
    const { p, logT, batch } = setup(3, 1, 4, 3, 8);
    const hyper = hyperOf([0.5]);
    const g = emptySaeParams(p);
    jumpReluLossAndGrads(p, logT, hyper, batch, g, new Float32Array(3));
    const lossAt = (q: SaeParams) => jumpReluLossAndGrads(q, logT, hyper, batch, emptySaeParams(q), new Float32Array(3)).loss[0];
    expectMatchesCentralDifference(p, g, lossAt, ["wEnc", "bEnc", "wDec", "bDec"]);
  });
});
