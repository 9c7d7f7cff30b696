import { describe, expect, it, beforeAll } from "vitest";
import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-cpu";
import { Rng } from "../../src/random.ts";
import { auxKSizes, batchTopKCount, batchTopKLossAndGrads, batchTopKState, encodeBatchTopK, encodeWithTopKThreshold, updateTopKThreshold } from "../../src/sae/batchtopk/kernel.ts";
import { initSaeLens } from "../../src/sae/shared/saelens-base.ts";
import { nthLargest, positiveTopKCut, topKMask } from "../../src/sae/shared/top-k-select.ts";
import { emptySaeParams, type GridBatch, type SaeParams } from "../../src/sae/types.ts";
import { batchTopKReference } from "../../src/sae/batchtopk/reference.ts";
import { autodiff, expectMatchesCentralDifference, maxRelErr } from "./gradient-check.ts";

beforeAll(async () => {
  await tf.setBackend("cpu");
});

describe("top-k selection", () => {
  it("nthLargest agrees with a full sort, including long runs of ties", () => {
    const rng = new Rng(1);
    for (const n of [1, 2, 7, 100, 5000]) {
      const values = new Float64Array(n);
      for (let e = 0; e < n; e++) values[e] = rng.uniform() < 0.6 ? 0 : Math.round(rng.uniform() * 20) / 4;
      const sorted = Array.from(values).sort((a, b) => b - a);
      for (const rank of [0, Math.floor(n / 3), n - 1]) {
        expect(nthLargest(values.slice(), n, rank)).toBe(sorted[rank]);
      }
    }
  });

  it("stays correct on already-sorted input", () => {
    const n = 10_000;
    const asc = Float64Array.from({ length: n }, (_, e) => e);
    expect(nthLargest(asc.slice(), n, 10)).toBe(n - 11);
    const desc = Float64Array.from({ length: n }, (_, e) => n - e);
    expect(nthLargest(desc.slice(), n, 10)).toBe(n - 10);
  });

  it("keeps exactly `count` values and breaks ties by the lower index", () => {
    const values = Float64Array.from([3, 1, 2, 2, 5, 2, 0]);
    const mask = new Uint8Array(7);
    const cut = topKMask(values, 7, 4, mask, new Float64Array(7));
    expect(cut).toBe(2);
    expect(Array.from(mask)).toEqual([1, 0, 1, 1, 1, 0, 0]);
    topKMask(values, 7, 0, mask, new Float64Array(7));
    expect(Array.from(mask)).toEqual([0, 0, 0, 0, 0, 0, 0]);
    topKMask(values, 7, 9, mask, new Float64Array(7));
    expect(Array.from(mask)).toEqual([1, 1, 1, 1, 1, 1, 1]);
  });

  it("positiveTopKCut selects what topKMask selects on the ReLU values, less the zeros (sample-bracketed sizes included)", () => {
    const rng = new Rng(11);
    const cases: Array<{ n: number; draw: () => number; counts: number[] }> = [
      // continuous, about half positive: the bracket hits
      { n: 51_200, draw: () => rng.normal(), counts: [1, 1843, 11_264, 25_000, 40_000, 51_200] },
      // coarse values: long runs of ties at the cut
      { n: 20_000, draw: () => Math.round(rng.normal() * 4) / 4, counts: [3000, 9000, 15_000] },
      // mostly ≤ 0: the bracket reaches 0 and the selection falls back
      { n: 12_000, draw: () => (rng.uniform() < 0.9 ? -rng.uniform() : rng.uniform()), counts: [500, 1200, 5000] },
      { n: 100, draw: () => rng.normal(), counts: [0, 7, 60] },
    ];
    for (const { n, draw, counts } of cases) {
      const values = Float64Array.from({ length: n }, draw);
      const relu = values.map((v) => Math.max(v, 0));
      for (const count of counts) {
        const expected = new Uint8Array(n);
        topKMask(relu, n, count, expected, new Float64Array(n));
        const { cut, ties } = positiveTopKCut(values, n, count, new Float64Array(n));
        let left = ties;
        for (let e = 0; e < n; e++) {
          const kept = values[e] > cut || (values[e] === cut && left-- > 0);
          if ((expected[e] === 1 && relu[e] > 0) !== kept) throw new Error(`n ${n}, count ${count}: entry ${e} differs`);
        }
      }
    }
  });
});

describe("SAELens initialisation", () => {
  it("gives decoder rows of norm 0.1 within the kaiming bound and W_enc = W_decᵀ", () => {
    const rng = new Rng(3);
    const p = initSaeLens({ instances: 2, dIn: 6, dSae: 4 }, [rng.fork("a"), rng.fork("b")]);
    for (let r = 0; r < 8; r++) {
      let n2 = 0;
      for (let k = 0; k < 6; k++) n2 += p.wDec[r * 6 + k] ** 2;
      expect(Math.sqrt(n2)).toBeCloseTo(0.1, 6);
    }
    for (let i = 0; i < 2; i++) for (let j = 0; j < 4; j++) for (let k = 0; k < 6; k++) expect(p.wEnc[i * 24 + k * 4 + j]).toBe(p.wDec[i * 24 + j * 6 + k]);
    expect(Array.from(p.bEnc).every((v) => v === 0)).toBe(true);
    expect(Array.from(p.bDec).every((v) => v === 0)).toBe(true);
  });
});

describe("BatchTopK", () => {
  it("keeps exactly ⌊k·B⌋ activations: k = 1.8, B = 1024 → 1843", () => {
    expect(batchTopKCount(1.8, 1024, 5)).toBe(1843);
    expect(batchTopKCount(11, 1024, 50)).toBe(11 * 1024);
    expect(batchTopKCount(3, 4, 2)).toBe(8); // capped at B·dSae
    const rng = new Rng(4);
    const p = initSaeLens({ instances: 1, dIn: 20, dSae: 5 }, [rng.fork("init")]);
    p.bEnc.fill(1); // every pre-activation positive, so the cut is made by top-k alone
    const x = rng.fillUniform(new Float32Array(1024 * 20), 0, 1);
    const acts = encodeBatchTopK(p, 0, x, 1024, 1.8);
    expect(acts.reduce((c, a) => c + (a > 0 ? 1 : 0), 0)).toBe(1843);
    // the kept ones are the largest ReLU values
    const keptMin = Math.min(...Array.from(acts).filter((a) => a > 0));
    const allPre = encodeBatchTopK(p, 0, x, 1024, 5);
    const dropped = Array.from(allPre).filter((_, e) => acts[e] === 0);
    expect(Math.max(...dropped)).toBeLessThanOrEqual(keptMin);
  });

  it("the saved inference form is a JumpReLU with the uniform threshold θ", () => {
    const p = emptySaeParams({ instances: 1, dIn: 2, dSae: 2 });
    p.wEnc.set([1, 0, 0, 1]);
    const acts = encodeWithTopKThreshold(p, 0, Float32Array.from([0.5, 0.2, 0.1, 0.9]), 2, 0.3);
    expect(Array.from(acts)).toEqual([0.5, 0, 0, Math.fround(0.9)]);
  });

  it("computes the aux-k sizes as SAELens: k_aux = ⌊dIn/2⌋, scale = min(nDead/k_aux, 1)", () => {
    expect(auxKSizes(100, 3)).toEqual({ kAux: 3, scale: 0.06 });
    expect(auxKSizes(100, 80)).toEqual({ kAux: 50, scale: 1 });
    expect(auxKSizes(7, 2)).toEqual({ kAux: 2, scale: 2 / 3 });
  });

  it("moves θ by 1% toward the smallest positive kept activation, skipping when none", () => {
    const theta = Float64Array.from([0, 2, 5]);
    updateTopKThreshold(theta, Float64Array.from([1, NaN, 3]));
    expect(theta[0]).toBeCloseTo(0.01, 15);
    expect(theta[1]).toBe(2);
    expect(theta[2]).toBeCloseTo(0.99 * 5 + 0.03, 15);
  });

  function setup(seed: number, I = 3, D = 6, M = 5, B = 16) {
    const rng = new Rng(seed);
    const p = initSaeLens(
      { instances: I, dIn: D, dSae: M },
      Array.from({ length: I }, (_, i) => rng.fork(`i${i}`)),
    );
    // larger, untied weights and non-zero biases so every path carries gradient
    rng.fillNormal(p.wEnc, 0, 0.5);
    rng.fillNormal(p.wDec, 0, 0.5);
    rng.fillNormal(p.bEnc, 0, 0.3);
    rng.fillNormal(p.bDec, 0, 0.2);
    const x = [rng.fillUniform(new Float32Array(B * D), -1, 1), rng.fillUniform(new Float32Array(B * D), -1, 1)];
    const batch: GridBatch = { x, batch: B, group: Int32Array.from({ length: I }, (_, i) => i % 2) };
    return { p, batch };
  }

  it("fused gradients match tfjs autodiff without dead latents", () => {
    const { p, batch } = setup(5);
    const hyper = { k: Float64Array.from([1.8, 2, 3.5]), auxCoefficient: 1 };
    const state = batchTopKState(p);
    const fused = emptySaeParams(p);
    const out = batchTopKLossAndGrads(p, hyper, state, batch, fused);
    const ref = emptySaeParams(p);
    const refLoss = autodiff(p, batch, (t, x) => batchTopKReference(tf, t, x, hyper, state).loss, ref);
    for (let i = 0; i < 3; i++) expect(out.loss[i]).toBeCloseTo(refLoss[i], 4);
    for (const k of ["wEnc", "bEnc", "wDec", "bDec"] as const) expect(maxRelErr(fused[k], ref[k])).toBeLessThan(1e-3);
    expect(Array.from(out.auxiliary)).toEqual([0, 0, 0]);
    // L0 = kept/B exactly when enough pre-activations are positive
    expect(out.l0[0]).toBeLessThanOrEqual(Math.floor(1.8 * 16) / 16);
  });

  it("fused gradients match tfjs autodiff with aux-k on dead latents", () => {
    const { p, batch } = setup(6);
    const hyper = { k: Float64Array.from([2, 1, 2.5]), auxCoefficient: 1 };
    const state = batchTopKState(p);
    state.dead.set([1, 0, 1, 1, 0], 0); // 3 dead in instance 0: k_aux = min(3, 3) = 3, scale 1
    state.dead[5 + 2] = 1; // 1 dead in instance 1: scale 1/3
    const fused = emptySaeParams(p);
    const out = batchTopKLossAndGrads(p, hyper, state, batch, fused);
    const ref = emptySaeParams(p);
    const refLoss = autodiff(p, batch, (t, x) => batchTopKReference(tf, t, x, hyper, state).loss, ref);
    expect(out.auxiliary[0]).toBeGreaterThan(0);
    expect(out.auxiliary[1]).toBeGreaterThan(0);
    expect(out.auxiliary[2]).toBe(0);
    for (let i = 0; i < 3; i++) expect(out.loss[i]).toBeCloseTo(refLoss[i], 4);
    for (const k of ["wEnc", "bEnc", "wDec", "bDec"] as const) expect(maxRelErr(fused[k], ref[k])).toBeLessThan(1e-3);
  });

  it("aux-k uses raw (negative) pre-activations: a dead latent below zero still gets a gradient", () => {
    const { p, batch } = setup(7, 1, 6, 5, 16);
    p.bEnc[4] = -5; // latent 4 never fires, its pre-activations are all negative
    const state = batchTopKState(p);
    state.dead[4] = 1;
    const g = emptySaeParams(p);
    const out = batchTopKLossAndGrads(p, { k: Float64Array.from([2]), auxCoefficient: 1 }, state, batch, g);
    expect(out.fired[4]).toBe(0);
    expect(Math.abs(g.bEnc[4])).toBeGreaterThan(1e-4);
  });

  // Without dead latents: aux-k detaches the residual, which a finite difference cannot do.
  it("agrees with a central finite difference of its own loss (mask fixed by small steps)", () => {
    const { p, batch } = setup(8, 1, 4, 3, 8);
    const hyper = { k: Float64Array.from([1.5]), auxCoefficient: 1 };
    const state = batchTopKState(p);
    const g = emptySaeParams(p);
    batchTopKLossAndGrads(p, hyper, state, batch, g);
    const lossAt = (q: SaeParams) => batchTopKLossAndGrads(q, hyper, state, batch, emptySaeParams(q)).loss[0];
    expectMatchesCentralDifference(p, g, lossAt, ["wEnc", "bEnc", "wDec", "bDec"]);
  });
});

describe("BatchTopK at sizes that take the fast paths", () => {
  // B·dSae ≥ 8192 selects through a sample bracket; B = 2048 leaves two samples outside the
  // encoder's 3-sample blocks and dSae = 6 one latent pair outside its 4-latent blocks.
  function large(seed: number) {
    const I = 2,
      D = 7,
      M = 6,
      B = 2048;
    const rng = new Rng(seed);
    const p = initSaeLens(
      { instances: I, dIn: D, dSae: M },
      Array.from({ length: I }, (_, i) => rng.fork(`i${i}`)),
    );
    rng.fillNormal(p.wEnc, 0, 0.5);
    rng.fillNormal(p.wDec, 0, 0.5);
    rng.fillNormal(p.bEnc, 0, 0.3);
    rng.fillNormal(p.bDec, 0, 0.2);
    const x = [rng.fillUniform(new Float32Array(B * D), -1, 1)];
    return { p, batch: { x, batch: B, group: new Int32Array(I) } as GridBatch };
  }

  it("fused gradients match tfjs autodiff, with and without dead latents", () => {
    const { p, batch } = large(21);
    // dead: none; 3 (k_aux = ⌊7/2⌋ = 3 takes all of them); 4 (k_aux = 3 selects per sample)
    for (const deadMask of [
      [0, 0, 0, 0, 0, 0],
      [1, 0, 0, 1, 0, 1],
      [1, 1, 0, 1, 0, 1],
    ]) {
      const hyper = { k: Float64Array.from([1.8, 3.3]), auxCoefficient: 1 };
      const state = batchTopKState(p);
      state.dead.set(deadMask, 0);
      const fused = emptySaeParams(p);
      const out = batchTopKLossAndGrads(p, hyper, state, batch, fused);
      const ref = emptySaeParams(p);
      const refLoss = autodiff(p, batch, (t, x) => batchTopKReference(tf, t, x, hyper, state).loss, ref);
      for (let i = 0; i < 2; i++) expect(out.loss[i]).toBeCloseTo(refLoss[i], 4);
      expect(out.l0[0]).toBe(Math.floor(1.8 * 2048) / 2048);
      for (const k of ["wEnc", "bEnc", "wDec", "bDec"] as const) expect(maxRelErr(fused[k], ref[k])).toBeLessThan(1e-3);
    }
  });

  it("the codes are the batch top-k of ReLU(h), h computed by the blocked encoder", () => {
    const { p, batch } = large(22);
    const x = batch.x[0];
    const acts = encodeBatchTopK(p, 1, x, 2048, 2.5);
    // h by one plain dot product per entry
    const h = new Float64Array(2048 * 6);
    for (let s = 0; s < 2048; s++)
      for (let j = 0; j < 6; j++) {
        let acc = p.bEnc[6 + j];
        for (let k = 0; k < 7; k++) acc += (x[s * 7 + k] - p.bDec[7 + k]) * p.wEnc[42 + k * 6 + j];
        h[s * 6 + j] = acc;
      }
    const mask = new Uint8Array(h.length);
    topKMask(
      h.map((v) => Math.max(v, 0)),
      h.length,
      Math.floor(2.5 * 2048),
      mask,
      new Float64Array(h.length),
    );
    for (let e = 0; e < h.length; e++) expect(acts[e]).toBeCloseTo(mask[e] ? Math.max(h[e], 0) : 0, 5);
  });
});
