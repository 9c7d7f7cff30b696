/**
 * generate: the configurations as run, one row per (experiment, instance): its feature
 * probability, shape, pairs, magnitudes and training settings (spec.arrow). The toy models'
 * data are drawn while training (a fresh batch every step, as the original), so there is no
 * dataset to write here.
 */
import { vectorsColumn } from "@toy-sae/core/artifact/arrow";
import type { StageContext } from "../../framework/context.ts";
import type { TmsSuperpositionConfig } from "./config.ts";
import { resolveExperiment } from "./experiments.ts";

export async function run(ctx: StageContext<TmsSuperpositionConfig>): Promise<void> {
  const experiments = ctx.config.models.map(resolveExperiment);
  const rows = experiments.flatMap((e) => Array.from({ length: e.instances }, (_, i) => ({ e, i })));
  await ctx.write(
    "spec.arrow",
    {
      experiment: rows.map(({ e }) => e.name),
      instance: Int32Array.from(rows, ({ i }) => i),
      feature_probability: Float64Array.from(rows, ({ e, i }) => e.featureProbability[i]),
      model: rows.map(({ e }) => e.kind),
      n_features: Int32Array.from(rows, ({ e }) => e.nFeatures),
      d_hidden: Int32Array.from(rows, ({ e }) => e.dHidden),
      n_correlated_pairs: Int32Array.from(rows, ({ e }) => e.nCorrelatedPairs),
      n_anticorrelated_pairs: Int32Array.from(rows, ({ e }) => e.nAnticorrelatedPairs),
      magnitude: rows.map(({ e }) => e.magnitude),
      anticorrelation_form: rows.map(({ e }) => e.anticorrelationForm),
      steps: Int32Array.from(rows, ({ e }) => e.steps),
      batch: Int32Array.from(rows, ({ e }) => e.batch),
      lr: Float64Array.from(rows, ({ e }) => e.lr),
      schedule: rows.map(({ e }) => e.schedule),
      importance: vectorsColumn(rows.map(({ e }) => Float32Array.from(e.importance))),
    },
    { seeds: {} },
  );
  for (const e of experiments)
    ctx.log(
      `${e.name}: ${e.instances} instances, ${e.nFeatures} features in ${e.dHidden} dims (${e.kind}), p ${e.featureProbability[0].toPrecision(3)} … ${e.featureProbability[e.instances - 1].toPrecision(3)}, ${e.steps} steps of ${e.batch}`,
    );
}
