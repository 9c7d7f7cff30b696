/**
 * The "standard" architecture (SAELens 5.10.2 standard SAE, reference §2.3) through the
 * Architecture interface, and the "saelens-5.10" recipe: options and defaults, the loss and its
 * parts by hand, decoder-norm-scaled L1 gradients by hand on the tfjs reference, the fused
 * kernel against the reference for every loss option, the decoder-normalisation hook, and
 * training through the one trainer (fused and tfjs engines agree step for step).
 */
import { beforeAll, describe, expect, it } from "vitest";
import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-cpu";
import { Rng } from "../../src/random.ts";
import { loadArchitecture } from "../../src/sae/load.ts";
import type { AnyArchitecture } from "../../src/sae/architecture.ts";
import { cloneSaeParams, emptySaeParams, type GridBatch, type SaeParams } from "../../src/sae/types.ts";
import { loadRecipe } from "../../src/train/recipes/load.ts";
import { trainWith } from "../train/harness.ts";
import { autodiff, maxRelErr } from "./gradient-check.ts";
import { expectFusedMatchesReference, optionsFor, referenceParts, stepContext } from "./architecture-check.ts";

let arch: AnyArchitecture;
beforeAll(async () => {
  await tf.setBackend("cpu");
  arch = await loadArchitecture("standard");
});

const HEDGING_TOY = { scaleSparsityByDecoderNorm: true, normaliseDecoder: false, initEncoderAsDecoderTranspose: true };

function oneSample(x: number[]): GridBatch {
  return { x: [Float32Array.from(x)], batch: 1, group: Int32Array.from([0]) };
}

/** dIn 2, dSae 1: W_enc = [1, 0]ᵀ, W_dec = [3, 4] (norm 5), b_enc = 0. */
function handParams(bDec: [number, number]): SaeParams {
  const p = emptySaeParams({ instances: 1, dIn: 2, dSae: 1 });
  p.wEnc.set([1, 0]);
  p.wDec.set([3, 4]);
  p.bDec.set(bDec);
  return p;
}

function randomCase(seed: number, I: number, D: number, M: number, B: number) {
  const rng = new Rng(seed);
  const p = emptySaeParams({ instances: I, dIn: D, dSae: M });
  rng.fillNormal(p.wEnc, 0, 0.5);
  rng.fillNormal(p.wDec, 0, 0.5);
  rng.fillNormal(p.bEnc, 0, 0.3);
  rng.fillNormal(p.bDec, 0, 0.2);
  const x = [rng.fillUniform(new Float32Array(B * D), -1, 1), rng.fillUniform(new Float32Array(B * D), -1, 1)];
  return { p, batch: { x, batch: B, group: Int32Array.from({ length: I }, (_, i) => i % 2) } as GridBatch };
}

describe("standard architecture: options", () => {
  it("has SAELens 5.10.2's runner defaults and one hyperparameter, λ", () => {
    expect(arch.hyper).toEqual(["l1"]);
    expect(optionsFor(arch, {})).toEqual({
      reconstructionLoss: "MSE",
      scaleSparsityByDecoderNorm: false,
      applyBDecToInput: true,
      normaliseDecoder: true,
      initEncoderAsDecoderTranspose: false,
      decoderHeuristicInit: false,
      decoderHeuristicInitNorm: 0.1,
    });
  });

  it("rejects unknown and ill-typed options by path", async () => {
    const { resolveArchitectureOptions } = await import("../../src/sae/load.ts");
    expect(resolveArchitectureOptions(arch, { reconstructionLoss: "L1", l1Scale: 2 }, "sae.options").problems).toEqual([
      expect.stringMatching(/^sae\.options\.l1Scale: unknown field/),
      'sae.options.reconstructionLoss: got "L1", expected one of "MSE", "L2"',
    ]);
  });

  it("initialises as the hedging toys do: W_enc = W_decᵀ from the unnormalised kaiming draw, zero biases", () => {
    const o = optionsFor(arch, HEDGING_TOY);
    const p = arch.init({ instances: 2, dIn: 5, dSae: 3 }, o, [new Rng(1), new Rng(2)]);
    for (let i = 0; i < 2; i++) for (let j = 0; j < 3; j++) for (let k = 0; k < 5; k++) expect(p.wEnc[i * 15 + k * 3 + j]).toBe(p.wDec[i * 15 + j * 5 + k]);
    const bound = Math.sqrt(6 / 5);
    expect(Math.max(...Array.from(p.wDec, Math.abs))).toBeLessThanOrEqual(bound);
    expect(Math.hypot(...p.wDec.subarray(0, 5))).not.toBeCloseTo(1, 3);
    expect(p.bDec.every((v) => v === 0) && p.bEnc.every((v) => v === 0)).toBe(true);
    // with the runner default (normaliseDecoder) the rows start at unit norm
    const unit = arch.init({ instances: 1, dIn: 5, dSae: 3 }, optionsFor(arch, {}), [new Rng(1)]);
    for (let j = 0; j < 3; j++) expect(Math.hypot(...unit.wDec.subarray(j * 5, j * 5 + 5))).toBeCloseTo(1, 6);
  });
});

describe("standard architecture: loss by hand", () => {
  // x = [2, 1], b_dec = [1, 0], λ = 0.1. b_dec applied: h = 1, a = 1, x̂ = [4, 4], e = [2, 3],
  // ‖e‖² = 13, L1 = a·‖w‖ = 5 (scaled) or 1. Not applied: h = 2, a = 2, x̂ = [7, 8], ‖e‖² = 74, L1 = 10 or 2.
  const cases: Array<[Record<string, unknown>, number, number]> = [
    [{}, 13, 0.1],
    [{ scaleSparsityByDecoderNorm: true }, 13, 0.5],
    [{ reconstructionLoss: "L2", scaleSparsityByDecoderNorm: true }, Math.sqrt(13), 0.5],
    [{ applyBDecToInput: false }, 74, 0.2],
    [{ reconstructionLoss: "L2", scaleSparsityByDecoderNorm: true, applyBDecToInput: false }, Math.sqrt(74), 1],
  ];
  for (const [raw, rec, l1] of cases) {
    it(`${JSON.stringify(raw)}: reconstruction ${rec.toFixed(4)} + sparsity ${l1}`, () => {
      const p = handParams([1, 0]);
      const ctx = stepContext(arch, p, optionsFor(arch, raw), { l1: Float64Array.from([0.1]) });
      const fused = arch.fused?.(p, emptySaeParams(p), oneSample([2, 1]), ctx);
      expect(fused?.reconstruction[0]).toBeCloseTo(rec, 10);
      expect(fused?.sparsity[0]).toBeCloseTo(l1, 10);
      expect(fused?.loss[0]).toBeCloseTo(rec + l1, 10);
      const ref = referenceParts(arch, p, oneSample([2, 1]), ctx);
      expect(ref.reconstruction[0]).toBeCloseTo(rec, 4);
      expect(ref.sparsity?.[0]).toBeCloseTo(l1, 5);
      expect(Array.from(ref.codes)).toEqual([raw.applyBDecToInput === false ? 2 : 1]);
    });
  }

  it("decoder-norm-scaled L1 gradients by hand, on the tfjs reference (the fused kernel is held to it below)", () => {
    // b_dec = 0, x = [2, 1]: a = 2, L1 = λ·a·‖w‖. The λ-part of each gradient (λ = 1 minus λ = 0):
    //   ∂/∂W_dec = λ·a·w/‖w‖ = [1.2, 1.6];  ∂/∂h = λ‖w‖ = 5 → ∂/∂W_enc = 5·x = [10, 5], ∂/∂b_enc = 5,
    //   ∂/∂b_dec = −W_enc·5 = [−5, 0]. Unscaled, the W_dec part is 0 and ∂/∂h = λ = 1.
    const p = handParams([0, 0]);
    const batch = oneSample([2, 1]);
    const part = (raw: Record<string, unknown>) => {
      const grads = (l1: number) => {
        const g = emptySaeParams(p);
        const ctx = stepContext(arch, p, optionsFor(arch, raw), { l1: Float64Array.from([l1]) });
        autodiff(p, batch, (t, x) => arch.referenceLoss(tf, t, x, ctx).loss, g);
        return g;
      };
      const [on, off] = [grads(1), grads(0)];
      return (k: "wEnc" | "bEnc" | "wDec" | "bDec") => Array.from(on[k], (v, e) => v - off[k][e]);
    };
    const scaled = part({ scaleSparsityByDecoderNorm: true });
    for (const [e, v] of scaled("wDec").entries()) expect(v).toBeCloseTo([1.2, 1.6][e], 4);
    for (const [e, v] of scaled("wEnc").entries()) expect(v).toBeCloseTo([10, 5][e], 4);
    for (const v of scaled("bEnc")) expect(v).toBeCloseTo(5, 4);
    for (const [e, v] of scaled("bDec").entries()) expect(v).toBeCloseTo([-5, 0][e], 4);
    const plain = part({});
    for (const v of plain("wDec")) expect(v).toBeCloseTo(0, 4);
    for (const [e, v] of plain("wEnc").entries()) expect(v).toBeCloseTo([2, 1][e], 4);
  });
});

describe("standard architecture: fused kernel = tfjs reference", () => {
  const combos = (["MSE", "L2"] as const).flatMap((reconstructionLoss) =>
    [false, true].flatMap((scaleSparsityByDecoderNorm) => [false, true].map((applyBDecToInput) => ({ reconstructionLoss, scaleSparsityByDecoderNorm, applyBDecToInput }))),
  );
  for (const raw of combos) {
    it(JSON.stringify(raw), () => {
      const { p, batch } = randomCase(5, 3, 7, 6, 13);
      p.bEnc[2] = -5; // instance 0's latent 2 never fires
      const ctx = stepContext(arch, p, optionsFor(arch, raw), { l1: Float64Array.from([0.05, 0.2, 1]) });
      const { out } = expectFusedMatchesReference(arch, p, batch, ctx);
      expect(out.fired[2]).toBe(0);
    });
  }
});

describe("standard architecture: training", () => {
  it("normaliseDecoder sets the decoder rows to unit norm before every step; off, it leaves them", () => {
    const { p } = randomCase(9, 2, 4, 3, 1);
    for (const [normaliseDecoder, unit] of [
      [true, true],
      [false, false],
    ] as const) {
      const q = cloneSaeParams(p);
      arch.hooks?.beforeStep?.(q, stepContext(arch, q, optionsFor(arch, { normaliseDecoder }), { l1: new Float64Array(2) }));
      for (let r = 0; r < 6; r++) {
        const n = Math.hypot(...q.wDec.subarray(r * 4, r * 4 + 4));
        if (unit) expect(n).toBeCloseTo(1, 6);
        else expect(n).toBe(Math.hypot(...p.wDec.subarray(r * 4, r * 4 + 4)));
      }
    }
  });

  it("the saelens-5.10 recipe: Adam β1 = 0, β2 .999, clip 1, constant lr, ⌊tokens/4096⌋ steps whatever the batch", async () => {
    const recipe = await loadRecipe("saelens-5.10");
    expect(recipe.beta1).toBe(0);
    expect(recipe.settings).toMatchObject({ beta2: 0.999, maxGradNorm: 1, lrSchedule: { kind: "constant" }, normalizeInputs: null });
    expect(recipe.steps(100_000_000, 500)).toBe(24_414);
    expect(recipe.steps(100_000_000, 128)).toBe(24_414);
    expect(recipe.steps(4095, 128)).toBe(0);
  });

  it("trains through the one trainer: fused and tfjs engines take the same steps, and the loss falls", async () => {
    // two orthogonal features in 6 dimensions, each on with p = 0.3; two SAEs (λ 1e-3 and 3e-2)
    const D = 6,
      B = 64;
    const draw = (seed: number) => {
      const rng = new Rng(seed);
      return () => {
        const x = new Float32Array(B * D);
        for (let s = 0; s < B; s++) for (let f = 0; f < 2; f++) if (rng.uniform() < 0.3) x[s * D + 3 * f] = 1;
        return x;
      };
    };
    const o = { ...HEDGING_TOY };
    const start = arch.init({ instances: 2, dIn: D, dSae: 2 }, optionsFor(arch, o), [new Rng(1), new Rng(2)]);
    const run = async (engine: "fused" | "tfjs", steps: number) => {
      const p = cloneSaeParams(start);
      const result = await trainWith("standard", "saelens-5.10", p, {
        steps,
        batch: B,
        engine,
        lr: Float64Array.from([1e-2, 1e-2]),
        hyper: { l1: Float64Array.from([1e-3, 3e-2]) },
        sample: draw(7),
        architectureOptions: o,
        logEvery: 1,
      });
      return { p, result };
    };
    const fused = await run("fused", 15);
    const viaTfjs = await run("tfjs", 15);
    for (const k of ["wEnc", "bEnc", "wDec", "bDec"] as const) expect(maxRelErr(fused.p[k], viaTfjs.p[k]), k).toBeLessThan(1e-3);
    for (const c of fused.result.curves) {
      const twin = viaTfjs.result.curves.find((d) => d.step === c.step && d.instance === c.instance);
      expect(c.loss).toBeCloseTo(twin?.loss ?? NaN, 4);
    }
    const long = await run("fused", 400);
    for (let i = 0; i < 2; i++) {
      const first = long.result.curves.find((c) => c.step === 0 && c.instance === i)?.loss ?? 0;
      const last = long.result.curves.find((c) => c.step === 399 && c.instance === i)?.loss ?? Infinity;
      expect(last, `instance ${i}`).toBeLessThan(0.3 * first);
    }
    expect(Array.from(long.result.diverged)).toEqual([0, 0]);
  });
});
