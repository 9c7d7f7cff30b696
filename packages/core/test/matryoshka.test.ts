import { describe, expect, it, beforeAll } from "vitest";
import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-cpu";
import { Rng } from "../src/random.ts";
import { matryoshkaLossAndGrads, matryoshkaLossPlan, type MatryoshkaHyper } from "../src/sae/matryoshka/kernel.ts";
import { matryoshkaOptions, resolveMatryoshkaLevels, type MatryoshkaOptions } from "../src/sae/matryoshka/levels.ts";
import { matryoshkaReferenceLoss } from "../src/sae/matryoshka/reference.ts";
import { cloneSaeParams, emptySaeParams, type GridBatch, type SaeParams } from "../src/sae/types.ts";
import { autodiff, expectMatchesCentralDifference, maxRelErr } from "./sae/gradient-check.ts";

beforeAll(async () => {
  await tf.setBackend("cpu");
});

type Opts = Partial<MatryoshkaOptions>;

describe("Matryoshka levels", () => {
  it("sorts and deduplicates the widths, broadcasts scalar multipliers, and does not append d_sae", () => {
    const r = resolveMatryoshkaLevels(matryoshkaOptions({ matryoshkaSteps: [3, 1, 3], innerLossMultipliers: [0.5, 2] }), 4);
    expect(r.widths).toEqual([1, 3]);
    expect(r.lossMultipliers).toEqual([0.5, 2]);
    expect(r.l1Multipliers).toEqual([1, 1]);
    expect(r.denominator).toBe(1);
    const n = resolveMatryoshkaLevels(matryoshkaOptions({ matryoshkaSteps: [1, 4], normaliseLossesByNumSteps: true, includeBDecLoss: true }), 4);
    expect(n.denominator).toBe(4); // 2 levels + outer + b_dec
  });

  it("rejects widths outside [1, d_sae] and multiplier lists of the wrong length", () => {
    expect(() => resolveMatryoshkaLevels(matryoshkaOptions({ matryoshkaSteps: [1, 5] }), 4)).toThrow("matryoshkaSteps entry 5 must be an integer in [1, 4]");
    expect(() => resolveMatryoshkaLevels(matryoshkaOptions({ matryoshkaSteps: [1, 2, 2], innerLossMultipliers: [1, 1, 1] }), 4)).toThrow(
      "innerLossMultipliers has 3 entries, expected one per level (2 after sorting and deduplicating matryoshkaSteps)",
    );
  });

  it("under delta loss the L1 range starts at the last level that was not skipped (the original's prev_portion)", () => {
    const plan = matryoshkaLossPlan(matryoshkaOptions({ matryoshkaSteps: [1, 2, 3], innerLossMultipliers: [1, 0, 1], useDeltaLoss: true }), 5, 4);
    // recon terms train their own block [s_{i−1}, s_i) even after a skipped level; the L1 of
    // level 3 starts at 1 (level 2 was skipped), not at 2
    expect(plan.recon.map((r) => [r.gradStart, r.width])).toEqual([
      [0, 1],
      [2, 3],
      [0, 4],
    ]);
    expect(plan.l1.map((l) => [l.start, l.end])).toEqual([
      [0, 1],
      [1, 3],
      [0, 4],
    ]);
  });
});

/**
 * The hand case: dIn 2, dSae 2, W_enc = I, b_enc = b_dec = 0, W_dec rows d_0 = [2, 0]
 * (‖d_0‖ = 2) and d_1 = [0, 1.5] (‖d_1‖ = 1.5); batch x_1 = [1, 2], x_2 = [−1, 0]; λ = 0.1.
 *   x_1: h = [1, 2], a = [1, 2];   x_2: h = [−1, 0], a = [0, 0]
 *   width 1: x̂_1 = [2, 0], e = [1, −2], ‖e‖² = 5;  x_2: e = [1, 0], ‖e‖² = 1   → mean 3
 *   width 2: x̂_1 = [2, 3], e = [1, 1],  ‖e‖² = 2;  x_2: 1                       → mean 1.5
 *   full-width L2: (√2 + 1)/2;   b_dec term: mean ‖x‖² = (5 + 1)/2 = 3
 *   mean_b a_j: [0.5, 1];   mean_b a_j·‖d_j‖: [1·2/2, 2·1.5/2] = [1, 1.5]
 *   so Σ_{j<1} = .5 (scaled 1), Σ_{j<2} = 1.5 (scaled 2.5), Σ_{1≤j<2} = 1 (scaled 1.5)
 */
function handCase(): { p: SaeParams; batch: GridBatch } {
  const p = emptySaeParams({ instances: 1, dIn: 2, dSae: 2 });
  p.wEnc.set([1, 0, 0, 1]);
  p.wDec.set([2, 0, 0, 1.5]);
  return { p, batch: { x: [Float32Array.from([1, 2, -1, 0])], batch: 2, group: Int32Array.from([0]) } };
}

const handCases: Array<[string, Opts, number, number?]> = [
  // R_1 + R_2 + λ·(.5 + 1.5) + outer (1.5 + λ·1.5)
  ["defaults (steps [1, 2], inner L1, multipliers 1, outer on)", {}, 3 + 1.5 + 0.05 + 0.15 + 1.5 + 0.15],
  // the L1 terms weighted by ‖d_j‖: λ·1 + λ·2.5 + λ·2.5
  ["decoder-norm-scaled L1", { scaleSparsityByDecoderNorm: true }, 3 + 1.5 + 0.1 + 0.25 + 1.5 + 0.25],
  // inner L1 off: only the outer L1, still scaled: 3 + 1.5 + 1.5 + λ·2.5
  ["inner L1 off, scaled", { includeInnerL1: false, scaleSparsityByDecoderNorm: true }, 3 + 1.5 + 1.5 + 0.25],
  // m = [2, .5]: R = 2·3 + .5·1.5; inner L1 = λ·ℓ·m·Σ: .1·3·2·.5 + .1·3·.5·1.5 = .3 + .225
  ["inner loss multipliers [2, .5], inner L1 multiplier 3", { innerLossMultipliers: [2, 0.5], innerL1Multipliers: 3 }, 6 + 0.75 + 0.3 + 0.225 + 1.5 + 0.15],
  // ℓ = [0, 2]: level 1 has no L1; level 2: .1·2·1·1.5 = .3
  ["inner L1 multipliers [0, 2]", { innerL1Multipliers: [0, 2] }, 3 + 1.5 + 0.3 + 1.5 + 0.15],
  ["skip outer loss", { skipOuterLoss: true }, 3 + 1.5 + 0.05 + 0.15],
  // M = 4: 4·(1.5 + .15)
  ["outer loss multiplier 4", { outerLossMultiplier: 4 }, 3 + 1.5 + 0.05 + 0.15 + 4 * 1.65],
  // stop-gradient does not change values; level 2's L1 covers only [1, 2): λ·1
  ["delta loss", { useDeltaLoss: true }, 3 + 1.5 + 0.05 + 0.1 + 1.5 + 0.15],
  // level 1 skipped (m = 0): the L1 of level 2 starts at 0 again (stale prev_portion): λ·1.5, not λ·1
  ["delta loss after a skipped level", { useDeltaLoss: true, innerLossMultipliers: [0, 1] }, 1.5 + 0.15 + 1.5 + 0.15],
  // outer reconstruction unsquared, inner ones still squared
  ["L2 outer loss", { reconstructionLoss: "L2" }, 3 + 1.5 + 0.05 + 0.15 + (Math.SQRT2 + 1) / 2 + 0.15],
  // reconstruction terms / d_in = 2, L1 terms not: 1.5 + .75 + .05 + .15 + .75 + .15
  ["normalise reconstruction by d_in", { normaliseReconstructionByDIn: true }, 1.5 + 0.75 + 0.05 + 0.15 + 0.75 + 0.15],
  // with M = 4 the d_in division applies after M: 4·1.5/2 + 4·.15
  ["normalise by d_in with M = 4", { normaliseReconstructionByDIn: true, outerLossMultiplier: 4 }, 1.5 + 0.75 + 0.05 + 0.15 + 3 + 0.6],
  // 2 levels + outer = 3 terms
  ["normalise by number of steps", { normaliseLossesByNumSteps: true }, (3 + 1.5 + 0.05 + 0.15 + 1.5 + 0.15) / 3],
  ["b_dec loss", { includeBDecLoss: true }, 3 + 3 + 1.5 + 0.05 + 0.15 + 1.5 + 0.15],
  // denominator 2 levels + outer + b_dec = 4
  ["b_dec loss, normalised by steps", { includeBDecLoss: true, normaliseLossesByNumSteps: true }, (3 + 3 + 1.5 + 0.05 + 0.15 + 1.5 + 0.15) / 4],
  // skip outer + normalise by steps: 2 levels only
  ["skip outer, normalised by steps", { skipOuterLoss: true, normaliseLossesByNumSteps: true }, (3 + 1.5 + 0.05 + 0.15) / 2],
  // widths [1] only: d_sae is not appended, latent 1 is trained by the outer loss alone
  ["steps [1] only", { matryoshkaSteps: [1] }, 3 + 0.05 + 1.5 + 0.15],
  ["steps [2, 1, 2] = [1, 2]", { matryoshkaSteps: [2, 1, 2] }, 3 + 1.5 + 0.05 + 0.15 + 1.5 + 0.15],
  // min_l1_during_warm_up .3 floors only the outer L1: .3·1.5
  ["min L1 during warm-up floors the outer L1 only", {}, 3 + 1.5 + 0.05 + 0.15 + 1.5 + 0.45, 0.3],
];

describe("Matryoshka loss by hand", () => {
  for (const [what, opts, expected, minL1] of handCases) {
    it(`${what}: ${expected.toFixed(5)}`, () => {
      const { p, batch } = handCase();
      const hyper: MatryoshkaHyper = { l1: Float64Array.from([0.1]), minL1DuringWarmUp: minL1, options: matryoshkaOptions({ matryoshkaSteps: [1, 2], ...opts }) };
      expect(matryoshkaLossAndGrads(p, hyper, batch, emptySaeParams(p)).loss[0]).toBeCloseTo(expected, 10);
      const ref = autodiff(p, batch, (t, x) => matryoshkaReferenceLoss(tf, t, x, hyper), emptySaeParams(p));
      expect(ref[0]).toBeCloseTo(expected, 5);
    });
  }

  it("splits the loss into reconstruction and sparsity", () => {
    const { p, batch } = handCase();
    const out = matryoshkaLossAndGrads(
      p,
      { l1: Float64Array.from([0.1]), options: matryoshkaOptions({ matryoshkaSteps: [1, 2], includeBDecLoss: true }) },
      batch,
      emptySaeParams(p),
    );
    expect(out.reconstruction[0]).toBeCloseTo(3 + 3 + 1.5 + 1.5, 10);
    expect(out.sparsity[0]).toBeCloseTo(0.05 + 0.15 + 0.15, 10);
    expect(Array.from(out.fired)).toEqual([1, 1]);
  });
});

/**
 * An independent plain-JS loss in which the part that delta loss detaches is computed from
 * `frozen` parameters: at live = frozen its value is the loss and its derivative in `live` is
 * the stop-gradient derivative, so central differences can check the delta-loss gradients.
 */
function surrogateLoss(live: SaeParams, frozen: SaeParams, batch: GridBatch, hyper: MatryoshkaHyper): number {
  const o = hyper.options;
  const { dIn: D, dSae: M } = live;
  const B = batch.batch;
  const x = batch.x[0];
  const lambda = hyper.l1[0];
  const { widths, lossMultipliers: m, l1Multipliers: l1m, denominator } = resolveMatryoshkaLevels(o, M);
  const byDIn = o.normaliseReconstructionByDIn ? 1 / D : 1;
  const acts = (q: SaeParams, s: number): number[] =>
    Array.from({ length: M }, (_, j) => {
      let h = q.bEnc[j];
      for (let k = 0; k < D; k++) h += (x[s * D + k] - (o.applyBDecToInput ? q.bDec[k] : 0)) * q.wEnc[k * M + j];
      return Math.max(h, 0);
    });
  const decode = (q: SaeParams, a: number[], from: number, to: number): number[] =>
    Array.from({ length: D }, (_, k) => {
      let v = 0;
      for (let j = from; j < to; j++) v += a[j] * q.wDec[j * D + k];
      return v;
    });
  const weight = (q: SaeParams, j: number, scaled: boolean) => (scaled ? Math.hypot(...q.wDec.subarray(j * D, (j + 1) * D)) : 1);
  let total = 0;
  for (let s = 0; s < B; s++) {
    const a = acts(live, s);
    const aFrozen = acts(frozen, s);
    const err = (partial: number[]) => partial.map((v, k) => v + live.bDec[k] - x[s * D + k]);
    const sq = (e: number[]) => e.reduce((acc, v) => acc + v * v, 0);
    if (o.includeBDecLoss) total += byDIn * sq(err(new Array<number>(D).fill(0)));
    let prevPortion = 0;
    widths.forEach((w, i) => {
      const from = o.useDeltaLoss && i > 0 ? widths[i - 1] : 0;
      const detached = from > 0 ? decode(frozen, aFrozen, 0, from) : new Array<number>(D).fill(0);
      const own = decode(live, a, from, w);
      if (m[i] === 0) return;
      total += m[i] * byDIn * sq(err(own.map((v, k) => v + detached[k])));
      if (o.includeInnerL1 && l1m[i] > 0) {
        const start = o.useDeltaLoss ? prevPortion : 0;
        for (let j = start; j < w; j++) total += lambda * l1m[i] * m[i] * a[j] * weight(live, j, o.scaleSparsityByDecoderNorm);
      }
      prevPortion = w;
    });
    if (!o.skipOuterLoss) {
      const e = err(decode(live, a, 0, M));
      total += o.outerLossMultiplier * byDIn * (o.reconstructionLoss === "MSE" ? sq(e) : Math.sqrt(sq(e)));
      const lo = Math.max(lambda, hyper.minL1DuringWarmUp ?? 0);
      for (let j = 0; j < M; j++) total += o.outerLossMultiplier * lo * a[j] * weight(live, j, o.scaleSparsityByDecoderNorm);
    }
  }
  return total / B / denominator;
}

describe("Matryoshka gradients", () => {
  function setup(seed: number, I: number, D: number, M: number, B: number) {
    const rng = new Rng(seed);
    const p = emptySaeParams({ instances: I, dIn: D, dSae: M });
    rng.fillNormal(p.wEnc, 0, 0.5);
    rng.fillNormal(p.wDec, 0, 0.5);
    rng.fillNormal(p.bEnc, 0, 0.3);
    rng.fillNormal(p.bDec, 0, 0.2);
    const x = [rng.fillUniform(new Float32Array(B * D), -1, 1), rng.fillUniform(new Float32Array(B * D), -1, 1)];
    return { p, batch: { x, batch: B, group: Int32Array.from({ length: I }, (_, i) => i % 2) } as GridBatch };
  }

  // every option on in some combination, off in others; widths [2, 3, 5] of d_sae 6 leave a tail block
  const combos: Opts[] = [
    {},
    { scaleSparsityByDecoderNorm: true },
    { useDeltaLoss: true },
    { useDeltaLoss: true, scaleSparsityByDecoderNorm: true, innerLossMultipliers: [1, 0, 2] },
    { reconstructionLoss: "L2", useDeltaLoss: true, includeBDecLoss: true, normaliseLossesByNumSteps: true },
    { skipOuterLoss: true, useDeltaLoss: true, innerL1Multipliers: [0.5, 2, 0] },
    { includeInnerL1: false, scaleSparsityByDecoderNorm: true, outerLossMultiplier: 3, normaliseReconstructionByDIn: true },
    { applyBDecToInput: false, includeBDecLoss: true, innerLossMultipliers: [0.25, 1, 0.5], reconstructionLoss: "L2" },
    { skipOuterLoss: true, normaliseLossesByNumSteps: true, normaliseReconstructionByDIn: true, scaleSparsityByDecoderNorm: true },
  ];

  for (const opts of combos) {
    it(`fused = tfjs autodiff = central differences (${JSON.stringify(opts)})`, () => {
      const options = matryoshkaOptions({ matryoshkaSteps: [5, 2, 3], ...opts });
      const { p, batch } = setup(17, 3, 5, 6, 12);
      p.bEnc[6 + 4] = -5; // instance 1's latent 4 never fires
      const hyper: MatryoshkaHyper = { l1: Float64Array.from([0, 0.1, 0.4]), minL1DuringWarmUp: 0.05, options };
      const fused = emptySaeParams(p);
      const out = matryoshkaLossAndGrads(p, hyper, batch, fused);
      const ref = emptySaeParams(p);
      const refLoss = autodiff(p, batch, (t, x) => matryoshkaReferenceLoss(tf, t, x, hyper), ref);
      for (let i = 0; i < 3; i++) expect(out.loss[i]).toBeCloseTo(refLoss[i], 4);
      for (const k of ["wEnc", "bEnc", "wDec", "bDec"] as const) expect(maxRelErr(fused[k], ref[k]), k).toBeLessThan(1e-3);
      expect(out.fired[6 + 4]).toBe(0);

      // central differences on one instance, of the surrogate that freezes the detached part
      const one = setup(23, 1, 4, 6, 6);
      const h1: MatryoshkaHyper = { l1: Float64Array.from([0.2]), minL1DuringWarmUp: 0.05, options: matryoshkaOptions({ ...options, matryoshkaSteps: [2, 3, 5] }) };
      const g = emptySaeParams(one.p);
      const o1 = matryoshkaLossAndGrads(one.p, h1, one.batch, g);
      const frozen = cloneSaeParams(one.p);
      expect(surrogateLoss(one.p, frozen, one.batch, h1)).toBeCloseTo(o1.loss[0], 10);
      expectMatchesCentralDifference(one.p, g, (q) => surrogateLoss(q, frozen, one.batch, h1));
    });
  }

  it("delta loss: an outer block's reconstruction does not train the inner block's decoder rows", () => {
    // λ = 0, no outer loss, widths [1, 2]: with delta loss the gradient of W_dec row 0 comes
    // from level 1 alone, so it equals the gradient with level 2 switched off (m = [1, 0]);
    // without delta loss level 2 also trains row 0
    const { p, batch } = setup(31, 1, 3, 2, 8);
    const rowZero = (opts: Opts) => {
      const g = emptySaeParams(p);
      matryoshkaLossAndGrads(p, { l1: Float64Array.from([0]), options: matryoshkaOptions({ matryoshkaSteps: [1, 2], skipOuterLoss: true, ...opts }) }, batch, g);
      return Array.from(g.wDec.subarray(0, 3));
    };
    const levelOneOnly = rowZero({ innerLossMultipliers: [1, 0] });
    for (const [k, v] of rowZero({ useDeltaLoss: true }).entries()) expect(v).toBeCloseTo(levelOneOnly[k], 6);
    const plain = rowZero({});
    expect(Math.max(...plain.map((v, k) => Math.abs(v - levelOneOnly[k])))).toBeGreaterThan(1e-3);
  });
});
