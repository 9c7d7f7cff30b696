/** What a sparse-but-wrong config needs (framework/estimate.ts): the largest allocations and the training work. */
import { saeSecondsPerSample, type Estimate } from "../../framework/estimate.ts";
import { dataConditions, saeSteps, sbwInstances, type SparseButWrongConfig } from "./config.ts";

const F32 = 4;

export function estimate(c: SparseButWrongConfig): Estimate {
  const { data, sae } = c;
  const N = data.features;
  const D = data.hidden;
  const M = sae.dSae;
  const C = dataConditions(data).length;
  const instances = sbwInstances(c);
  const trained = instances.filter((g) => g.trained).length;
  const steps = saeSteps(c);
  const runs = `sae.runs (${instances.length} SAEs)`;
  return {
    memory: [
      { stage: "generate", what: "the evaluation sample", fields: [`data.evalSamples: ${data.evalSamples}`, `data.features: ${N}`], bytes: C * data.evalSamples * N * F32 },
      { stage: "train-model", what: "the embeddings", fields: [`data.features: ${N}`, `data.hidden: ${D}`], bytes: c.model.variants.length * N * D * F32 * 4 },
      {
        stage: "train-saes",
        what: `W_enc of ${instances.length} SAEs (× 4 with gradients and Adam)`,
        fields: [`sae.dSae: ${M}`, `data.hidden: ${D}`, runs],
        bytes: 4 * instances.length * D * M * F32,
      },
      { stage: "train-saes", what: "a training batch", fields: [`sae.batch: ${sae.batch}`, `data.hidden: ${D}`], bytes: sae.batch * Math.max(N, D, M) * 8 * 4 },
      {
        stage: "metrics",
        what: "the evaluation inputs and codes of one SAE",
        fields: [`data.evalSamples: ${data.evalSamples}`, `data.hidden: ${D}`, `sae.dSae: ${M}`],
        bytes: data.evalSamples * (D + 2 * M) * 8,
      },
      { stage: "metrics", what: "the cosine table", fields: [`sae.dSae: ${M}`, `data.features: ${N}`, runs], bytes: instances.length * M * N * 40 },
    ],
    work: [
      {
        stage: "train-model",
        what: `${c.model.variants.length} embeddings`,
        fields: ["model.variants"],
        seconds: c.model.variants.reduce((a, v) => a + v.steps, 0) * N * N * D * 3e-9,
      },
      {
        stage: "train-saes",
        what: `${trained} SAEs × ${steps} steps of ${sae.batch}`,
        fields: [`sae.samples: ${sae.samples}`, runs],
        seconds: trained * steps * sae.batch * saeSecondsPerSample(D, M, sae.engine),
      },
      {
        stage: "metrics",
        what: `${instances.length} SAEs on ${data.evalSamples} samples`,
        fields: [`data.evalSamples: ${data.evalSamples}`, runs],
        seconds: instances.length * data.evalSamples * saeSecondsPerSample(D, M, "fused") * 2,
      },
    ],
  };
}
