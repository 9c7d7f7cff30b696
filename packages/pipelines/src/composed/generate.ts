/**
 * generate: the generator spec made concrete (one row per data condition, with its
 * probability table and firing probabilities) and a seeded evaluation sample per condition.
 */
import { Rng } from "@toy-sae/core/random";
import { composedFeatureSampler } from "@toy-sae/generators/composed";
import type { StageContext } from "../stage/context.ts";
import type { ComposedGridConfig } from "./config.ts";

export async function run(ctx: StageContext<ComposedGridConfig>): Promise<void> {
  const { data, seed } = ctx.config;
  const [n0, n1] = data.setSizes;
  const nFeatures = n0 + n1;
  const rng = new Rng(seed);
  const samplers = data.conditions.map((c) =>
    composedFeatureSampler({
      setSizes: [n0, n1],
      setMagnitudeCorrelation: c.setMagnitudeCorrelation,
      oneHotProbability: c.oneHotProbability,
      correlatedPair: c.correlatedPair ?? null,
      correlatedBoost: c.correlatedBoost ?? 0,
    }),
  );
  const C = samplers.length;
  const tableSize = n0 * n1 + n0 + n1;
  const tables = new Float32Array(C * tableSize);
  const firing = new Float32Array(C * nFeatures);
  samplers.forEach((s, c) => {
    tables.set([...s.table.pairs, ...s.table.singles0, ...s.table.singles1], c * tableSize);
    firing.set(s.firingProbabilities, c * nFeatures);
  });
  const configPart = { seed, data };
  await ctx.write(
    "spec.arrow",
    {
      condition: data.conditions.map((c) => c.name),
      set_size_0: Int32Array.from({ length: C }, () => n0),
      set_size_1: Int32Array.from({ length: C }, () => n1),
      hidden: Int32Array.from({ length: C }, () => data.hidden),
      set_magnitude_correlation: Float64Array.from(data.conditions, (c) => c.setMagnitudeCorrelation),
      one_hot_probability: Float64Array.from(data.conditions, (c) => c.oneHotProbability),
      correlated_pair_0: Int32Array.from(data.conditions, (c) => c.correlatedPair?.[0] ?? -1),
      correlated_pair_1: Int32Array.from(data.conditions, (c) => c.correlatedPair?.[1] ?? -1),
      correlated_boost: Float64Array.from(data.conditions, (c) => c.correlatedBoost ?? 0),
      expected_l0: Float64Array.from(samplers, (s) => s.expectedL0),
      // pair cells (row-major n0×n1), then the set-0 and set-1 one-hot cells
      probability_table: { type: "fixedSizeList", size: tableSize, values: tables },
      firing_probability: { type: "fixedSizeList", size: nFeatures, values: firing },
    },
    { configPart, seeds: { experiment: seed } },
  );

  const E = data.evalSamples;
  const evalX = new Float32Array(C * E * nFeatures);
  samplers.forEach((s, c) => evalX.set(s.sample(rng.fork(`eval/${data.conditions[c].name}`), E), c * E * nFeatures));
  await ctx.write(
    "eval.arrow",
    {
      condition: data.conditions.flatMap((c) => Array<string>(E).fill(c.name)),
      sample: Int32Array.from({ length: C * E }, (_, k) => k % E),
      x: { type: "fixedSizeList", size: nFeatures, values: evalX },
    },
    { configPart, seeds: { experiment: seed, eval: data.conditions.map((c) => `fork(eval/${c.name})`) } },
  );
  ctx.log(`${C} conditions, ${nFeatures} features, ${E} evaluation samples each`);
}
