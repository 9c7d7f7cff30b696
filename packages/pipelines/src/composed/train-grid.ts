/**
 * Training one chunk of the composed-feature SAE grid. The train-saes stage runs this in
 * the main thread or splits the instance axis over worker threads; either way every
 * instance sees the same data and initialisation, so results do not depend on the split.
 */
import { Rng } from "@toy-sae/core/random";
import { initReluL1 } from "@toy-sae/core/sae/relu-l1/kernel";
import type { SaeParams } from "@toy-sae/core/sae/types";
import { architecture as reluL1 } from "@toy-sae/core/sae/relu-l1/index";
import { recipe } from "@toy-sae/core/train/recipes/composed-2024";
import { trainSaeGrid, type CurvePoint } from "@toy-sae/core/train/trainer";
import { composedFeatureSampler, type ComposedFeatureOptions } from "@toy-sae/generators/composed";
import type { ComposedGridConfig, GridInstance } from "./config.ts";
import { hiddenOf } from "./common.ts";

export interface ChunkJob {
  config: ComposedGridConfig;
  /** Sampler options per condition (as re-created from spec.arrow). */
  conditions: Array<{ name: string; options: ComposedFeatureOptions }>;
  /** TMS weights per condition, [nIn, nHidden]. */
  tmsW: Float32Array[];
  nIn: number;
  nHidden: number;
  /** Geometric-median b_dec per condition. */
  bDecInit: Float64Array[];
  instances: GridInstance[];
  steps: number;
}

export interface ChunkResult {
  params: SaeParams;
  curves: CurvePoint[];
  diverged: Uint8Array;
  divergedAt: Int32Array;
}

export function trainChunk(job: ChunkJob, onStep?: (step: number) => void): ChunkResult {
  const { config, instances, nIn, nHidden } = job;
  const root = new Rng(config.seed);
  const I = instances.length;
  const dIn = nHidden;
  const dSae = config.sae.dSae;
  // Same realisation ⇒ same initial SAE in every cell, so cells differ only by lr and λ.
  const params = initReluL1({ instances: I, dIn, dSae }, instances.map((g) => root.fork(`sae-init/r${g.realisation}`)));
  instances.forEach((g, i) => params.bDec.set(job.bDecInit[g.conditionIndex], i * dIn));

  // Data groups: one per condition present in this chunk, each with the condition's own stream.
  const used = [...new Set(instances.map((g) => g.conditionIndex))];
  const groupOf = Int32Array.from(instances, (g) => used.indexOf(g.conditionIndex));
  const samplers = used.map((c) => composedFeatureSampler(job.conditions[c].options));
  const rngs = used.map((c) => root.fork(`sae-data/${job.conditions[c].name}`));
  const B = config.sae.batch;

  const result = trainSaeGrid(reluL1, params, {
    ...recipe.settings,
    engine: config.sae.engine,
    steps: job.steps,
    batch: B,
    lr: Float64Array.from(instances, (g) => g.lr),
    hyper: { l1: Float64Array.from(instances, (g) => g.l1) },
    options: { ghostGrads: config.sae.ghostGrads, ghostCooldown: config.sae.ghostCooldown },
    beta1: new Float64Array(I).fill(config.sae.beta1),
    beta2: config.sae.beta2,
    lrSchedule: { kind: "warmup-cooldown", warmupFrac: config.sae.warmupFrac, cooldownFrac: config.sae.cooldownFrac },
    deadWindow: config.sae.deadWindow,
    group: groupOf,
    groups: used.length,
    sample: (g) => hiddenOf(samplers[g].sample(rngs[g], B), job.tmsW[used[g]], B, nIn, nHidden),
    onStep: onStep ? (step) => onStep(step) : undefined,
  });
  return { params, curves: result.curves, diverged: result.diverged, divergedAt: result.divergedAt };
}
