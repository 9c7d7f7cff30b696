/**
 * generate: the evaluation sample of the SAEs' metrics — fresh feature vectors x of the TMS
 * data distribution (every feature present with probability p, magnitude U[0, 1)), from their
 * own stream. The model's hidden layer h = W x is taken in the metrics stage.
 */
import { vectorsColumn } from "@toy-sae/core/artifact/arrow";
import { Rng } from "@toy-sae/core/random";
import { arenaBatch } from "@toy-sae/generators/arena";
import type { StageContext } from "../../framework/context.ts";
import type { TmsSaeConfig } from "./config.ts";

export async function run(ctx: StageContext<TmsSaeConfig>): Promise<void> {
  const { seed, model, metrics } = ctx.config;
  const n = metrics.evalSamples;
  const F = model.nFeatures;
  const x = arenaBatch({ instances: 1, nFeatures: F, featureProbability: [model.featureProbability] }, n, new Rng(seed).fork("eval"));
  await ctx.write(
    "eval.arrow",
    { sample: Int32Array.from({ length: n }, (_, s) => s), x: vectorsColumn(Array.from({ length: n }, (_, s) => x.subarray(s * F, (s + 1) * F))) },
    { seeds: { experiment: seed, eval: "fork(eval)" }, extra: { n_features: String(F), feature_probability: String(model.featureProbability) } },
  );
  let present = 0;
  for (const v of x) if (v !== 0) present++;
  ctx.log(`${n} evaluation samples of ${F} features (p = ${model.featureProbability}; measured ${(present / (n * F)).toFixed(4)})`);
}
