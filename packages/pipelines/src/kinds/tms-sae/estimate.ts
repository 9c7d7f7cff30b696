/** What a tms-sae config needs (framework/estimate.ts): the largest allocations and the training work. */
import { saeSecondsPerSample, type Estimate } from "../../framework/estimate.ts";
import type { TmsSaeConfig } from "./config.ts";

const F32 = 4;

export function estimate(c: TmsSaeConfig): Estimate {
  const { model, sae } = c;
  const saes = sae.runs.length * sae.instances;
  const runs = `sae.runs (${sae.runs.length}) × sae.instances (${sae.instances})`;
  return {
    memory: [
      {
        stage: "train-model",
        what: "one step's batch of every TMS instance",
        fields: [`model.instances: ${model.instances}`, `model.batch: ${model.batch}`],
        bytes: model.instances * model.batch * model.nFeatures * F32 * 3,
      },
      {
        stage: "train-saes",
        what: "a training batch of every SAE instance",
        fields: [`sae.batch: ${sae.batch}`, runs],
        bytes: saes * sae.batch * Math.max(model.dHidden, sae.dSae) * F32 * 4,
      },
      {
        stage: "train-saes",
        what: "the weight snapshots",
        fields: [`sae.snapshotEvery: ${sae.snapshotEvery}`, `sae.steps: ${sae.steps}`, runs],
        bytes: saes * Math.ceil(sae.steps / sae.snapshotEvery) * 2 * model.dHidden * sae.dSae * F32,
      },
      {
        stage: "metrics",
        what: "the evaluation sample",
        fields: [`metrics.evalSamples: ${c.metrics.evalSamples}`],
        bytes: c.metrics.evalSamples * (model.nFeatures + model.dHidden) * F32 * 2,
      },
    ],
    work: [
      {
        stage: "train-model",
        what: `${model.instances} TMS instances × ${model.steps} steps of ${model.batch}`,
        fields: [`model.steps: ${model.steps}`, `model.batch: ${model.batch}`],
        seconds: model.instances * model.steps * model.batch * model.nFeatures * model.dHidden * 4e-9,
      },
      {
        stage: "train-saes",
        what: `${saes} SAEs × ${sae.steps} steps of ${sae.batch}`,
        fields: [`sae.steps: ${sae.steps}`, runs],
        seconds: saes * sae.steps * sae.batch * saeSecondsPerSample(model.dHidden, sae.dSae, sae.engine),
      },
    ],
  };
}
