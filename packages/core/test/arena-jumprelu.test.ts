import { beforeAll, describe, expect, it } from "vitest";
import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-cpu";
import "@tensorflow/tfjs-core/dist/register_all_gradients";
import { Rng } from "../src/random.ts";
import { initArenaSae } from "../src/sae/arena-relu/init.ts";
import {
  arenaJumpReluLossAndGrads,
  arenaJumpReluReconstructionPerSample,
  encodeArenaJumpRelu,
  initArenaLogTheta,
  rectangle,
  type ArenaJumpReluHyper,
} from "../src/sae/arena-jumprelu/kernel.ts";
import { arenaHeavisideOp, arenaJumpReluOp, arenaJumpReluReferenceLoss } from "../src/sae/arena-jumprelu/reference.ts";
import { emptySaeParams, type GridBatch, type SaeParams } from "../src/sae/types.ts";
import { arenaAutodiff } from "./arena-sae-grads.ts";
import { expectMatchesCentralDifference, maxRelErr } from "./sae/gradient-check.ts";

beforeAll(async () => {
  await tf.setBackend("cpu");
});

describe("ARENA JumpReLU / Heaviside straight-through ops (tfjs)", () => {
  // the original notebook's own checks: z = (1, 1.4, 1.6, 2), θ = 1.5, ε = 0.5
  const z = () => tf.tensor3d([1, 1.4, 1.6, 2], [1, 1, 4]);
  const theta = () => tf.tensor3d([1.5, 1.5, 1.5, 1.5], [1, 1, 4]);

  it("Heaviside: value 1[z > θ], ∂/∂θ = −(1/ε)K((z−θ)/ε) = (0, −2, −2, 0), ∂/∂z = 0", () => {
    const op = arenaHeavisideOp(tf, 0.5);
    expect(Array.from(op(z(), theta()).dataSync())).toEqual([0, 0, 1, 1]);
    const [gz, gt] = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(op(a, b)))([z(), theta()]);
    expect(Array.from(gt.dataSync())).toEqual([0, -2, -2, 0]);
    expect(Array.from(gz.dataSync())).toEqual([0, 0, 0, 0]);
    // a batch of two identical rows doubles θ's gradient (it is summed over the batch axis)
    const zz = tf.concat([z(), z()], 1);
    const [, gt2] = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(op(a, b)))([zz, theta()]);
    expect(gt2.shape).toEqual([1, 1, 4]);
    expect(Array.from(gt2.dataSync())).toEqual([0, -4, -4, 0]);
  });

  it("JumpReLU: value z·1[z > θ], ∂/∂θ = −(θ/ε)K((z−θ)/ε) = (0, −3, −3, 0), ∂/∂z = 1[z > θ]", () => {
    const op = arenaJumpReluOp(tf, 0.5);
    expect(Array.from(op(z(), theta()).dataSync()).map((v) => Number(v.toFixed(6)))).toEqual([0, 0, 1.6, 2]);
    const [gz, gt] = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(op(a, b)))([z(), theta()]);
    expect(Array.from(gt.dataSync())).toEqual([0, -3, -3, 0]);
    expect(Array.from(gz.dataSync())).toEqual([0, 0, 1, 1]);
    expect([rectangle(0.49), rectangle(0.5), rectangle(-0.49), rectangle(-0.5)]).toEqual([1, 0, 1, 0]);
  });
});

describe("ARENA toy JumpReLU SAE kernel", () => {
  it("initialises log θ to log 0.1 and fires only above θ after the ReLU", () => {
    const logTheta = initArenaLogTheta({ instances: 2, dSae: 3 });
    expect(logTheta.length).toBe(6);
    for (const v of logTheta) expect(Math.exp(v)).toBeCloseTo(0.1, 7);
    const p = emptySaeParams({ instances: 1, dIn: 1, dSae: 2 });
    p.wEnc.set([1, -1]);
    const acts = encodeArenaJumpRelu(p, logTheta, 0, Float32Array.from([0.05, 0.3, -0.3]), 3);
    expect(Array.from(acts, (v) => Number(v.toFixed(6)))).toEqual([0, 0, 0.3, 0, 0, 0.3]);
  });

  it("the θ gradient is the hand-derived STE sum on a 4-sample case (W_enc = 1, W_dec = 0.9, θ = 0.1, ε = 0.01)", () => {
    const p = emptySaeParams({ instances: 1, dIn: 1, dSae: 1 });
    p.wEnc.set([1]);
    p.wDec.set([0.9]);
    const h = [0.104, 0.3, 0.097, 0.5]; // in window & on, on, in window & off, on
    const batch: GridBatch = { x: [Float32Array.from(h)], batch: 4, group: Int32Array.from([0]) };
    const c = 0.1;
    const logTheta = initArenaLogTheta(p);
    const grads = emptySaeParams(p);
    const gLogTheta = new Float32Array(1);
    const out = arenaJumpReluLossAndGrads(p, logTheta, { sparsityCoeff: Float64Array.from([c]), tied: false }, batch, grads, gLogTheta);
    const hf = h.map(Math.fround);
    const theta = Math.exp(Math.fround(Math.log(0.1)));
    const acts = hf.map((v) => (v > theta ? v : 0));
    const dA = acts.map((a, s) => (0.9 * (2 * (0.9 * a - hf[s]))) / 4); // ∂L_rec/∂acts_s = W_dec·2(ĥ − h)/(dIn·B)
    // dθ = Σ over samples in the window of −(θ/ε)·∂L/∂acts − (1/ε)·c/B;  d log θ = θ·dθ
    let dTheta = 0;
    for (const s of [0, 2]) dTheta += -(theta / 0.01) * dA[s] - (1 / 0.01) * (c / 4);
    expect(gLogTheta[0]).toBeCloseTo(theta * dTheta, 5);
    expect(gLogTheta[0]).toBeCloseTo(-0.45167, 4); // the same number worked out on paper
    // the encoder sees only the samples above θ (∂/∂z = 1[z > θ]), the L0 term not at all
    expect(grads.bEnc[0]).toBeCloseTo(dA[0] + dA[1] + dA[3], 6);
    expect(grads.wDec[0]).toBeCloseTo(
      acts.reduce((s, a, k) => s + (a * 2 * (0.9 * a - hf[k])) / 4, 0),
      6,
    );
    expect(out.sparsityUnweighted[0]).toBe(0.75); // L0: 3 of 4 samples fire
    expect(out.loss[0]).toBeCloseTo(acts.reduce((s, a, k) => s + (0.9 * a - hf[k]) ** 2, 0) / 4 + c * 0.75, 7);
    expect(Array.from(out.fracActive)).toEqual([0.75]);
  });

  it("fused gradients (log θ included) match tfjs autodiff with the custom STE ops, untied and tied", () => {
    for (const tied of [false, true]) {
      const rng = new Rng(tied ? 3 : 2);
      const I = 3,
        D = 3,
        M = 5,
        B = 32;
      const p = initArenaSae(
        { instances: I, dIn: D, dSae: M },
        Array.from({ length: I }, (_, i) => rng.fork(`sae/${i}`)),
        { tied },
      );
      rng.fillNormal(p.bEnc, 0.1, 0.2);
      rng.fillNormal(p.bDec, 0, 0.1);
      const logTheta = initArenaLogTheta(p);
      for (let e = 0; e < logTheta.length; e++) logTheta[e] = Math.log(rng.uniformIn(0.05, 0.5));
      const x = [rng.fillNormal(new Float32Array(B * D), 0, 0.7), rng.fillNormal(new Float32Array(B * D), 0, 0.7)];
      const batch: GridBatch = { x, batch: B, group: Int32Array.from({ length: I }, (_, i) => i % 2) };
      // a wide ε puts many samples in the window, so the θ gradient is really exercised
      for (const steEpsilon of [0.3, 0.01]) {
        const hyper: ArenaJumpReluHyper = { sparsityCoeff: Float64Array.from([0, 0.1, 0.5]), tied, steEpsilon };
        const grads = emptySaeParams(p);
        const gLogTheta = new Float32Array(I * M);
        const out = arenaJumpReluLossAndGrads(p, logTheta, hyper, batch, grads, gLogTheta);
        const names = tied ? (["wEnc", "bEnc", "bDec"] as const) : (["wEnc", "bEnc", "wDec", "bDec"] as const);
        const ref = arenaAutodiff(p, batch, names, [logTheta], (t, [lt], xs) => arenaJumpReluReferenceLoss(tf, t, lt, xs, hyper));
        const label = `tied=${tied} ε=${steEpsilon}`;
        for (let i = 0; i < I; i++) expect(out.loss[i], label).toBeCloseTo(ref.loss[i], 5);
        for (const k of names) expect(maxRelErr(grads[k], ref.grads[k]!), `${label} ${k}`).toBeLessThan(1e-3);
        expect(maxRelErr(gLogTheta, ref.extraGrads[0]), `${label} log θ`).toBeLessThan(1e-3);
        if (steEpsilon === 0.3) expect(gLogTheta.filter((v) => v !== 0).length).toBeGreaterThan(5);
      }
    }
  });

  it("agrees with central differences for the weights when no sample crosses θ (the jump is not differentiable)", () => {
    const rng = new Rng(4);
    const p = initArenaSae({ instances: 1, dIn: 2, dSae: 3 }, [rng.fork("sae")]);
    rng.fillNormal(p.bEnc, 0.2, 0.1);
    const logTheta = initArenaLogTheta(p);
    const x = [rng.fillNormal(new Float32Array(8 * 2), 0, 0.7)];
    const batch: GridBatch = { x, batch: 8, group: Int32Array.from([0]) };
    const hyper: ArenaJumpReluHyper = { sparsityCoeff: Float64Array.from([0.2]), tied: false };
    const grads = emptySaeParams(p);
    const out = arenaJumpReluLossAndGrads(p, logTheta, hyper, batch, grads, new Float32Array(3));
    expect(out.fracActive.some((f) => f > 0 && f < 1)).toBe(true); // latents on for some samples, off for others
    const lossAt = (q: SaeParams) => arenaJumpReluLossAndGrads(q, logTheta, hyper, batch, emptySaeParams(q), new Float32Array(3)).loss[0];
    expectMatchesCentralDifference(p, grads, lossAt);
  });

  it("per-sample L_rec matches the batch mean", () => {
    const rng = new Rng(5);
    const p = initArenaSae({ instances: 2, dIn: 2, dSae: 4 }, [rng.fork("a"), rng.fork("b")]);
    const logTheta = initArenaLogTheta(p);
    const batch: GridBatch = { x: [rng.fillNormal(new Float32Array(16 * 2))], batch: 16, group: Int32Array.from([0, 0]) };
    const hyper: ArenaJumpReluHyper = { sparsityCoeff: Float64Array.from([0.1, 0.1]), tied: false };
    const rec = arenaJumpReluReconstructionPerSample(p, logTheta, hyper, batch);
    const out = arenaJumpReluLossAndGrads(p, logTheta, hyper, batch, emptySaeParams(p), new Float32Array(8));
    for (let i = 0; i < 2; i++) expect(rec.subarray(i * 16, (i + 1) * 16).reduce((s, v) => s + v, 0) / 16).toBeCloseTo(out.reconstruction[i], 10);
  });
});
