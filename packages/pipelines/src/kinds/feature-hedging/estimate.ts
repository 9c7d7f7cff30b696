/** What a feature-hedging config needs (framework/estimate.ts): the largest allocations and the training work. */
import { saeSecondsPerSample, type Estimate } from "../../framework/estimate.ts";
import { SAELENS_5_10_TOKENS_PER_STEP } from "@toy-sae/core/train/recipes/saelens-5.10";
import { datasetFeatures, hedgingSaes, type FeatureHedgingConfig } from "./config.ts";

const F32 = 4;

/** Steps as the recipe counts them: saelens-5.10 advances 4096 tokens a step whatever the batch. */
function stepsOf(c: FeatureHedgingConfig): number {
  const perStep = c.sae.recipe === "saelens-5.10" ? SAELENS_5_10_TOKENS_PER_STEP : c.sae.batch;
  return Math.floor(c.sae.tokens / perStep);
}

export function estimate(c: FeatureHedgingConfig): Estimate {
  const N = Math.max(1, ...c.data.datasets.map(datasetFeatures));
  const D = c.model.hidden;
  const saes = hedgingSaes(c);
  const M = Math.max(1, ...saes.map((s) => s.dSae));
  const steps = stepsOf(c);
  const runs = `sae.runs (${saes.length} SAEs)`;
  const curves = c.lossCurves;
  return {
    memory: [
      { stage: "generate", what: "the evaluation sample of one dataset", fields: [`data.evalSamples: ${c.data.evalSamples}`], bytes: c.data.evalSamples * (N + D) * F32 },
      { stage: "train-saes", what: `W_enc of ${saes.length} SAEs (× 4 with gradients and Adam)`, fields: [`model.hidden: ${D}`, runs], bytes: 4 * saes.length * D * M * F32 },
      { stage: "train-saes", what: "a training batch", fields: [`sae.batch: ${c.sae.batch}`, `model.hidden: ${D}`], bytes: c.sae.batch * Math.max(N, D, M) * F32 * 8 },
      {
        stage: "metrics",
        what: "the evaluation inputs and codes of one SAE",
        fields: [`data.evalSamples: ${c.data.evalSamples}`, `model.hidden: ${D}`],
        bytes: c.data.evalSamples * (D + 2 * M) * 8,
      },
    ],
    work: [
      { stage: "train-model", what: `the orthogonal embedding, ${c.model.steps} steps`, fields: [`model.steps: ${c.model.steps}`], seconds: c.model.steps * N * N * D * 3e-9 },
      // matryoshka levels add one decoder pass each
      {
        stage: "train-saes",
        what: `${saes.length} SAEs × ${steps} steps of ${c.sae.batch}`,
        fields: [`sae.tokens: ${c.sae.tokens}`, runs],
        seconds: saes.reduce((a, s) => a + steps * c.sae.batch * saeSecondsPerSample(D, s.dSae, "fused") * (s.architecture.startsWith("matryoshka") ? 2 : 1), 0),
      },
      {
        stage: "metrics",
        what: `${saes.length} SAEs on ${c.data.evalSamples} samples`,
        fields: [`data.evalSamples: ${c.data.evalSamples}`, runs],
        seconds: saes.length * c.data.evalSamples * saeSecondsPerSample(D, M, "fused") * 2 + (curves ? curves.steps * curves.l1.length * 1e-6 : 0),
      },
    ],
  };
}
