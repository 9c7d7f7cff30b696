/**
 * The "matryoshka-batchtopk" architecture (SAELens 6.18 MatryoshkaBatchTopKTrainingSAE,
 * reference §4.1) through the Architecture interface: the loss by hand, fused = tfjs autodiff
 * with and without dead latents, no inner level = "batchtopk" exactly, width errors before
 * training, and training through the one trainer with θ saved.
 */
import { beforeAll, describe, expect, it } from "vitest";
import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-cpu";
import { Rng } from "../../src/random.ts";
import { loadArchitecture } from "../../src/sae/load.ts";
import type { AnyArchitecture } from "../../src/sae/architecture.ts";
import { cloneSaeParams, emptySaeParams, type GridBatch } from "../../src/sae/types.ts";
import { trainWith } from "../train/harness.ts";
import { maxRelErr } from "./gradient-check.ts";
import { expectFusedMatchesReference, optionsFor, referenceParts, stepContext } from "./architecture-check.ts";

let arch: AnyArchitecture;
let batchTopK: AnyArchitecture;
beforeAll(async () => {
  await tf.setBackend("cpu");
  arch = await loadArchitecture("matryoshka-batchtopk");
  batchTopK = await loadArchitecture("batchtopk");
});

function randomCase(seed: number, I = 2, D = 6, M = 5, B = 16) {
  const rng = new Rng(seed);
  const p = emptySaeParams({ instances: I, dIn: D, dSae: M });
  rng.fillNormal(p.wEnc, 0, 0.5);
  rng.fillNormal(p.wDec, 0, 0.5);
  rng.fillNormal(p.bEnc, 0, 0.3);
  rng.fillNormal(p.bDec, 0, 0.2);
  const x = [rng.fillUniform(new Float32Array(B * D), -1, 1)];
  return { p, batch: { x, batch: B, group: new Int32Array(I) } as GridBatch };
}

describe("matryoshka-batchtopk architecture", () => {
  it("loss by hand: BatchTopK MSE plus the inner prefix's MSE on the same codes", () => {
    // dIn 2, dSae 2, W_enc = I, W_dec = I, biases 0; x = [3, 1], [0, 2]; k = 1.5 → ⌊1.5·2⌋ = 3 codes kept of
    // h = [3, 1, 0, 2] → keep 3, 2, 1: a = [3, 1], [0, 2]; full x̂ = x, MSE 0. Width 1: x̂ = [3, 0], [0, 0],
    // errors ‖[0, −1]‖² = 1 and ‖[0, −2]‖² = 4 → mean 2.5. With k = 1: keep 3, 2 → a = [3, 0], [0, 2];
    // full MSE (1 + 0)/2 = .5; width 1: (1 + 4)/2 = 2.5 → 3.
    const p = emptySaeParams({ instances: 2, dIn: 2, dSae: 2 });
    p.wEnc.set([1, 0, 0, 1, 1, 0, 0, 1]);
    p.wDec.set([1, 0, 0, 1, 1, 0, 0, 1]);
    const batch: GridBatch = { x: [Float32Array.from([3, 1, 0, 2])], batch: 2, group: new Int32Array(2) };
    const ctx = stepContext(arch, p, optionsFor(arch, { widths: [1] }), { k: Float64Array.from([1.5, 1]) });
    const out = arch.fused?.(p, emptySaeParams(p), batch, ctx);
    expect(Array.from(out?.loss ?? [])).toEqual([2.5, 3]);
    const ref = referenceParts(arch, p, batch, ctx);
    expect(ref.loss[0]).toBeCloseTo(2.5, 6);
    expect(ref.loss[1]).toBeCloseTo(3, 6);
    expect(ref.reconstruction[1]).toBeCloseTo(3, 6);
  });

  it("fused = tfjs autodiff of the reference, with and without dead latents (aux-k)", () => {
    for (const dead of [null, Uint8Array.from([1, 0, 0, 1, 0, 0, 0, 1, 0, 0])]) {
      const { p, batch } = randomCase(13);
      const ctx = stepContext(arch, p, optionsFor(arch, { widths: [1, 3] }), { k: Float64Array.from([1.5, 2.5]) }, dead ?? undefined);
      const { out } = expectFusedMatchesReference(arch, p, batch, ctx);
      if (dead) expect(out.auxiliary[0]).toBeGreaterThan(0);
      else expect(Array.from(out.auxiliary)).toEqual([0, 0]);
    }
  });

  it("with no inner level (the default widths []) it is the batchtopk architecture exactly", () => {
    const { p, batch } = randomCase(17);
    const hyper = { k: Float64Array.from([2, 1.25]) };
    const a = emptySaeParams(p);
    const b = emptySaeParams(p);
    const outA = arch.fused?.(p, a, batch, stepContext(arch, p, optionsFor(arch, {}), hyper));
    const outB = batchTopK.fused?.(p, b, batch, stepContext(batchTopK, p, optionsFor(batchTopK, {}), hyper));
    expect(Array.from(outA?.loss ?? [])).toEqual(Array.from(outB?.loss ?? []));
    for (const k of ["wEnc", "bEnc", "wDec", "bDec"] as const) expect(Array.from(a[k])).toEqual(Array.from(b[k]));
  });

  it("rejects widths that are not strictly increasing or pass d_sae before training", () => {
    const init = (widths: number[]) => () => arch.init({ instances: 1, dIn: 3, dSae: 4 }, optionsFor(arch, { widths }), [new Rng(1)]);
    expect(init([2, 1])).toThrow(/strictly increasing/);
    expect(init([1, 5])).toThrow(/strictly increasing/);
    expect(init([1, 2])).not.toThrow();
  });

  it("trains through the one trainer: fused and tfjs engines agree, the loss falls, θ is saved", async () => {
    const D = 6,
      B = 64;
    const draw = () => {
      const rng = new Rng(2);
      return () => {
        const x = new Float32Array(B * D);
        for (let s = 0; s < B; s++) for (let f = 0; f < 3; f++) if (rng.uniform() < 0.3) x[s * D + 2 * f] = 1 + 0.1 * rng.normal();
        return x;
      };
    };
    const o = { widths: [1, 2] };
    const start = arch.init({ instances: 2, dIn: D, dSae: 4 }, optionsFor(arch, o), [new Rng(1), new Rng(2)]);
    const run = async (engine: "fused" | "tfjs", steps: number) => {
      const p = cloneSaeParams(start);
      const result = await trainWith("matryoshka-batchtopk", "saelens-6.11", p, {
        steps,
        batch: B,
        engine,
        lr: Float64Array.from([1e-2, 1e-2]),
        hyper: { k: Float64Array.from([1, 2]) },
        sample: draw(),
        architectureOptions: o,
        logEvery: 1,
      });
      return { p, result };
    };
    const fused = await run("fused", 10);
    const viaTfjs = await run("tfjs", 10);
    for (const k of ["wEnc", "bEnc", "wDec", "bDec"] as const) expect(maxRelErr(fused.p[k], viaTfjs.p[k]), k).toBeLessThan(1e-3);
    const long = await run("fused", 300);
    for (let i = 0; i < 2; i++) {
      const loss = (step: number) => long.result.curves.find((c) => c.step === step && c.instance === i)?.loss ?? NaN;
      expect(loss(299)).toBeLessThan(0.5 * loss(0));
      expect(long.result.summary.topk_threshold[i]).toBeGreaterThan(0);
    }
  });
});
