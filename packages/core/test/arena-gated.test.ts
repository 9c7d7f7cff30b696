import { beforeAll, describe, expect, it } from "vitest";
import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-cpu";
import "@tensorflow/tfjs-core/dist/register_all_gradients";
import { Rng } from "../src/random.ts";
import { initArenaSae } from "../src/sae/arena-relu/init.ts";
import { encodeGated, gatedLossAndGrads, gatedReconstructionPerSample, initGatedExtras, type GatedExtras, type GatedHyper } from "../src/sae/gated/kernel.ts";
import { gatedReferenceLoss } from "../src/sae/gated/reference.ts";
import { emptySaeParams, type GridBatch, type SaeParams } from "../src/sae/types.ts";
import { arenaAutodiff } from "./arena-sae-grads.ts";
import { expectMatchesCentralDifference, maxRelErr } from "./sae/gradient-check.ts";

beforeAll(async () => {
  await tf.setBackend("cpu");
});

function setup(seed: number, tied: boolean, I = 3, D = 3, M = 5, B = 24) {
  const rng = new Rng(seed);
  const p = initArenaSae(
    { instances: I, dIn: D, dSae: M },
    Array.from({ length: I }, (_, i) => rng.fork(`sae/${i}`)),
    { tied },
  );
  rng.fillNormal(p.bEnc, 0.05, 0.2);
  rng.fillNormal(p.bDec, 0, 0.1);
  const extras = initGatedExtras(p);
  rng.fillNormal(extras.rMag, 0, 0.3);
  rng.fillNormal(extras.bMag, 0, 0.2);
  const x = [rng.fillNormal(new Float32Array(B * D), 0, 0.7), rng.fillNormal(new Float32Array(B * D), 0, 0.7)];
  const batch: GridBatch = { x, batch: B, group: Int32Array.from({ length: I }, (_, i) => i % 2) };
  return { p, extras, batch };
}

/** One instance, dIn 2, one latent: W_gate (1, 0), r_mag = log 2 (W_mag = (2, 0)), W_dec (1, 0). */
function handCase(bGate: number, bMag: number) {
  const p = emptySaeParams({ instances: 1, dIn: 2, dSae: 1 });
  p.wEnc.set([1, 0]);
  p.bEnc.set([bGate]);
  p.wDec.set([1, 0]);
  const extras: GatedExtras = { rMag: Float32Array.from([Math.log(2)]), bMag: Float32Array.from([bMag]) };
  const batch: GridBatch = { x: [Float32Array.from([0.5, 0.2])], batch: 1, group: Int32Array.from([0]) };
  return { p, extras, batch };
}

describe("ARENA toy Gated SAE", () => {
  it("hand values: gate open (π = 0.4, magnitude 2·0.5 − 0.5) and gate closed", () => {
    const hyper: GatedHyper = { sparsityCoeff: Float64Array.from([1]), tied: false };
    const open = handCase(-0.1, -0.5);
    const out = gatedLossAndGrads(open.p, open.extras, hyper, open.batch, emptySaeParams(open.p), initGatedExtras(open.p));
    expect(out.reconstruction[0]).toBeCloseTo(0.04 / 2, 7); // ĥ = (0.5, 0)
    expect(out.sparsityUnweighted[0]).toBeCloseTo(0.4, 7); // ReLU(π)·‖W_dec‖ = 0.4·1
    expect(out.auxiliary[0]).toBeCloseTo(0.01 + 0.04, 7); // via gate: (0.4, 0) vs (0.5, 0.2)
    expect(out.loss[0]).toBeCloseTo(0.47, 7);
    expect(Array.from(encodeGated(open.p, open.extras, 0, open.batch.x[0], 1))).toEqual([0.5]);

    const closed = handCase(-0.6, -0.5); // π = −0.1: no act, no sparsity, the aux path reconstructs b_dec = 0
    const c = gatedLossAndGrads(closed.p, closed.extras, hyper, closed.batch, emptySaeParams(closed.p), initGatedExtras(closed.p));
    expect(c.reconstruction[0]).toBeCloseTo(0.29 / 2, 7);
    expect(c.sparsity[0]).toBe(0);
    expect(c.auxiliary[0]).toBeCloseTo(0.29, 7);
    expect(Array.from(c.fracActive)).toEqual([0]);
  });

  it("L_aux uses a detached decoder: an open gate with no magnitude gives W_dec no gradient", () => {
    // π = 0.4 > 0 but the magnitude 2·0.5 − 2 < 0: acts = 0, so only L_sparsity and L_aux see the latent
    const { p, extras, batch } = handCase(-0.1, -2);
    const grads = emptySaeParams(p);
    const extraGrads = initGatedExtras(p);
    const out = gatedLossAndGrads(p, extras, { sparsityCoeff: Float64Array.from([1]), tied: false, sparsityTimesDecoderNorm: false }, batch, grads, extraGrads);
    expect(out.auxiliary[0]).toBeGreaterThan(0);
    expect(Array.from(grads.wDec)).toEqual([0, 0]);
    expect(extraGrads.bMag[0]).toBe(0); // the magnitude ReLU is closed
    // ∂/∂b_gate = coeff + W_dec·2(ĥ_aux − h) = 1 + 2·(0.4 − 0.5) = 0.8
    expect(grads.bEnc[0]).toBeCloseTo(0.8, 6);
    // with the decoder norm in L_sparsity, W_dec gets exactly coeff·ReLU(π)·W_dec/‖W_dec‖ = (0.4, 0)
    const g2 = emptySaeParams(p);
    gatedLossAndGrads(p, extras, { sparsityCoeff: Float64Array.from([1]), tied: false }, batch, g2, initGatedExtras(p));
    expect(g2.wDec[0]).toBeCloseTo(0.4, 6);
    expect(g2.wDec[1]).toBeCloseTo(0, 7);
  });

  it("fused gradients match tfjs autodiff: untied (with and without decoder norms in L_sparsity) and tied", () => {
    for (const [tied, norms] of [
      [false, undefined],
      [false, false],
      [true, undefined],
    ] as const) {
      const { p, extras, batch } = setup(tied ? 7 : 5, tied);
      const hyper: GatedHyper = { sparsityCoeff: Float64Array.from([0, 0.5, 1]), tied, sparsityTimesDecoderNorm: norms };
      const grads = emptySaeParams(p);
      const extraGrads = initGatedExtras(p);
      const out = gatedLossAndGrads(p, extras, hyper, batch, grads, extraGrads);
      const names = tied ? (["wEnc", "bEnc", "bDec"] as const) : (["wEnc", "bEnc", "wDec", "bDec"] as const);
      const ref = arenaAutodiff(p, batch, names, [extras.rMag, extras.bMag], (t, [r, b], x) => gatedReferenceLoss(tf, t, r, b, x, hyper));
      const label = `tied=${tied} norms=${norms}`;
      for (let i = 0; i < 3; i++) expect(out.loss[i], label).toBeCloseTo(ref.loss[i], 5);
      for (const k of names) expect(maxRelErr(grads[k], ref.grads[k]!), `${label} ${k}`).toBeLessThan(1e-3);
      expect(maxRelErr(extraGrads.rMag, ref.extraGrads[0]), `${label} rMag`).toBeLessThan(1e-3);
      expect(maxRelErr(extraGrads.bMag, ref.extraGrads[1]), `${label} bMag`).toBeLessThan(1e-3);
      expect(Math.max(...Array.from(extraGrads.rMag, Math.abs))).toBeGreaterThan(1e-4);
      expect(out.fracActive.some((f) => f > 0 && f < 1)).toBe(true);
    }
  });

  it("agrees with central differences; for W_dec and b_dec they differ by exactly the detached L_aux part", () => {
    const { p, extras, batch } = setup(11, false, 1, 2, 3, 6);
    const [D, M, B] = [2, 3, 6];
    const hyper: GatedHyper = { sparsityCoeff: Float64Array.from([0.7]), tied: false };
    const grads = emptySaeParams(p);
    const extraGrads = initGatedExtras(p);
    gatedLossAndGrads(p, extras, hyper, batch, grads, extraGrads);
    const lossAt = (q: SaeParams) => gatedLossAndGrads(q, extras, hyper, batch, emptySaeParams(q), initGatedExtras(q)).loss[0];
    // no gate is crossed by a 1e-3 step in this case, so the encoder side is smooth
    expectMatchesCentralDifference(p, grads, lossAt, ["wEnc", "bEnc"]);
    for (const key of ["rMag", "bMag"] as const) {
      for (let j = 0; j < M; j++) {
        const orig = extras[key][j];
        extras[key][j] = orig + 1e-3;
        const up = lossAt(p);
        extras[key][j] = orig - 1e-3;
        const down = lossAt(p);
        extras[key][j] = orig;
        expect(extraGrads[key][j], `${key}[${j}]`).toBeCloseTo((up - down) / 2e-3, 2);
      }
    }
    // The loss value contains L_aux(W_dec, b_dec), the gradient does not (they are detached there):
    // finite difference = kernel gradient + ∂L_aux/∂(W_dec, b_dec), the latter by hand:
    //   ∂/∂W_dec[j,k] = mean_s 2(ĥ_aux − h)_k·ReLU(π_j),  ∂/∂b_dec[k] (the added b_dec) = mean_s 2(ĥ_aux − h)_k
    const auxW = new Float64Array(M * D);
    const auxB = new Float64Array(D);
    const x = batch.x[0];
    for (let s = 0; s < B; s++) {
      const gate = new Float64Array(M);
      for (let j = 0; j < M; j++) {
        let pi = p.bEnc[j];
        for (let k = 0; k < D; k++) pi += (x[s * D + k] - p.bDec[k]) * p.wEnc[k * M + j];
        gate[j] = Math.max(pi, 0);
      }
      for (let k = 0; k < D; k++) {
        let xa = p.bDec[k];
        for (let j = 0; j < M; j++) xa += gate[j] * p.wDec[j * D + k];
        const d = (2 * (xa - x[s * D + k])) / B;
        auxB[k] += d;
        for (let j = 0; j < M; j++) auxW[j * D + k] += d * gate[j];
      }
    }
    expect(Math.max(...Array.from(auxW, Math.abs))).toBeGreaterThan(0.01); // the detached part is not negligible
    const shifted = emptySaeParams(p);
    for (let e = 0; e < M * D; e++) shifted.wDec[e] = grads.wDec[e] + auxW[e];
    for (let k = 0; k < D; k++) shifted.bDec[k] = grads.bDec[k] + auxB[k];
    expectMatchesCentralDifference(p, shifted, lossAt, ["wDec", "bDec"]);
  });

  it("per-sample L_rec matches the batch mean the kernel reports", () => {
    const { p, extras, batch } = setup(13, false);
    const hyper: GatedHyper = { sparsityCoeff: Float64Array.from([1, 1, 1]), tied: false };
    const rec = gatedReconstructionPerSample(p, extras, hyper, batch);
    const out = gatedLossAndGrads(p, extras, hyper, batch, emptySaeParams(p), initGatedExtras(p));
    for (let i = 0; i < 3; i++) {
      let mean = 0;
      for (let s = 0; s < batch.batch; s++) mean += rec[i * batch.batch + s] / batch.batch;
      expect(mean).toBeCloseTo(out.reconstruction[i], 10);
    }
  });
});
