/**
 * generate: the generator spec made concrete (one row per data condition, with its set sizes,
 * hidden size, probability table and firing probabilities) and a seeded evaluation sample per
 * condition. spec.arrow's config hash leaves out `evalSamples`, so a new evaluation size does
 * not retrain the toy models or the SAEs.
 */
import { vectorsColumn } from "@toy-sae/core/artifact/arrow";
import { Rng } from "@toy-sae/core/random";
import { composedFeatureSampler } from "@toy-sae/generators/composed";
import type { StageContext } from "../../framework/context.ts";
import { conditionShape, type ComposedGridConfig } from "./config.ts";

export async function run(ctx: StageContext<ComposedGridConfig>): Promise<void> {
  const { data, seed } = ctx.config;
  const shapes = data.conditions.map((c) => conditionShape(data, c));
  const samplers = data.conditions.map((c, k) =>
    composedFeatureSampler({
      setSizes: shapes[k].setSizes,
      setMagnitudeCorrelation: c.setMagnitudeCorrelation,
      oneHotProbability: c.oneHotProbability,
      correlatedPair: (c.correlatedPair as [number, number] | undefined) ?? null,
      correlatedBoost: c.correlatedBoost ?? 0,
    }),
  );
  const C = samplers.length;
  const { evalSamples: _evalSamples, ...specData } = data;
  await ctx.write(
    "spec.arrow",
    {
      condition: data.conditions.map((c) => c.name),
      set_size_0: Int32Array.from(shapes, (s) => s.setSizes[0]),
      set_size_1: Int32Array.from(shapes, (s) => s.setSizes[1]),
      hidden: Int32Array.from(shapes, (s) => s.hidden),
      set_magnitude_correlation: Float64Array.from(data.conditions, (c) => c.setMagnitudeCorrelation),
      one_hot_probability: Float64Array.from(data.conditions, (c) => c.oneHotProbability),
      correlated_pair_0: Int32Array.from(data.conditions, (c) => c.correlatedPair?.[0] ?? -1),
      correlated_pair_1: Int32Array.from(data.conditions, (c) => c.correlatedPair?.[1] ?? -1),
      correlated_boost: Float64Array.from(data.conditions, (c) => c.correlatedBoost ?? 0),
      expected_l0: Float64Array.from(samplers, (s) => s.expectedL0),
      // pair cells (row-major n0×n1), then the set-0 and set-1 one-hot cells
      probability_table: vectorsColumn(samplers.map((s) => Float32Array.from([...s.table.pairs, ...s.table.singles0, ...s.table.singles1]))),
      firing_probability: vectorsColumn(samplers.map((s) => Float32Array.from(s.firingProbabilities))),
    },
    { configPart: { seed, data: specData }, seeds: { experiment: seed } },
  );

  const E = data.evalSamples;
  const rng = new Rng(seed);
  const evalX = samplers.map((s, c) => s.sample(rng.fork(`eval/${data.conditions[c].name}`), E));
  await ctx.write(
    "eval.arrow",
    {
      condition: data.conditions.flatMap((c) => Array<string>(E).fill(c.name)),
      sample: Int32Array.from({ length: C * E }, (_, k) => k % E),
      x: vectorsColumn(evalX.flatMap((x, c) => Array.from({ length: E }, (_, s) => x.subarray(s * samplers[c].nFeatures, (s + 1) * samplers[c].nFeatures)))),
    },
    { configPart: { seed, data }, seeds: { experiment: seed, eval: data.conditions.map((c) => `fork(eval/${c.name})`) } },
  );
  ctx.log(`${C} conditions (${shapes.map((s, k) => `${data.conditions[k].name}: ${s.setSizes.join("+")} features in ${s.hidden}-d`).join(", ")}), ${E} evaluation samples each`);
}
