/**
 * Training one chunk of the sparse-but-wrong instance axis with the SAELens 6.11.1 trainer.
 * A chunk holds instances of one "family" (same architecture, input normalisation, L0
 * warm-up and number of steps), because the grid trainer takes those for the whole call.
 * Each instance's initialisation comes from a stream named by its run and seed, and each
 * data key (run, condition, model, seed) has its own data stream, so results do not depend
 * on how the instances are split between threads.
 */
import { Rng } from "@toy-sae/core/random";
import { initSaeToMatchModel } from "@toy-sae/core/sae/shared/init-to-truth";
import { initLogThreshold } from "@toy-sae/core/sae/jumprelu/kernel";
import { initSaeLens } from "@toy-sae/core/sae/shared/saelens-base";
import type { SaeParams } from "@toy-sae/core/sae/types";
import type { KTransition } from "@toy-sae/core/train/k-schedule";
import { architecture as batchTopK } from "@toy-sae/core/sae/batchtopk/index";
import { architecture as jumpRelu } from "@toy-sae/core/sae/jumprelu/index";
import { recipe } from "@toy-sae/core/train/recipes/saelens-6.11";
import { trainSaeGrid, type CurvePoint as SaeLensCurvePoint } from "@toy-sae/core/train/trainer";
import { embedFeatures } from "@toy-sae/core/models/orthogonal-embedding";
import { correlatedFeatureSampler, type CorrelatedFeatureOptions } from "@toy-sae/generators/correlated";
import type { SbwInstance } from "./config.ts";

export interface ChunkJob {
  seed: number;
  dIn: number;
  dSae: number;
  nFeatures: number;
  batch: number;
  /** 0 for the untrained (ground-truth) SAEs. */
  steps: number;
  deadWindow: number;
  normEstimateBatches: number;
  engine: "fused" | "tfjs";
  instances: SbwInstance[];
  /** Sampler options per data condition name. */
  conditions: Record<string, CorrelatedFeatureOptions>;
  /** Embedding [nFeatures, dIn] per model variant. */
  embeddings: Record<string, Float32Array>;
}

export interface ChunkResult {
  params: SaeParams;
  logThreshold: Float32Array;
  curves: SaeLensCurvePoint[];
  diverged: Uint8Array;
  divergedAt: Int32Array;
  inputScale: Float64Array;
  topkThreshold: Float64Array;
  finalK: Float64Array;
}

/** Instances that can share one trainer call. */
export function familyKey(g: SbwInstance): string {
  return g.trained ? `${g.architecture}|norm=${g.normalizeInputs}|warmup=${g.l0WarmUpFraction}` : "untrained";
}

/** A transition given as fractions of training, in steps (the paper's 3000/8000 of 14,649 come back exactly). */
export function kTransitionSteps(g: SbwInstance, steps: number): KTransition | undefined {
  const t = g.kTransition;
  if (!t) return undefined;
  return { initialK: t.from, startStep: Math.round(t.startFraction * steps), durationSteps: Math.max(1, Math.round(t.durationFraction * steps)) };
}

export function trainChunk(job: ChunkJob, onStep?: (step: number) => void): ChunkResult {
  const { instances, dIn, dSae, nFeatures: N, batch: B } = job;
  const I = instances.length;
  const root = new Rng(job.seed);
  // All k of one run and seed start from the same random SAE, so they differ only by k.
  const params = initSaeLens({ instances: I, dIn, dSae }, instances.map((g) => root.fork(`sae-init/${g.run}/seed${g.seed}`)));
  instances.forEach((g, i) => {
    if (g.init !== "truth") return;
    const noise = root.fork(`sae-init-noise/${g.run}/seed${g.seed}`);
    initSaeToMatchModel(params, i, job.embeddings[g.model], N, { noiseLevel: g.initNoise, rng: noise });
  });

  const keys = [...new Set(instances.map((g) => g.dataKey))];
  const group = Int32Array.from(instances, (g) => keys.indexOf(g.dataKey));
  const first = keys.map((key) => instances.find((g) => g.dataKey === key) ?? instances[0]);
  const samplers = first.map((g) => correlatedFeatureSampler(job.conditions[g.condition]));
  const rngs = keys.map((key) => root.fork(`sae-data/${key}`));
  const features = new Float32Array(B * N);
  const sample = (g: number) => embedFeatures(samplers[g].sampleInto(rngs[g], B, features), job.embeddings[first[g].model], N, dIn);

  const logThreshold = initLogThreshold({ instances: I, dSae });
  params.extra.logThreshold = logThreshold;
  const lead = instances[0];
  const isTopK = lead.architecture === "batchtopk";
  const result = trainSaeGrid(isTopK ? batchTopK : jumpRelu, params, {
    ...recipe.settings,
    options: isTopK ? { auxCoefficient: 1, thresholdLr: 0.01, decoderInitNorm: 0.1 } : { bandwidth: 2, tanhScale: 4, initThreshold: 0.1, decoderInitNorm: 0.1 },
    hyper: isTopK ? { k: Float64Array.from(instances, (g) => g.k) } : { l0Coefficient: Float64Array.from(instances, (g) => g.l0Coefficient) },
    schedules: isTopK
      ? { k: instances.map((g) => { const t = kTransitionSteps(g, job.steps); return t ? { kind: "transition" as const, from: t.initialK, startStep: t.startStep ?? 0, durationSteps: t.durationSteps } : null; }) }
      : { l0Coefficient: instances.map(() => ({ kind: "warm-up" as const, steps: Math.round(lead.l0WarmUpFraction * job.steps) })) },
    beta1: new Float64Array(I).fill(recipe.beta1),
    steps: job.steps,
    batch: B,
    lr: Float64Array.from(instances, (g) => g.lr),
    deadWindow: job.deadWindow,
    normalizeInputs: lead.normalizeInputs ? { batches: job.normEstimateBatches } : null,
    engine: job.engine,
    group,
    groups: keys.length,
    sample,
    onStep: onStep ? (step) => onStep(step) : undefined,
  });
  return {
    params,
    logThreshold,
    curves: result.curves,
    diverged: result.diverged,
    divergedAt: result.divergedAt,
    inputScale: result.inputScale,
    topkThreshold: result.summary.topk_threshold ?? new Float64Array(I),
    finalK: result.finalHyper.k ?? new Float64Array(I).fill(NaN),
  };
}
