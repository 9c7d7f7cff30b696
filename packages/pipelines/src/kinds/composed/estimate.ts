/** What a composed-grid config needs (framework/estimate.ts): the largest allocations and the training work. */
import { saeSecondsPerSample, type Estimate } from "../../framework/estimate.ts";
import { conditionDSae, conditionShape, gridInstances, saeSteps, type ComposedGridConfig } from "./config.ts";

const F32 = 4;

export function estimate(c: ComposedGridConfig): Estimate {
  const shapes = c.data.conditions.map((cond) => ({ ...conditionShape(c.data, cond), dSae: conditionDSae(c, cond) }));
  const nIn = Math.max(...shapes.map((s) => s.setSizes[0] + s.setSizes[1]));
  const hidden = Math.max(...shapes.map((s) => s.hidden));
  const dSae = Math.max(...shapes.map((s) => s.dSae));
  const instances = gridInstances(c).length;
  const steps = saeSteps(c);
  const C = c.data.conditions.length;
  const gridFields = [`sae.lr (${c.sae.lr.length})`, `sae.l1 (${c.sae.l1.length})`, `sae.realisations: ${c.sae.realisations}`, `data.conditions (${C})`];
  return {
    memory: [
      { stage: "generate", what: "the evaluation sample", fields: [`data.evalSamples: ${c.data.evalSamples}`], bytes: C * c.data.evalSamples * nIn * F32 },
      { stage: "train-model", what: "a toy-model batch", fields: [`model.batch: ${c.model.batch}`], bytes: c.model.batch * nIn * F32 * 2 },
      // parameters, gradients and two Adam moments of every SAE
      {
        stage: "train-saes",
        what: `W_enc of ${instances} SAEs (× 4 with gradients and Adam)`,
        fields: [`sae.dSae: ${c.sae.dSae}`, `data.hidden: ${c.data.hidden}`, ...gridFields],
        bytes: 4 * instances * hidden * dSae * F32,
      },
      {
        stage: "train-saes",
        what: "a training batch",
        fields: [`sae.batch: ${c.sae.batch}`, `data.hidden: ${c.data.hidden}`],
        bytes: c.sae.batch * Math.max(nIn, hidden) * F32 * 2,
      },
      {
        stage: "train-saes",
        what: "the b_dec initialisation sample",
        fields: [`sae.bDecInitSamples: ${c.sae.bDecInitSamples}`],
        bytes: c.sae.bDecInitSamples * (nIn + hidden) * F32 * 2,
      },
      { stage: "metrics", what: "the cosine table", fields: [`sae.dSae: ${c.sae.dSae}`, ...gridFields], bytes: instances * dSae * nIn * 40 },
    ],
    work: [
      {
        stage: "train-model",
        what: `${C} toy models × ${c.model.steps} steps of ${c.model.batch}`,
        fields: [`model.steps: ${c.model.steps}`, `model.batch: ${c.model.batch}`],
        seconds: C * c.model.steps * c.model.batch * 4e-8 * (1 + (nIn * hidden) / 8),
      },
      {
        stage: "train-saes",
        what: `${instances} SAEs × ${steps} steps of ${c.sae.batch}`,
        fields: [`sae.samples: ${c.sae.samples}`, ...gridFields],
        seconds: shapes.reduce((a, s) => a + (instances / C) * steps * c.sae.batch * saeSecondsPerSample(s.hidden, s.dSae, c.sae.engine), 0),
      },
    ],
  };
}
