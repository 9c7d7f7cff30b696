/**
 * The "matryoshka" architecture (feature-hedging paper MatryoshkaSAE, reference §2.4) through the
 * Architecture interface: every option's loss against a hand-computed value (fused and tfjs
 * reference, reconstruction and sparsity parts), fused = tfjs autodiff for combinations of the
 * options (delta loss's stop-gradient included), the balancing notebook's β = 0 being exactly
 * the standard SAE, option errors before training, and training through the one trainer.
 */
import { beforeAll, describe, expect, it } from "vitest";
import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-cpu";
import { Rng } from "../../src/random.ts";
import { loadArchitecture, resolveArchitectureOptions } from "../../src/sae/load.ts";
import type { AnyArchitecture } from "../../src/sae/architecture.ts";
import { cloneSaeParams, emptySaeParams, type GridBatch } from "../../src/sae/types.ts";
import { trainWith } from "../train/harness.ts";
import { maxRelErr } from "./gradient-check.ts";
import { expectFusedMatchesReference, optionsFor, referenceParts, stepContext } from "./architecture-check.ts";

let arch: AnyArchitecture;
let standard: AnyArchitecture;
beforeAll(async () => {
  await tf.setBackend("cpu");
  arch = await loadArchitecture("matryoshka");
  standard = await loadArchitecture("standard");
});

/**
 * dIn 2, dSae 2, W_enc = I, biases 0, W_dec rows [2, 0] (norm 2) and [0, 1.5] (norm 1.5);
 * x = [1, 2], [−1, 0]; λ = 0.1. Codes a = [1, 2] and [0, 0].
 *   width 1: mean ‖e‖² = (5 + 1)/2 = 3;  width 2: (2 + 1)/2 = 1.5;  L2 outer: (√2 + 1)/2;  b_dec term: 3
 *   mean_b Σ_{j<1} a = .5, Σ_{j<2} a = 1.5, Σ_{1≤j<2} a = 1; scaled by ‖d_j‖: 1, 2.5, 1.5
 */
function handCase() {
  const p = emptySaeParams({ instances: 1, dIn: 2, dSae: 2 });
  p.wEnc.set([1, 0, 0, 1]);
  p.wDec.set([2, 0, 0, 1.5]);
  const batch: GridBatch = { x: [Float32Array.from([1, 2, -1, 0])], batch: 2, group: Int32Array.from([0]) };
  return { p, batch };
}

// [options on top of steps [1, 2], reconstruction part, sparsity part]
const HAND: Array<[string, Record<string, unknown>, number, number]> = [
  ["defaults", {}, 3 + 1.5 + 1.5, 0.05 + 0.15 + 0.15],
  ["decoder-norm-scaled L1", { scaleSparsityByDecoderNorm: true }, 6, 0.1 + 0.25 + 0.25],
  ["inner L1 off (scaled)", { includeInnerL1: false, scaleSparsityByDecoderNorm: true }, 6, 0.25],
  ["inner loss multipliers [2, .5], inner L1 multiplier 3", { innerLossMultipliers: [2, 0.5], innerL1Multipliers: 3 }, 6 + 0.75 + 1.5, 0.3 + 0.225 + 0.15],
  ["inner L1 multipliers [0, 2]", { innerL1Multipliers: [0, 2] }, 6, 0.3 + 0.15],
  ["skip outer loss", { skipOuterLoss: true }, 4.5, 0.2],
  ["outer loss multiplier 4", { outerLossMultiplier: 4 }, 4.5 + 6, 0.2 + 0.6],
  ["delta loss (level 2's L1 covers [1, 2) only)", { useDeltaLoss: true }, 6, 0.05 + 0.1 + 0.15],
  ["delta loss after a skipped level", { useDeltaLoss: true, innerLossMultipliers: [0, 1] }, 3, 0.15 + 0.15],
  ["L2 outer loss (inner losses stay squared)", { reconstructionLoss: "L2" }, 4.5 + (Math.SQRT2 + 1) / 2, 0.35],
  ["reconstruction normalised by d_in", { normaliseReconstructionByDIn: true }, 3, 0.35],
  ["normalised by the number of terms", { normaliseLossesByNumSteps: true }, 2, 0.35 / 3],
  ["b_dec loss", { includeBDecLoss: true }, 9, 0.35],
  ["b_dec loss, normalised by the number of terms", { includeBDecLoss: true, normaliseLossesByNumSteps: true }, 9 / 4, 0.35 / 4],
  ["steps [1] only (d_sae not appended)", { matryoshkaSteps: [1] }, 4.5, 0.05 + 0.15],
  ["min L1 during warm-up .3 floors the outer L1 only", { minL1DuringWarmUp: 0.3 }, 6, 0.05 + 0.15 + 0.45],
];

describe("matryoshka architecture: every option by hand", () => {
  for (const [what, raw, rec, l1] of HAND) {
    it(`${what}: ${rec.toFixed(4)} + ${l1.toFixed(4)}`, () => {
      const { p, batch } = handCase();
      const ctx = stepContext(arch, p, optionsFor(arch, { matryoshkaSteps: [1, 2], ...raw }), { l1: Float64Array.from([0.1]) });
      const out = arch.fused?.(p, emptySaeParams(p), batch, ctx);
      expect(out?.reconstruction[0]).toBeCloseTo(rec, 10);
      expect(out?.sparsity[0]).toBeCloseTo(l1, 10);
      expect(out?.loss[0]).toBeCloseTo(rec + l1, 10);
      const ref = referenceParts(arch, p, batch, ctx);
      expect(ref.loss[0]).toBeCloseTo(rec + l1, 5);
      expect(ref.reconstruction[0]).toBeCloseTo(rec, 5);
      expect(ref.sparsity?.[0]).toBeCloseTo(l1, 5);
    });
  }
});

describe("matryoshka architecture: fused kernel = tfjs autodiff of the reference", () => {
  function randomCase(seed: number) {
    const I = 3,
      D = 5,
      M = 6,
      B = 12;
    const rng = new Rng(seed);
    const p = emptySaeParams({ instances: I, dIn: D, dSae: M });
    rng.fillNormal(p.wEnc, 0, 0.5);
    rng.fillNormal(p.wDec, 0, 0.5);
    rng.fillNormal(p.bEnc, 0, 0.3);
    rng.fillNormal(p.bDec, 0, 0.2);
    const x = [rng.fillUniform(new Float32Array(B * D), -1, 1), rng.fillUniform(new Float32Array(B * D), -1, 1)];
    return { p, batch: { x, batch: B, group: Int32Array.from({ length: I }, (_, i) => i % 2) } as GridBatch };
  }
  const combos: Array<Record<string, unknown>> = [
    { scaleSparsityByDecoderNorm: true, skipOuterLoss: true, innerLossMultipliers: [0.25, 1, 1] },
    { useDeltaLoss: true, skipOuterLoss: true, scaleSparsityByDecoderNorm: true },
    { useDeltaLoss: true, innerLossMultipliers: [1, 0, 2], reconstructionLoss: "L2", includeBDecLoss: true, normaliseLossesByNumSteps: true },
    { includeInnerL1: false, outerLossMultiplier: 3, normaliseReconstructionByDIn: true, innerL1Multipliers: [0.5, 2, 0], minL1DuringWarmUp: 0.3 },
    { applyBDecToInput: false, includeBDecLoss: true, reconstructionLoss: "L2" },
  ];
  for (const raw of combos) {
    it(JSON.stringify(raw), () => {
      const { p, batch } = randomCase(41);
      p.bEnc[6 + 4] = -5; // instance 1's latent 4 never fires
      const ctx = stepContext(arch, p, optionsFor(arch, { matryoshkaSteps: [5, 2, 3], ...raw }), { l1: Float64Array.from([0, 0.1, 0.4]) });
      const { out } = expectFusedMatchesReference(arch, p, batch, ctx);
      expect(out.fired[6 + 4]).toBe(0);
    });
  }
});

describe("matryoshka architecture: the balancing notebook's β", () => {
  const balance = { scaleSparsityByDecoderNorm: true, normaliseDecoder: false, initEncoderAsDecoderTranspose: true, skipOuterLoss: true };
  function treeLikeCase() {
    const rng = new Rng(5);
    const D = 8,
      M = 4,
      B = 32;
    const p = arch.init({ instances: 1, dIn: D, dSae: M }, optionsFor(arch, { ...balance, matryoshkaSteps: [M] }), [rng.fork("init")]);
    rng.fillNormal(p.bEnc, 0, 0.2);
    rng.fillNormal(p.bDec, 0, 0.1);
    const x = [rng.fillUniform(new Float32Array(B * D), 0, 1)];
    return { p, batch: { x, batch: B, group: Int32Array.from([0]) } as GridBatch };
  }
  const stepOf = (a: AnyArchitecture, raw: Record<string, unknown>) => {
    const { p, batch } = treeLikeCase();
    const grads = emptySaeParams(p);
    const out = a.fused?.(p, grads, batch, stepContext(a, p, optionsFor(a, raw), { l1: Float64Array.from([3e-2]) }));
    return { loss: out?.loss[0] ?? NaN, grads };
  };

  it("β = 0 (steps [1, 4], multipliers [0, 1]) is the standard SAE: same loss and gradients as steps [4] and as 'standard'", () => {
    const beta0 = stepOf(arch, { ...balance, matryoshkaSteps: [1, 4], innerLossMultipliers: [0, 1] });
    const steps4 = stepOf(arch, { ...balance, matryoshkaSteps: [4] });
    const { skipOuterLoss: _skip, ...standardOptions } = balance;
    const std = stepOf(standard, standardOptions);
    for (const other of [steps4, std]) {
      expect(beta0.loss).toBeCloseTo(other.loss, 12);
      for (const k of ["wEnc", "bEnc", "wDec", "bDec"] as const) expect(maxRelErr(beta0.grads[k], other.grads[k]), k).toBeLessThan(1e-6);
    }
  });

  it("β scales the parent level: the loss is linear in β with slope = the width-1 reconstruction + its L1", () => {
    const at = (beta: number) => stepOf(arch, { ...balance, matryoshkaSteps: [1, 4], innerLossMultipliers: [beta, 1] }).loss;
    const slope = at(1) - at(0);
    expect(slope).toBeGreaterThan(0);
    expect(at(0.25)).toBeCloseTo(at(0) + 0.25 * slope, 6);
    expect(at(0.17)).toBeCloseTo(at(0) + 0.17 * slope, 6);
  });
});

describe("matryoshka architecture: errors and training", () => {
  it("declares every option of the original with its default", () => {
    expect(optionsFor(arch, {})).toMatchObject({
      matryoshkaSteps: [],
      includeInnerL1: true,
      innerL1Multipliers: 1,
      innerLossMultipliers: 1,
      outerLossMultiplier: 1,
      skipOuterLoss: false,
      normaliseLossesByNumSteps: false,
      normaliseReconstructionByDIn: false,
      includeBDecLoss: false,
      useDeltaLoss: false,
      minL1DuringWarmUp: 0,
      reconstructionLoss: "MSE",
      scaleSparsityByDecoderNorm: false,
    });
    expect(resolveArchitectureOptions(arch, { matryoshkaSteps: [0], innerLossMultipliers: "x" }, "o").problems.length).toBe(2);
  });

  it("rejects widths above d_sae, multiplier lists of the wrong length and an empty loss at initialisation", () => {
    const init = (raw: Record<string, unknown>) => () => arch.init({ instances: 1, dIn: 3, dSae: 4 }, optionsFor(arch, raw), [new Rng(1)]);
    expect(init({ matryoshkaSteps: [1, 5] })).toThrow(/must be an integer in \[1, 4\]/);
    expect(init({ matryoshkaSteps: [1, 4], innerLossMultipliers: [0.25, 1, 1] })).toThrow(/3 entries, expected one per level \(2/);
    expect(init({ skipOuterLoss: true })).toThrow(/leaves no loss/);
    expect(init({ matryoshkaSteps: [4, 1, 4], innerLossMultipliers: [0.25, 1] })).not.toThrow();
  });

  it("trains through the one trainer (detached and balanced): fused and tfjs engines agree, the loss falls", async () => {
    const D = 8,
      B = 64;
    const draw = () => {
      const rng = new Rng(3);
      // a parent (dim 0) on with p = .25, two children (dims 1, 2) on with p = .3 given the parent
      return () => {
        const x = new Float32Array(B * D);
        for (let s = 0; s < B; s++) {
          if (rng.uniform() >= 0.25) continue;
          x[s * D] = 1;
          for (const c of [1, 2]) if (rng.uniform() < 0.3) x[s * D + c] = 1;
        }
        return x;
      };
    };
    for (const raw of [
      { matryoshkaSteps: [1, 3], useDeltaLoss: true },
      { matryoshkaSteps: [1, 3], innerLossMultipliers: [0.25, 1] },
    ]) {
      const o = { scaleSparsityByDecoderNorm: true, normaliseDecoder: false, initEncoderAsDecoderTranspose: true, skipOuterLoss: true, ...raw };
      const start = arch.init({ instances: 1, dIn: D, dSae: 3 }, optionsFor(arch, o), [new Rng(4)]);
      const run = async (engine: "fused" | "tfjs", steps: number) => {
        const p = cloneSaeParams(start);
        const result = await trainWith("matryoshka", "saelens-5.10", p, {
          steps,
          batch: B,
          engine,
          lr: Float64Array.from([1e-2]),
          hyper: { l1: Float64Array.from([3e-2]) },
          sample: draw(),
          architectureOptions: o,
          logEvery: 1,
        });
        return { p, result };
      };
      const fused = await run("fused", 12);
      const viaTfjs = await run("tfjs", 12);
      for (const k of ["wEnc", "bEnc", "wDec", "bDec"] as const) expect(maxRelErr(fused.p[k], viaTfjs.p[k]), `${JSON.stringify(raw)} ${k}`).toBeLessThan(1e-3);
      const long = await run("fused", 400);
      const loss = (step: number) => long.result.curves.find((c) => c.step === step)?.loss ?? NaN;
      expect(loss(399)).toBeLessThan(0.5 * loss(0));
    }
  });
});
