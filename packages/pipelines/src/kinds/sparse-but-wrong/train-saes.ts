/**
 * The sparse-but-wrong kind's side of train-saes: every run group expanded into planned SAEs
 * (run → ρ → seed → k or L0 coefficient). All k of one run and seed start from the same random
 * SAE (`sae-init/<run>/seed<seed>`), ground-truth runs are then set to the toy model's features
 * (+ noise from `sae-init-noise/<run>/seed<seed>`), and each (run, condition, model, seed) draws
 * its own data stream — so the thread split never changes a number.
 */
import type { Rng } from "@toy-sae/core/random";
import { initSaeToMatchModel } from "@toy-sae/core/sae/shared/init-to-truth";
import type { SaeParams } from "@toy-sae/core/sae/types";
import type { HyperSchedule } from "@toy-sae/core/train/hyper-schedule";
import { embedFeatures } from "@toy-sae/core/models/orthogonal-embedding";
import { correlatedFeatureSampler, type CorrelatedFeatureOptions } from "@toy-sae/generators/correlated";
import type { StageContext } from "../../framework/context.ts";
import type { PlannedSae, TrainPlan } from "../../framework/kind.ts";
import { KEY_TYPES, conditionsFromSpec, modelsFromArtifact } from "./common.ts";
import { sbwInstances, type SbwInstance, type SparseButWrongConfig } from "./config.ts";

export interface Shared {
  nFeatures: number;
  dIn: number;
  /** Sampler options per data condition name. */
  conditions: Record<string, CorrelatedFeatureOptions>;
  /** Embedding [nFeatures, dIn] per model variant. */
  embeddings: Record<string, Float32Array>;
}

/** A transition given as fractions of training, in steps (the paper's 3000/8000 of 14,649 come back exactly). */
export function kTransitionSchedule(g: SbwInstance, steps: number): HyperSchedule | undefined {
  const t = g.kTransition;
  if (!t) return undefined;
  return { kind: "transition", from: t.from, startStep: Math.round(t.startFraction * steps), durationSteps: Math.max(1, Math.round(t.durationFraction * steps)) };
}

/** The key columns of one SAE in saes.arrow (and, by the same names, in metrics.arrow). */
function keyOf(g: SbwInstance) {
  return {
    run: g.run,
    k: g.k,
    l0_coefficient: g.l0Coefficient,
    rho: g.rho,
    condition: g.condition,
    model: g.model,
    seed: g.seed,
    init: g.init,
    trained: g.trained,
    lr: g.lr,
    k_from: g.kTransition?.from ?? NaN,
    instance: g.instance,
  };
}

/** Every SAE of the experiment, planned: `steps` training steps (0 for untrained runs), inputs of `dIn` dimensions. */
export function planSaes(config: SparseButWrongConfig, steps: number, dIn: number): PlannedSae[] {
  const { sae } = config;
  return sbwInstances(config).map((g) => {
    const schedules: Record<string, HyperSchedule> = {};
    const transition = kTransitionSchedule(g, steps);
    if (transition) schedules.k = transition;
    if (g.l0WarmUpFraction > 0) schedules.l0Coefficient = { kind: "warm-up", steps: Math.round(g.l0WarmUpFraction * steps) };
    return {
      key: keyOf(g),
      architecture: g.architecture,
      options: {},
      recipe: sae.recipe,
      dIn,
      dSae: sae.dSae,
      steps: g.trained ? steps : 0,
      batch: sae.batch,
      lr: g.lr,
      hyper: (Number.isNaN(g.k) ? { l0Coefficient: g.l0Coefficient } : { k: g.k }) as Record<string, number>,
      schedules,
      settings: { deadWindow: sae.deadWindow, normalizeInputs: g.normalizeInputs ? { batches: sae.normEstimateBatches } : null },
      initStream: `sae-init/${g.run}/seed${g.seed}`,
      data: { stream: `sae-data/${g.dataKey}`, source: `${g.condition}|${g.model}` },
      setup: g.init === "truth" ? { model: g.model, noise: g.initNoise, stream: `sae-init-noise/${g.run}/seed${g.seed}` } : null,
    };
  });
}

export async function plan(ctx: StageContext<SparseButWrongConfig>): Promise<TrainPlan<Shared>> {
  const config = ctx.config;
  const { sae } = config;
  const conditions = conditionsFromSpec(await ctx.read("generate", "spec.arrow"), await ctx.read("generate", "features.arrow"), await ctx.read("generate", "correlation.arrow"));
  const models = modelsFromArtifact(await ctx.read("train-model", "model.arrow"));
  const recipe = await ctx.loadRecipe(sae.recipe);
  const steps = recipe.steps(sae.samples, sae.batch);
  const saes = planSaes(config, steps, models.hidden);
  const trained = saes.filter((s) => s.steps > 0).length;
  ctx.log(
    `${saes.length} SAEs (${sae.runs.map((r) => `${r.name}: ${saes.filter((s) => s.key.run === r.name).length}`).join(", ")}), ${steps} steps of ${sae.batch} (${(steps * sae.batch).toExponential(3)} samples each; ${trained} trained)`,
  );
  return {
    saes,
    keyTypes: KEY_TYPES,
    shared: {
      nFeatures: models.nFeatures,
      dIn: models.hidden,
      conditions: Object.fromEntries(conditions.map((c) => [c.name, c.options])),
      embeddings: Object.fromEntries(models.embedding),
    },
    seeds: { experiment: config.seed, init: "fork(sae-init/<run>/seed<seed>)", data: "fork(sae-data/<run>/<condition>/<model>/seed<seed>)" },
  };
}

export function sampler(source: string, shared: Shared, batch: number): (rng: Rng) => Float32Array {
  const [condition, model] = source.split("|");
  const features = new Float32Array(batch * shared.nFeatures);
  const draw = correlatedFeatureSampler(shared.conditions[condition]);
  const embedding = shared.embeddings[model];
  return (rng) => embedFeatures(draw.sampleInto(rng, batch, features), embedding, shared.nFeatures, shared.dIn);
}

/** Ground-truth runs start at the toy model's features (`init_sae_to_match_model`, §1.7). */
export function prepare(params: SaeParams, saes: readonly PlannedSae[], shared: Shared, root: Rng): void {
  saes.forEach((s, i) => {
    const setup = s.setup as { model: string; noise: number; stream: string } | null | undefined;
    if (!setup) return;
    initSaeToMatchModel(params, i, shared.embeddings[setup.model], shared.nFeatures, { noiseLevel: setup.noise, rng: root.fork(setup.stream) });
  });
}
