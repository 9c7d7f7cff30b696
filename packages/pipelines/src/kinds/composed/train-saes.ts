/**
 * The composed kind's side of train-saes: the lr × λ × realisation grid of every condition as
 * planned SAEs (condition-major, then lr, λ, realisation), each started from the same
 * initialisation in every cell (`sae-init/r<realisation>`) with b_dec at the geometric median
 * of the condition's hidden activations, and each condition's batches drawn from its own stream.
 */
import { Rng } from "@toy-sae/core/random";
import { geometricMedian } from "@toy-sae/core/metrics/geometric-median";
import type { SaeParams } from "@toy-sae/core/sae/types";
import { composedFeatureSampler, type ComposedFeatureOptions } from "@toy-sae/generators/composed";
import type { StageContext } from "../../framework/context.ts";
import type { PlannedSae, TrainPlan } from "../../framework/kind.ts";
import { hiddenOf, samplersFromSpec, tmsFromArtifact } from "./common.ts";
import { conditionDSae, gridInstances, type ComposedGridConfig } from "./config.ts";
import { KEY_TYPES } from "./saes.ts";

/** What every chunk needs of each condition (plain data: it goes to worker threads). */
export interface Shared {
  conditions: Array<{ name: string; options: ComposedFeatureOptions; w: Float32Array; nIn: number; nHidden: number; bDec: Float64Array }>;
}

export async function plan(ctx: StageContext<ComposedGridConfig>): Promise<TrainPlan<Shared>> {
  const config = ctx.config;
  const specs = samplersFromSpec(await ctx.read("generate", "spec.arrow"));
  const models = tmsFromArtifact(await ctx.read("train-model", "model.arrow"));
  const recipe = await ctx.loadRecipe(config.sae.recipe);
  const steps = recipe.steps(config.sae.samples, config.sae.batch);
  const root = new Rng(config.seed);
  const conditions = specs.map((c, k) => {
    const m = models[k];
    // b_dec starts at the geometric median of the SAE's input (5000 model samples in the original)
    const n = config.sae.bDecInitSamples;
    const h = hiddenOf(c.sampler.sample(root.fork(`bdec-init/${c.name}`), n), m.w, n, m.nIn, m.nHidden);
    return { name: c.name, options: c.options, w: m.w, nIn: m.nIn, nHidden: m.nHidden, bDec: geometricMedian(h, n, m.nHidden) };
  });
  const { sae } = config;
  const saes: PlannedSae[] = gridInstances(config).map((g) => ({
    key: { condition: g.condition, lr: g.lr, l1: g.l1, lr_index: g.lrIndex, l1_index: g.l1Index, instance: g.realisation, grid_index: g.instance },
    architecture: sae.architecture,
    options: { ghostGrads: sae.ghostGrads, ghostCooldown: sae.ghostCooldown },
    recipe: sae.recipe,
    dIn: conditions[g.conditionIndex].nHidden,
    dSae: conditionDSae(config, config.data.conditions[g.conditionIndex]),
    steps,
    batch: sae.batch,
    lr: g.lr,
    beta1: sae.beta1,
    hyper: { l1: g.l1 },
    settings: { beta2: sae.beta2, lrSchedule: { kind: "warmup-cooldown", warmupFrac: sae.warmupFrac, cooldownFrac: sae.cooldownFrac }, deadWindow: sae.deadWindow },
    initStream: `sae-init/r${g.realisation}`,
    data: { stream: `sae-data/${g.condition}`, source: String(g.conditionIndex) },
  }));
  ctx.log(
    `${conditions.length} conditions × ${sae.lr.length} lr × ${sae.l1.length} λ × ${sae.realisations} realisations, ${steps} steps of ${sae.batch} (${(steps * sae.batch).toExponential(2)} samples per SAE)`,
  );
  const seeds = { experiment: config.seed, init: "fork(sae-init/r<realisation>)", bDec: "fork(bdec-init/<condition>)", data: conditions.map((c) => `fork(sae-data/${c.name})`) };
  return { saes, keyTypes: KEY_TYPES, shared: { conditions }, seeds };
}

export function sampler(source: string, shared: Shared, batch: number): (rng: Rng) => Float32Array {
  const c = shared.conditions[Number(source)];
  const features = composedFeatureSampler(c.options);
  return (rng) => hiddenOf(features.sample(rng, batch), c.w, batch, c.nIn, c.nHidden);
}

export function prepare(params: SaeParams, saes: readonly PlannedSae[], shared: Shared): void {
  for (const [i, s] of saes.entries()) params.bDec.set(shared.conditions[Number(s.data.source)].bDec, i * params.dIn);
}
