import { describe, expect, it, beforeAll } from "vitest";
import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-cpu";
import { Rng } from "../src/random.ts";
import {
  encodeStandardSae,
  initStandardSae,
  standardSaeLossAndGrads,
  type ReconstructionLoss,
  type StandardSaeHyper,
  type StandardSaeOptions,
} from "../src/sae/standard/kernel.ts";
import { standardSaeReferenceLoss } from "../src/sae/standard/reference.ts";
import { emptySaeParams, type GridBatch, type SaeParams } from "../src/sae/types.ts";
import { autodiff, expectMatchesCentralDifference, maxRelErr } from "./sae/gradient-check.ts";

beforeAll(async () => {
  await tf.setBackend("cpu");
});

/** Every combination of the three loss options. */
const ALL_OPTIONS: StandardSaeOptions[] = (["MSE", "L2"] as ReconstructionLoss[]).flatMap((reconstructionLoss) =>
  [false, true].flatMap((scaleSparsityByDecoderNorm) => [false, true].map((applyBDecToInput) => ({ reconstructionLoss, scaleSparsityByDecoderNorm, applyBDecToInput }))),
);

const name = (o: StandardSaeOptions) => `${o.reconstructionLoss}, scale ${o.scaleSparsityByDecoderNorm}, b_dec→input ${o.applyBDecToInput}`;

function oneSample(x: number[]): GridBatch {
  return { x: [Float32Array.from(x)], batch: 1, group: Int32Array.from([0]) };
}

/** The hand case: dIn 2, dSae 1; W_enc = [1, 0]ᵀ, W_dec = [3, 4] (norm 5), b_enc = 0, b_dec given. */
function handParams(bDec: [number, number]): SaeParams {
  const p = emptySaeParams({ instances: 1, dIn: 2, dSae: 1 });
  p.wEnc.set([1, 0]);
  p.wDec.set([3, 4]);
  p.bDec.set(bDec);
  return p;
}

describe("standard SAE initialisation", () => {
  it("kaiming-uniform bounds √(6/dIn) for W_dec and √(6/dSae) for W_enc, zero biases, normalised decoder by default", () => {
    const shape = { instances: 2, dIn: 24, dSae: 6 };
    const raw = initStandardSae(shape, [new Rng(1), new Rng(2)], { normaliseDecoder: false });
    const decBound = Math.sqrt(6 / 24);
    const encBound = Math.sqrt(6 / 6);
    const maxAbs = (a: Float32Array) => a.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
    expect(maxAbs(raw.wDec)).toBeLessThanOrEqual(decBound);
    expect(maxAbs(raw.wDec)).toBeGreaterThan(0.9 * decBound); // 288 draws reach the edge
    expect(maxAbs(raw.wEnc)).toBeLessThanOrEqual(encBound);
    expect(maxAbs(raw.wEnc)).toBeGreaterThan(0.9 * encBound);
    expect(raw.bEnc.every((v) => v === 0) && raw.bDec.every((v) => v === 0)).toBe(true);
    const unit = initStandardSae(shape, [new Rng(1), new Rng(2)]);
    for (let r = 0; r < 12; r++) {
      const row = unit.wDec.subarray(r * 24, (r + 1) * 24);
      expect(Math.hypot(...row)).toBeCloseTo(1, 6);
      // the same direction as the raw draw
      expect(row[0] / row[1]).toBeCloseTo(raw.wDec[r * 24] / raw.wDec[r * 24 + 1], 4);
    }
  });

  it("W_enc = W_decᵀ is copied before the decoder is normalised (SAELens 5.10.2 order)", () => {
    const shape = { instances: 1, dIn: 5, dSae: 3 };
    const raw = initStandardSae(shape, [new Rng(3)], { normaliseDecoder: false, initEncoderAsDecoderTranspose: true });
    const both = initStandardSae(shape, [new Rng(3)], { normaliseDecoder: true, initEncoderAsDecoderTranspose: true });
    for (let j = 0; j < 3; j++)
      for (let k = 0; k < 5; k++) {
        expect(raw.wEnc[k * 3 + j]).toBe(raw.wDec[j * 5 + k]);
        expect(both.wEnc[k * 3 + j]).toBe(raw.wDec[j * 5 + k]); // unnormalised
      }
    expect(Math.hypot(...both.wDec.subarray(0, 5))).toBeCloseTo(1, 6);
  });

  it("heuristic init gives rows of norm 0.1 and is rejected together with normalisation; one Rng per instance", () => {
    const h = initStandardSae({ instances: 1, dIn: 8, dSae: 4 }, [new Rng(4)], { decoderHeuristicInit: true, normaliseDecoder: false });
    for (let r = 0; r < 4; r++) expect(Math.hypot(...h.wDec.subarray(r * 8, (r + 1) * 8))).toBeCloseTo(0.1, 6);
    expect(() => initStandardSae({ instances: 1, dIn: 8, dSae: 4 }, [new Rng(4)], { decoderHeuristicInit: true })).toThrow(/cannot both be set/);
    const one = initStandardSae({ instances: 1, dIn: 4, dSae: 2 }, [new Rng(9)]);
    const two = initStandardSae({ instances: 2, dIn: 4, dSae: 2 }, [new Rng(9), new Rng(10)]);
    expect(Array.from(two.wDec.subarray(0, 8))).toEqual(Array.from(one.wDec));
  });
});

describe("standard SAE loss by hand", () => {
  // x = [2, 1], b_dec = [1, 0], W_enc = [1, 0]ᵀ, W_dec = [3, 4], λ = 0.1.
  //   b_dec applied:  h = (2 − 1)·1 + (1 − 0)·0 = 1, a = 1, x̂ = [3, 4] + [1, 0] = [4, 4], e = [2, 3],
  //                   ‖e‖² = 13, ‖e‖ = √13, L1 = a·5 = 5 (scaled) or a = 1
  //   not applied:    h = 2, a = 2, x̂ = [6, 8] + [1, 0] = [7, 8], e = [5, 7], ‖e‖² = 74, L1 = 10 or 2
  const cases: Array<[StandardSaeOptions, number]> = [
    [{ reconstructionLoss: "MSE", scaleSparsityByDecoderNorm: false, applyBDecToInput: true }, 13 + 0.1 * 1],
    [{ reconstructionLoss: "MSE", scaleSparsityByDecoderNorm: true, applyBDecToInput: true }, 13 + 0.1 * 5],
    [{ reconstructionLoss: "L2", scaleSparsityByDecoderNorm: true, applyBDecToInput: true }, Math.sqrt(13) + 0.1 * 5],
    [{ reconstructionLoss: "MSE", scaleSparsityByDecoderNorm: false, applyBDecToInput: false }, 74 + 0.1 * 2],
    [{ reconstructionLoss: "L2", scaleSparsityByDecoderNorm: true, applyBDecToInput: false }, Math.sqrt(74) + 0.1 * 10],
  ];
  for (const [options, expected] of cases) {
    it(`${name(options)}: ${expected.toFixed(4)}`, () => {
      const p = handParams([1, 0]);
      const hyper = { l1: Float64Array.from([0.1]), options };
      expect(standardSaeLossAndGrads(p, hyper, oneSample([2, 1]), emptySaeParams(p)).loss[0]).toBeCloseTo(expected, 10);
      const ref = autodiff(p, oneSample([2, 1]), (t, x) => standardSaeReferenceLoss(tf, t, x, hyper), emptySaeParams(p));
      expect(ref[0]).toBeCloseTo(expected, 4);
      expect(Array.from(encodeStandardSae(p, 0, Float32Array.from([2, 1]), 1, options.applyBDecToInput))).toEqual([options.applyBDecToInput ? 1 : 2]);
    });
  }

  it("decoder-norm-scaled L1 gradients by hand: the λ-part of every gradient", () => {
    // b_dec = 0, x = [2, 1]: h = 2, a = 2, L1 = λ·a·‖w‖ = 10λ. Its gradients:
    //   ∂/∂W_dec = λ·a·w/‖w‖ = λ·2·[3, 4]/5 = λ·[1.2, 1.6]
    //   ∂/∂h = λ‖w‖ = 5λ → ∂/∂W_enc = 5λ·x = λ·[10, 5], ∂/∂b_enc = 5λ, ∂/∂b_dec = −W_enc·5λ = λ·[−5, 0]
    // The λ = 1 gradient minus the λ = 0 gradient is exactly this part.
    const options: StandardSaeOptions = { reconstructionLoss: "MSE", scaleSparsityByDecoderNorm: true, applyBDecToInput: true };
    const p = handParams([0, 0]);
    const withL1 = emptySaeParams(p);
    const without = emptySaeParams(p);
    const out = standardSaeLossAndGrads(p, { l1: Float64Array.from([1]), options }, oneSample([2, 1]), withL1);
    standardSaeLossAndGrads(p, { l1: Float64Array.from([0]), options }, oneSample([2, 1]), without);
    const diff = (k: "wEnc" | "bEnc" | "wDec" | "bDec") => Array.from(withL1[k], (v, e) => v - without[k][e]);
    expect(out.sparsity[0]).toBeCloseTo(10, 10);
    // (the gradients are stored in float32: differences of values near 30 are exact to ~1e-6)
    for (const [e, v] of diff("wDec").entries()) expect(v).toBeCloseTo([1.2, 1.6][e], 5);
    for (const [e, v] of diff("wEnc").entries()) expect(v).toBeCloseTo([10, 5][e], 5);
    for (const v of diff("bEnc")) expect(v).toBeCloseTo(5, 5);
    for (const [e, v] of diff("bDec").entries()) expect(v).toBeCloseTo([-5, 0][e], 5);
    // and the reconstruction part: x̂ = [6, 8], e = [4, 7], ∂/∂W_dec = 2·a·e = [16, 28]
    for (const [e, v] of Array.from(without.wDec).entries()) expect(v).toBeCloseTo([16, 28][e], 5);
  });
});

describe("standard SAE fused gradients", () => {
  function setup(seed: number, I = 3, D = 6, M = 5, B = 16) {
    const rng = new Rng(seed);
    const p = initStandardSae(
      { instances: I, dIn: D, dSae: M },
      Array.from({ length: I }, (_, i) => rng.fork(`i${i}`)),
      { normaliseDecoder: false },
    );
    rng.fillNormal(p.wEnc, 0, 0.5);
    rng.fillNormal(p.wDec, 0, 0.5);
    rng.fillNormal(p.bEnc, 0, 0.3);
    rng.fillNormal(p.bDec, 0, 0.2);
    const x = [rng.fillUniform(new Float32Array(B * D), -1, 1), rng.fillUniform(new Float32Array(B * D), -1, 1)];
    const batch: GridBatch = { x, batch: B, group: Int32Array.from({ length: I }, (_, i) => i % 2) };
    return { p, batch };
  }

  for (const options of ALL_OPTIONS) {
    it(`match tfjs autodiff and central differences (${name(options)})`, () => {
      // the second shape leaves samples and latents outside the blocked encoder's blocks
      for (const [D, M, B] of [
        [6, 5, 16],
        [7, 6, 13],
      ]) {
        const { p, batch } = setup(D * 10 + M, 3, D, M, B);
        p.bEnc[0] = -5; // instance 0's latent 0 never fires
        const hyper: StandardSaeHyper = { l1: Float64Array.from([0, 0.1, 0.5]), options };
        const fused = emptySaeParams(p);
        const out = standardSaeLossAndGrads(p, hyper, batch, fused);
        const ref = emptySaeParams(p);
        const refLoss = autodiff(p, batch, (t, x) => standardSaeReferenceLoss(tf, t, x, hyper), ref);
        for (let i = 0; i < 3; i++) expect(out.loss[i]).toBeCloseTo(refLoss[i], 4);
        for (const k of ["wEnc", "bEnc", "wDec", "bDec"] as const) expect(maxRelErr(fused[k], ref[k]), k).toBeLessThan(1e-3);
        expect(out.sparsity[0]).toBe(0);
        expect(out.sparsity[2]).toBeGreaterThan(0);
        // fired = the latent had a > 0 somewhere in the batch
        for (let i = 0; i < 3; i++) {
          const codes = encodeStandardSae(p, i, batch.x[batch.group[i]], B, options.applyBDecToInput);
          for (let j = 0; j < M; j++) expect(out.fired[i * M + j]).toBe(codes.some((a, e) => e % M === j && a > 0) ? 1 : 0);
        }
        expect(out.fired[0]).toBe(0);
      }
      const { p, batch } = setup(3, 1, 4, 3, 8);
      const hyper: StandardSaeHyper = { l1: Float64Array.from([0.3]), options };
      const g = emptySaeParams(p);
      standardSaeLossAndGrads(p, hyper, batch, g);
      const lossAt = (q: SaeParams) => standardSaeLossAndGrads(q, hyper, batch, emptySaeParams(q)).loss[0];
      expectMatchesCentralDifference(p, g, lossAt);
    });
  }
});
