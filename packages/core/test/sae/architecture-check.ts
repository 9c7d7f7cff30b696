/**
 * Checks through the Architecture interface (what the trainer calls): an architecture's fused
 * kernel against tfjs autodiff of its `referenceLoss`, parts included, and a short training run
 * by each engine from the same start on the same batches.
 */
import { expect } from "vitest";
import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs";
import type { AnyArchitecture, StepContext } from "../../src/sae/architecture.ts";
import { resolveArchitectureOptions } from "../../src/sae/load.ts";
import { batchTensor, cloneSaeParams, emptySaeParams, paramTensor, toTensors, type GridBatch, type SaeParams, type StepOutput } from "../../src/sae/types.ts";
import { autodiff, maxRelErr } from "./gradient-check.ts";

/** The architecture's options from a config's raw object (defaults filled in; a problem throws). */
export function optionsFor(arch: AnyArchitecture, raw: Record<string, unknown>): object {
  const { options, problems } = resolveArchitectureOptions<object>(arch, raw, "options");
  if (problems.length) throw new Error(problems.join("; "));
  return options;
}

export function stepContext(arch: AnyArchitecture, p: SaeParams, options: object, hyper: Record<string, Float64Array>, dead?: Uint8Array): StepContext<object, unknown> {
  return {
    step: 0,
    options,
    state: arch.createState(p, options),
    hyper,
    dead: dead ?? new Uint8Array(p.instances * p.dSae),
    active: new Uint8Array(p.instances).fill(1),
  };
}

export interface ReferenceParts {
  loss: Float64Array;
  reconstruction: Float64Array;
  sparsity: Float64Array | null;
  auxiliary: Float64Array | null;
  codes: Float32Array;
}

/** The reference forward pass's values (no gradients). */
export function referenceParts(arch: AnyArchitecture, p: SaeParams, batch: GridBatch, ctx: StepContext<object, unknown>): ReferenceParts {
  let parts: ReferenceParts | null = null;
  tf.tidy(() => {
    const out = arch.referenceLoss(tf, toTensors(tf, p, arch.params), batchTensor(tf, batch, p.dIn), ctx);
    parts = {
      loss: Float64Array.from(out.loss.dataSync()),
      reconstruction: Float64Array.from(out.reconstruction.dataSync()),
      sparsity: out.sparsity ? Float64Array.from(out.sparsity.dataSync()) : null,
      auxiliary: out.auxiliary ? Float64Array.from(out.auxiliary.dataSync()) : null,
      codes: Float32Array.from(out.codes.dataSync()),
    };
  });
  if (!parts) throw new Error("referenceParts: the forward pass returned nothing");
  return parts;
}

/**
 * The fused step and tfjs autodiff of `referenceLoss` at the same point: losses and their parts
 * to `digits` places, every gradient to `relErr`. Returns the fused output and gradients.
 */
export function expectFusedMatchesReference(
  arch: AnyArchitecture,
  p: SaeParams,
  batch: GridBatch,
  ctx: StepContext<object, unknown>,
  { digits = 4, relErr = 1e-3 }: { digits?: number; relErr?: number } = {},
): { out: StepOutput; grads: SaeParams } {
  if (!arch.fused) throw new Error(`${arch.name} has no fused kernel`);
  const grads = emptySaeParams(p, arch.params);
  const out = arch.fused(cloneSaeParams(p), grads, batch, ctx);
  const ref = emptySaeParams(p, arch.params);
  const refLoss = autodiff(p, batch, (t, x) => arch.referenceLoss(tf, t, x, ctx).loss, ref, arch.params);
  const parts = referenceParts(arch, p, batch, ctx);
  for (let i = 0; i < p.instances; i++) {
    expect(out.loss[i], `loss[${i}]`).toBeCloseTo(refLoss[i], digits);
    expect(out.reconstruction[i], `reconstruction[${i}]`).toBeCloseTo(parts.reconstruction[i], digits);
    if (parts.sparsity) expect(out.sparsity[i], `sparsity[${i}]`).toBeCloseTo(parts.sparsity[i], digits);
    if (parts.auxiliary) expect(out.auxiliary[i], `auxiliary[${i}]`).toBeCloseTo(parts.auxiliary[i], digits);
  }
  for (const spec of arch.params) expect(maxRelErr(paramTensor(grads, spec.name), paramTensor(ref, spec.name)), spec.name).toBeLessThan(relErr);
  // the latents the kernel reports as fired are those with a code above the threshold in the reference
  const { dSae: M } = p;
  const B = batch.batch;
  for (let i = 0; i < p.instances; i++) {
    for (let j = 0; j < M; j++) {
      let fired = 0;
      for (let s = 0; s < B; s++) if (parts.codes[(i * B + s) * M + j] > arch.fireThreshold) fired = 1;
      expect(out.fired[i * M + j], `fired[${i}, ${j}]`).toBe(fired);
    }
  }
  return { out, grads };
}
