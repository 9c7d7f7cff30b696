import { beforeAll, describe, expect, it } from "vitest";
import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-cpu";
import "@tensorflow/tfjs-core/dist/register_all_gradients";
import { Rng } from "../src/random.ts";
import { arenaSaeAfterStep, initArenaSae, mirrorTiedDecoder, overwriteDecoderWithNormalisedRows } from "../src/sae/arena-relu/init.ts";
import { arenaReluLossAndGrads, arenaReluReconstructionPerSample, encodeArenaRelu, type ArenaReluHyper } from "../src/sae/arena-relu/kernel.ts";
import { arenaReluReferenceLoss } from "../src/sae/arena-relu/reference.ts";
import { emptySaeParams, type GridBatch, type SaeParams } from "../src/sae/types.ts";
import { arenaAutodiff } from "./arena-sae-grads.ts";
import { expectMatchesCentralDifference, maxRelErr } from "./sae/gradient-check.ts";

beforeAll(async () => {
  await tf.setBackend("cpu");
});

const rngsOf = (seed: number, n: number) => Array.from({ length: n }, (_, i) => new Rng(seed).fork(`sae/${i}`));

/** A Kaiming-initialised SAE with random biases and a two-group batch of TMS-like inputs. */
function setup(seed: number, tied: boolean, I = 3, D = 3, M = 5, B = 24) {
  const rng = new Rng(seed);
  const p = initArenaSae({ instances: I, dIn: D, dSae: M }, rngsOf(seed, I), { tied });
  rng.fillNormal(p.bEnc, 0.1, 0.2);
  rng.fillNormal(p.bDec, 0, 0.1);
  const x = [rng.fillNormal(new Float32Array(B * D), 0, 0.7), rng.fillNormal(new Float32Array(B * D), 0, 0.7)];
  const batch: GridBatch = { x, batch: B, group: Int32Array.from({ length: I }, (_, i) => i % 2) };
  return { p, batch, rng };
}

const hyperOf = (coeffs: number[], tied: boolean): ArenaReluHyper => ({ sparsityCoeff: Float64Array.from(coeffs), tied });

describe("ARENA toy ReLU SAE kernel", () => {
  it("computes L_rec (mean over dIn), L_sparsity (Σ|acts|) and normalises decoder rows in the forward (hand values)", () => {
    const p = emptySaeParams({ instances: 1, dIn: 2, dSae: 1 });
    p.wEnc.set([1, 0]); // encoder column (1, 0)
    p.wDec.set([2, 0]); // decoder row (2, 0), used as (2, 0)/(2 + 1e-8)
    p.bDec.set([0.1, 0]);
    const batch: GridBatch = { x: [Float32Array.from([0.6, 0.3])], batch: 1, group: Int32Array.from([0]) };
    // h − b_dec = (0.5, 0.3), act = 0.5, ĥ = 0.5·(1, 0) + (0.1, 0) = (0.6, 0)
    const out = arenaReluLossAndGrads(p, hyperOf([0.2], false), batch, emptySaeParams(p));
    expect(out.reconstruction[0]).toBeCloseTo(0.09 / 2, 7);
    expect(out.sparsityUnweighted[0]).toBeCloseTo(0.5, 7);
    expect(out.sparsity[0]).toBeCloseTo(0.1, 7);
    expect(out.loss[0]).toBeCloseTo(0.145, 7);
    expect(Array.from(out.fracActive)).toEqual([1]);
    expect(Array.from(encodeArenaRelu(p, 0, batch.x[0], 1))).toEqual([0.5]);
    // a decoder row's scale does not matter (up to eps)…
    p.wDec.set([20, 0]);
    expect(arenaReluLossAndGrads(p, hyperOf([0.2], false), batch, emptySaeParams(p)).loss[0]).toBeCloseTo(0.145, 7);
  });

  it("fused gradients match tfjs autodiff, untied and tied", () => {
    for (const tied of [false, true]) {
      const { p, batch } = setup(tied ? 2 : 1, tied);
      const hyper = hyperOf([0, 0.2, 0.5], tied);
      const fused = emptySaeParams(p);
      const out = arenaReluLossAndGrads(p, hyper, batch, fused);
      const names = tied ? (["wEnc", "bEnc", "bDec"] as const) : (["wEnc", "bEnc", "wDec", "bDec"] as const);
      const ref = arenaAutodiff(p, batch, names, [], (t, _e, x) => arenaReluReferenceLoss(tf, t, x, hyper));
      for (let i = 0; i < 3; i++) expect(out.loss[i], `tied=${tied} instance ${i}`).toBeCloseTo(ref.loss[i], 5);
      for (const k of names) expect(maxRelErr(fused[k], ref.grads[k]!), `tied=${tied} ${k}`).toBeLessThan(1e-3);
      if (tied) expect(fused.wDec.every((v) => v === 0)).toBe(true);
      expect(out.fracActive.some((f) => f > 0 && f < 1)).toBe(true); // the ReLU gate is really exercised
    }
  });

  it("agrees with central differences, and the decoder gradient is orthogonal to its row (scale invariance)", () => {
    for (const tied of [false, true]) {
      const { p, batch } = setup(3, tied, 1, 2, 3, 8);
      const hyper = hyperOf([0.3], tied);
      const g = emptySaeParams(p);
      arenaReluLossAndGrads(p, hyper, batch, g);
      const lossAt = (q: SaeParams) => arenaReluLossAndGrads(q, hyper, batch, emptySaeParams(q)).loss[0];
      expectMatchesCentralDifference(p, g, lossAt, tied ? ["wEnc", "bEnc", "bDec"] : ["wEnc", "bEnc", "wDec", "bDec"]);
      if (!tied) {
        for (let j = 0; j < 3; j++) {
          let dot = 0,
            gn = 0;
          for (let k = 0; k < 2; k++) {
            dot += g.wDec[j * 2 + k] * p.wDec[j * 2 + k];
            gn += g.wDec[j * 2 + k] ** 2;
          }
          expect(Math.abs(dot)).toBeLessThan(1e-6 * Math.max(1, Math.sqrt(gn)));
        }
      }
    }
  });

  it("reports per-sample L_rec and frac_active (share of the batch with |act| > 1e-8)", () => {
    const p = emptySaeParams({ instances: 1, dIn: 1, dSae: 2 });
    p.wEnc.set([1, -1]); // latent 0 fires on positive inputs, latent 1 on negative ones
    p.wDec.set([1, -1]);
    const batch: GridBatch = { x: [Float32Array.from([1, 2, -1, 0])], batch: 4, group: Int32Array.from([0]) };
    const hyper = hyperOf([0.2], false);
    const out = arenaReluLossAndGrads(p, hyper, batch, emptySaeParams(p));
    expect(Array.from(out.fracActive)).toEqual([0.5, 0.25]);
    expect(Array.from(out.fired)).toEqual([1, 1]);
    const rec = arenaReluReconstructionPerSample(p, hyper, batch);
    // exact reconstruction up to the eps of the normalisation: ĥ = h·1/(1 + 1e-8)
    for (let s = 0; s < 4; s++) expect(rec[s]).toBeCloseTo(0, 12);
    p.bEnc.set([-0.5, -0.5]); // shrink every act by ½ (or to 0): errors ½, ½, ½, 0 → L_rec ¼, ¼, ¼, 0
    const shrunk = arenaReluReconstructionPerSample(p, hyper, batch);
    expect(Array.from(shrunk, (v) => Number(v.toFixed(6)))).toEqual([0.25, 0.25, 0.25, 0]);
    expect(arenaReluLossAndGrads(p, hyper, batch, emptySaeParams(p)).reconstruction[0]).toBeCloseTo(0.75 / 4, 7);
  });
});

describe("ARENA toy SAE init and after-step hook", () => {
  it("Kaiming-uniform (S) bound √(6/(dIn·dSae)) for W_enc and W_dec; OLD Xavier-normal stds; biases 0", () => {
    const shape = { instances: 4, dIn: 20, dSae: 30 };
    const p = initArenaSae(shape, rngsOf(1, 4));
    const bound = Math.sqrt(6 / 600);
    for (const w of [p.wEnc, p.wDec]) {
      expect(w.every((v) => Math.abs(v) <= bound)).toBe(true);
      expect(Math.max(...Array.from(w, Math.abs))).toBeGreaterThan(0.99 * bound);
    }
    expect(p.bEnc.every((v) => v === 0) && p.bDec.every((v) => v === 0)).toBe(true);
    const old = initArenaSae(shape, rngsOf(1, 4), { init: "xavier-old" });
    const sd = (w: Float32Array) => Math.sqrt(w.reduce((s, v) => s + v * v, 0) / w.length);
    expect(sd(old.wEnc) / Math.sqrt(2 / (600 + 4 * 30))).toBeCloseTo(1, 1);
    expect(sd(old.wDec) / Math.sqrt(2 / (600 + 4 * 20))).toBeCloseTo(1, 1);
  });

  it("tied: W_dec mirrors W_encᵀ at init and after every step; untied: rows become row/(‖row‖ + eps)", () => {
    const tied = initArenaSae({ instances: 2, dIn: 2, dSae: 3 }, rngsOf(2, 2), { tied: true });
    for (let i = 0; i < 2; i++) for (let k = 0; k < 2; k++) for (let j = 0; j < 3; j++) expect(tied.wDec[i * 6 + j * 2 + k]).toBe(tied.wEnc[i * 6 + k * 3 + j]);
    tied.wEnc[0] = 5;
    arenaSaeAfterStep(tied, { tied: true });
    expect(tied.wDec[0]).toBe(5);

    const p = emptySaeParams({ instances: 1, dIn: 2, dSae: 2 });
    p.wDec.set([3, 4, 0, 0]);
    arenaSaeAfterStep(p, { tied: false });
    expect(p.wDec[0]).toBeCloseTo(0.6, 7);
    expect(p.wDec[1]).toBeCloseTo(0.8, 7);
    expect(p.wDec[2]).toBe(0); // a zero row stays zero (÷ eps), no NaN
    p.wDec.set([1e-8, 0, 0, 0]);
    overwriteDecoderWithNormalisedRows(p, 1e-8);
    expect(p.wDec[0]).toBeCloseTo(0.5, 6); // 1e-8/(1e-8 + 1e-8): the eps is really there
    mirrorTiedDecoder(p); // and mirroring overwrites wDec from wEnc (all 0 here)
    expect(p.wDec.every((v) => v === 0)).toBe(true);
  });
});
