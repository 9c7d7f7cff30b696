/**
 * generate: the datasets made concrete.
 *   spec.arrow      one row per dataset: name, feature count, whether it is a tree;
 *   edges.arrow     per dataset, its parent → child feature pairs (tree edges, or the pairs the
 *                   modifiers name);
 *   features.arrow  per dataset and feature: the exact firing marginal (trees) and the firing
 *                   frequency measured on the evaluation sample;
 *   eval.arrow      a seeded evaluation sample of feature magnitudes per dataset.
 * Training draws fresh batches from the same samplers (train-saes rebuilds them from the config).
 */
import { Rng } from "@toy-sae/core/random";
import type { StageContext } from "../../framework/context.ts";
import type { FeatureHedgingConfig } from "./config.ts";
import { datasetSampler } from "./datasets.ts";

export async function run(ctx: StageContext<FeatureHedgingConfig>): Promise<void> {
  const { data, seed } = ctx.config;
  const datasets = data.datasets.map((d) => ({ name: d.name, sampler: datasetSampler(d) }));
  const N = datasets[0].sampler.nFeatures;
  const E = data.evalSamples;
  // spec and edges do not depend on the evaluation size, so their hash leaves it out
  const { evalSamples: _evalSamples, ...specData } = data;
  const specPart = { seed, data: specData };
  const seeds = { experiment: seed, eval: datasets.map((d) => `fork(eval/${d.name})`) };

  await ctx.write(
    "spec.arrow",
    {
      dataset: datasets.map((d) => d.name),
      n_features: Int32Array.from(datasets, (d) => d.sampler.nFeatures),
      is_tree: datasets.map((d) => d.sampler.isTree),
    },
    { configPart: specPart, seeds },
  );
  const edges = datasets.flatMap((d) => d.sampler.edges.map((e) => ({ dataset: d.name, ...e })));
  await ctx.write(
    "edges.arrow",
    { dataset: edges.map((e) => e.dataset), parent: Int32Array.from(edges, (e) => e.parent), child: Int32Array.from(edges, (e) => e.child) },
    { configPart: specPart, seeds },
  );

  const rng = new Rng(seed);
  const samples = new Float32Array(datasets.length * E * N);
  const frequency = new Float64Array(datasets.length * N);
  datasets.forEach((d, k) => {
    const block = samples.subarray(k * E * N, (k + 1) * E * N);
    d.sampler.sampleInto(rng.fork(`eval/${d.name}`), E, block);
    for (let e = 0; e < E * N; e++) if (block[e] > 0) frequency[k * N + (e % N)] += 1 / E;
  });
  await ctx.write(
    "features.arrow",
    {
      dataset: datasets.flatMap((d) => Array<string>(N).fill(d.name)),
      feature: Int32Array.from({ length: datasets.length * N }, (_, r) => r % N),
      marginal: Float64Array.from({ length: datasets.length * N }, (_, r) => datasets[Math.floor(r / N)].sampler.marginals[r % N]),
      firing_frequency: frequency,
    },
    { configPart: { seed, data }, seeds },
  );
  await ctx.write(
    "eval.arrow",
    {
      dataset: datasets.flatMap((d) => Array<string>(E).fill(d.name)),
      sample: Int32Array.from({ length: datasets.length * E }, (_, r) => r % E),
      features: { type: "fixedSizeList", size: N, values: samples },
    },
    { configPart: { seed, data }, seeds },
  );
  for (const [k, d] of datasets.entries()) {
    const f = Array.from(frequency.subarray(k * N, (k + 1) * N), (v) => v.toFixed(3)).join(", ");
    ctx.log(
      `${d.name}: ${N} features (${d.sampler.isTree ? "tree" : "independent + modifiers"}), ${d.sampler.edges.length} parent → child edge(s), firing frequency on ${E} samples: ${f}`,
    );
  }
}
