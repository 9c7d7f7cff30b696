/**
 * The three registered ARENA toy SAEs (arena-relu, gated, arena-jumprelu; reference
 * arena-toy-models.md §2) through the Architecture interface: the fused kernel against tfjs
 * autodiff of `referenceLoss` (loss parts, activity and every parameter's gradient, tied and
 * untied), their own per-sample reconstruction loss against the generic one, their resets, and
 * training through the one trainer with the `arena` recipe.
 */
import { beforeAll, describe, expect, it } from "vitest";
import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-cpu";
import { Rng } from "../../src/random.ts";
import type { AnyArchitecture, StepContext } from "../../src/sae/architecture.ts";
import { loadArchitecture, resolveArchitectureOptions } from "../../src/sae/load.ts";
import { emptySaeParams, paramTensor, type GridBatch, type SaeParams } from "../../src/sae/types.ts";
import { genericReconstructionPerSample } from "../../src/train/dead-latent-resampler.ts";
import { tfjsLossAndGrads } from "../../src/train/tfjs-engine.ts";
import { loadRecipe } from "../../src/train/recipes/load.ts";
import { trainWith } from "../train/harness.ts";
import { maxRelErr } from "./gradient-check.ts";

beforeAll(async () => {
  await tf.setBackend("cpu");
});

const NAMES = ["arena-relu", "gated", "arena-jumprelu"] as const;

/** 2-d hidden vectors of a 5-feature TMS-like model (sparse features, unit directions 72° apart). */
function hiddenBatch(rng: Rng, batch: number, p = 0.3): Float32Array {
  const h = new Float32Array(batch * 2);
  for (let s = 0; s < batch; s++) {
    for (let f = 0; f < 5; f++) {
      if (rng.uniform() > p) continue;
      const a = rng.uniform();
      h[2 * s] += a * Math.cos((2 * Math.PI * f) / 5);
      h[2 * s + 1] += a * Math.sin((2 * Math.PI * f) / 5);
    }
  }
  return h;
}

async function setup(name: string, tied: boolean, seed = 1, I = 3, M = 5, B = 40) {
  const arch = await loadArchitecture(name);
  const { options, problems } = resolveArchitectureOptions<Record<string, unknown>>(arch, { tied }, "options");
  expect(problems).toEqual([]);
  const rng = new Rng(seed);
  const p = arch.init(
    { instances: I, dIn: 2, dSae: M },
    options,
    Array.from({ length: I }, (_, i) => rng.fork(`sae/${i}`)),
  );
  rng.fillNormal(p.bEnc, 0.05, 0.1);
  rng.fillNormal(p.bDec, 0, 0.05);
  if (p.extra.rMag) rng.fillNormal(p.extra.rMag, 0, 0.3);
  if (p.extra.bMag) rng.fillNormal(p.extra.bMag, 0, 0.1);
  // JumpReLU thresholds spread around the pre-activations, so the rectangle windows are hit
  if (p.extra.logTheta) for (let e = 0; e < p.extra.logTheta.length; e++) p.extra.logTheta[e] = Math.log(rng.uniformIn(0.02, 0.3));
  const batch: GridBatch = { x: [hiddenBatch(rng, B), hiddenBatch(rng, B)], batch: B, group: Int32Array.from({ length: I }, (_, i) => i % 2) };
  const ctx: StepContext<object, unknown> = {
    step: 0,
    options,
    state: arch.createState(p, options),
    hyper: { sparsityCoeff: Float64Array.from({ length: I }, (_, i) => [0.2, 1, 0.1][i % 3]) },
    dead: new Uint8Array(I * M),
    active: new Uint8Array(I).fill(1),
  };
  return { arch, p, batch, ctx, options };
}

describe.each(NAMES)("%s through the Architecture interface", (name) => {
  it.each([false, true])("fused pass = tfjs autodiff of referenceLoss (tied = %s): loss parts, activity, every gradient", async (tied) => {
    const { arch, p, batch, ctx } = await setup(name, tied);
    expect(arch.fused).toBeDefined();
    const fusedGrads = emptySaeParams(p, arch.params);
    const refGrads = emptySaeParams(p, arch.params);
    const fused = arch.fused!(p, fusedGrads, batch, ctx);
    const ref = tfjsLossAndGrads(arch, p, refGrads, batch, ctx);
    for (let i = 0; i < p.instances; i++) {
      expect(fused.loss[i]).toBeCloseTo(ref.loss[i], 5);
      expect(fused.reconstruction[i]).toBeCloseTo(ref.reconstruction[i], 5);
      expect(fused.sparsity[i]).toBeCloseTo(ref.sparsity[i], 5);
      expect(fused.auxiliary[i]).toBeCloseTo(ref.auxiliary[i], 5);
      expect(fused.l0[i]).toBeCloseTo(ref.l0[i], 5);
      expect(fused.loss[i]).toBeCloseTo(fused.reconstruction[i] + fused.sparsity[i] + fused.auxiliary[i], 9);
    }
    expect(Array.from(fused.fired)).toEqual(Array.from(ref.fired));
    expect(Array.from(fused.fracActive!)).toEqual(Array.from(ref.fracActive!));
    // some latents fire in part of the batch: the gates are really exercised
    expect(fused.fracActive!.some((f) => f > 0 && f < 1)).toBe(true);
    for (const spec of arch.params) {
      expect(maxRelErr(paramTensor(fusedGrads, spec.name), paramTensor(refGrads, spec.name)), `${spec.name} (tied ${tied})`).toBeLessThan(2e-3);
    }
    if (tied) expect(fusedGrads.wDec.every((v) => v === 0)).toBe(true);
    expect(arch.tiedWeights?.(ctx.options)).toBe(tied);
  });

  it("its per-sample reconstruction loss equals the generic one from encode/decode", async () => {
    for (const tied of [false, true]) {
      const { arch, p, batch, ctx } = await setup(name, tied, 4);
      arch.hooks?.afterStep?.(p, ctx); // the decoder the saved SAE holds: unit rows (untied) or W_encᵀ (tied)
      const own = arch.reconstructionPerSample!(p, batch, ctx);
      const generic = genericReconstructionPerSample(arch, p, batch, ctx);
      expect(own.length).toBe(p.instances * batch.batch);
      // tied arena-relu normalises W_encᵀ in the forward; the generic path decodes with decode(), which does the same
      for (let e = 0; e < own.length; e++) expect(generic[e]).toBeCloseTo(own[e], 5);
      expect(own.some((v) => v > 1e-4)).toBe(true);
    }
  });

  it("trains through the one trainer with the arena recipe (loss falls; unit decoder rows untied)", async () => {
    const { arch, p, options } = await setup(name, name === "arena-jumprelu", 7, 2);
    const data = new Rng(70);
    const recipe = await loadRecipe("arena");
    const result = await trainWith(name, "arena", p, {
      steps: 400,
      batch: 256,
      lr: new Float64Array(2).fill(1e-2),
      sample: () => hiddenBatch(data, 256),
      hyper: { sparsityCoeff: Float64Array.from([0.05, 0.1]) },
      architectureOptions: options,
      settings: { resampling: null },
    });
    expect(recipe.settings.resampling).toEqual({ kind: "advanced", every: 2_500, window: 500, scale: 0.5 });
    for (let i = 0; i < 2; i++) {
      const curve = result.curves.filter((c) => c.instance === i);
      const first = curve.slice(0, 3).reduce((s, c) => s + c.loss, 0) / 3;
      const last = curve.slice(-3).reduce((s, c) => s + c.loss, 0) / 3;
      expect(last, `${name} instance ${i}`).toBeLessThan(0.8 * first);
      expect(curve.at(-1)!.l0).toBeGreaterThan(0);
    }
    expect(result.diverged.every((d) => d === 0)).toBe(true);
    if (!(options as { tied: boolean }).tied) {
      for (let r = 0; r < p.instances * p.dSae; r++) expect(Math.hypot(p.wDec[2 * r], p.wDec[2 * r + 1])).toBeCloseTo(1, 5);
    } else {
      expect(mirrors(p)).toBe(true);
    }
    expect(arch.name).toBe(name);
  });
});

function mirrors(p: SaeParams): boolean {
  const { instances: I, dIn: D, dSae: M } = p;
  for (let i = 0; i < I; i++) for (let k = 0; k < D; k++) for (let j = 0; j < M; j++) if (p.wDec[(i * M + j) * D + k] !== p.wEnc[(i * D + k) * M + j]) return false;
  return true;
}

describe("ARENA toy SAE resets and decoding", () => {
  it("gated resets r_mag and b_mag of resampled latents, arena-jumprelu log θ to log(thetaInit); others untouched", async () => {
    const gated = (await setup("gated", false)).p;
    const arch: AnyArchitecture = await loadArchitecture("gated");
    const before = { rMag: gated.extra.rMag.slice(), bMag: gated.extra.bMag.slice() };
    arch.hooks!.resetLatents!(gated, 1, [0, 3], {});
    for (let e = 0; e < gated.extra.rMag.length; e++) {
      const reset = e === 5 || e === 8;
      expect(gated.extra.rMag[e]).toBe(reset ? 0 : before.rMag[e]);
      expect(gated.extra.bMag[e]).toBe(reset ? 0 : before.bMag[e]);
    }
    const { arch: jump, p, options } = await setup("arena-jumprelu", true);
    const theta = p.extra.logTheta.slice();
    jump.hooks!.resetLatents!(p, 2, [4], { ...options, thetaInit: 0.25 });
    for (let e = 0; e < theta.length; e++) expect(p.extra.logTheta[e]).toBe(e === 14 ? Math.fround(Math.log(0.25)) : theta[e]);
    // fresh JumpReLU thresholds are log 0.1 (S)
    const fresh = jump.init({ instances: 1, dIn: 2, dSae: 3 }, options, [new Rng(1)]);
    expect(Array.from(fresh.extra.logTheta)).toEqual(Array(3).fill(Math.fround(Math.log(0.1))));
  });

  it("arena-relu decodes with the decoder rows normalised (a row's length does not matter)", async () => {
    const arch = await loadArchitecture("arena-relu");
    const { options } = resolveArchitectureOptions(arch, {}, "o");
    const p = emptySaeParams({ instances: 1, dIn: 2, dSae: 1 });
    p.wEnc.set([1, 0]);
    p.wDec.set([4, 0]);
    p.bDec.set([0.1, -0.2]);
    const codes = arch.encode(p, 0, Float32Array.from([0.6, 0.3]), 1, options, { sparsityCoeff: 0.2 });
    expect(codes[0]).toBeCloseTo(0.5, 6); // (0.6 − 0.1)·1
    const xh = arch.decode!(p, 0, codes, 1, options);
    expect(xh[0]).toBeCloseTo(0.6, 6);
    expect(xh[1]).toBeCloseTo(-0.2, 6);
  });
});
