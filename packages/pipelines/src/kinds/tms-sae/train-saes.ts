/**
 * The tms-sae kind's side of train-saes: every run × instance as a planned SAE on the frozen
 * hidden layer h = W x of the model instance `model.useInstance` (the original copies instance
 * 0's W and b to every SAE instance; h has no bias and no ReLU). Instance i of every run starts
 * from the same initialisation (`sae-init/<i>`) and reads the same batches (`sae-data/<i>`, each
 * instance its own stream, as the original draws each instance's batch), so the runs differ only
 * in architecture, coefficient and resampling — relu-none and relu-advanced are identical until
 * the first resampling step. Resampling every `resampleEvery` steps over `resampleWindow` at
 * scale `resampleScale`; the weights are copied every `snapshotEvery` steps for the animations.
 */
import type { Rng } from "@toy-sae/core/random";
import { arenaTmsHidden, type ArenaTmsModel } from "@toy-sae/core/models/arena-tms-model";
import type { ResamplingSettings } from "@toy-sae/core/train/dead-latent-resampler";
import { arenaBatchSampler } from "@toy-sae/generators/arena";
import type { StageContext } from "../../framework/context.ts";
import type { PlannedSae, TrainPlan } from "../../framework/kind.ts";
import { KEY_TYPES, modelInstance } from "./common.ts";
import type { TmsSaeConfig } from "./config.ts";

/** The model instance the SAEs read (plain data: it goes to worker threads). */
export interface Shared {
  model: ArenaTmsModel;
}

export async function plan(ctx: StageContext<TmsSaeConfig>): Promise<TrainPlan<Shared>> {
  const { sae, model: modelConfig, seed } = ctx.config;
  const model = modelInstance(await ctx.read("train-model", "model.arrow"), modelConfig.useInstance);
  const saes: PlannedSae[] = [];
  for (const run of sae.runs) {
    const resampling: ResamplingSettings | null =
      run.resampling === "none" ? null : { kind: run.resampling, every: sae.resampleEvery, window: sae.resampleWindow, scale: sae.resampleScale };
    for (let i = 0; i < sae.instances; i++) {
      saes.push({
        key: { run: run.name, architecture: run.architecture, resampling: run.resampling, instance: i },
        architecture: run.architecture,
        options: { ...(run.options ?? {}) },
        recipe: sae.recipe,
        dIn: model.dHidden,
        dSae: sae.dSae,
        steps: sae.steps,
        batch: sae.batch,
        logEvery: sae.logEvery,
        lr: sae.lr,
        hyper: { sparsityCoeff: run.sparsityCoeff },
        settings: { resampling, snapshotEvery: sae.snapshotEvery, recordFracActive: true, deadWindow: sae.resampleWindow },
        initStream: `sae-init/${i}`,
        data: { stream: `sae-data/${i}`, source: "hidden" },
      });
    }
  }
  ctx.log(
    `${sae.runs.length} runs × ${sae.instances} instances, d_in ${model.dHidden}, d_sae ${sae.dSae}, ${sae.steps} steps of ${sae.batch}; model instance ${modelConfig.useInstance}`,
  );
  const seeds = { experiment: seed, init: "fork(sae-init/<instance>)", data: "fork(sae-data/<instance>)", resampling: "fork(resample/sae-init/<instance>/sae-data/<instance>)" };
  return { saes, keyTypes: KEY_TYPES, shared: { model }, seeds };
}

export function sampler(source: string, shared: Shared, batch: number): (rng: Rng) => Float32Array {
  if (source !== "hidden") throw new Error(`tms-sae sampler: unknown source "${source}"`);
  const { model } = shared;
  const draw = arenaBatchSampler({ instances: 1, nFeatures: model.nFeatures, featureProbability: [model.featureProbability[0]] });
  const x = new Float32Array(batch * model.nFeatures);
  return (rng) => arenaTmsHidden(model, 0, draw(batch, rng, x), batch);
}
