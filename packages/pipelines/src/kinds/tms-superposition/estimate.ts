/**
 * What a tms-superposition config needs (framework/estimate.ts). The toy model's step costs
 * about 4 multiply-adds per weight and sample (forward, backward, both through W and Wᵀ); the
 * rate, ~1 ns each on one core, is a rough fit to the default profile's train-model stage.
 */
import type { Estimate } from "../../framework/estimate.ts";
import type { TmsSuperpositionConfig } from "./config.ts";
import { resolveExperiment } from "./experiments.ts";

const F32 = 4;
const SECONDS_PER_MULTIPLY_ADD = 1e-9;

export function estimate(c: TmsSuperpositionConfig): Estimate {
  const experiments = c.models.map(resolveExperiment);
  const dd = c.doubleDescent;
  const threads = Math.max(1, Math.min(c.training.threads, 2));
  const ddSize = Math.max(...dd.sizes);
  const largest = experiments.reduce((a, e) => Math.max(a, e.instances * e.batch * e.nFeatures), 0);
  const work = experiments.map((e) => ({
    stage: "train-model" as const,
    what: `${e.name}: ${e.instances} instances × ${e.steps} steps of ${e.batch}`,
    fields: ["models"],
    seconds: (e.instances * e.steps * e.batch * e.nFeatures * e.dHidden * 4 * SECONDS_PER_MULTIPLY_ADD) / threads,
  }));
  if (dd.enabled) {
    const samples = dd.sizes.reduce((a, n) => a + n, 0);
    work.push({
      stage: "train-model",
      what: `double descent: ${dd.sizes.length} sizes × ${dd.instances} instances × ${dd.steps} steps`,
      fields: [`doubleDescent.sizes (${dd.sizes.length})`, `doubleDescent.instances: ${dd.instances}`, `doubleDescent.steps: ${dd.steps}`],
      seconds: (samples * dd.instances * dd.steps * dd.nFeatures * dd.dHidden * 4 * SECONDS_PER_MULTIPLY_ADD) / threads,
    });
  }
  return {
    memory: [
      { stage: "train-model", what: "one step's batch of every instance", fields: ["models (instances, batch)"], bytes: largest * F32 * 3 },
      ...(dd.enabled
        ? [
            {
              stage: "train-model" as const,
              what: "the largest double-descent dataset of every instance",
              fields: [`doubleDescent.sizes: ${ddSize}`, `doubleDescent.nFeatures: ${dd.nFeatures}`],
              bytes: dd.instances * ddSize * dd.nFeatures * F32 * 3,
            },
          ]
        : []),
    ],
    work,
  };
}
