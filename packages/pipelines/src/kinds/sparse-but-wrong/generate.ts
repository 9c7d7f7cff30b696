/**
 * generate: the data spec made concrete, one data condition per correlation matrix (one per
 * ρ for the small toy, the seeded random matrix for the main toy):
 *   spec.arrow         one row per condition (ρ, sizes, Σp, how the copula factor is taken);
 *   features.arrow     per condition and feature: firing probability, magnitude mean and std;
 *   correlation.arrow  per condition, the correlation matrix as a long Float64 table (i, j, value);
 *   eval.arrow         a seeded evaluation sample of feature magnitudes per condition.
 * Training stages re-create the samplers from these and draw a fresh batch every step.
 */
import { Rng } from "@toy-sae/core/random";
import { correlatedFeatureSampler, createCorrelationMatrix, randomCorrelationMatrix, smallToyCorrelation } from "@toy-sae/generators/correlated";
import { constantProbabilities, linearProbabilities } from "@toy-sae/generators/probabilities";
import type { StageContext } from "../../framework/context.ts";
import { dataConditions, type SparseButWrongConfig } from "./config.ts";

function firingProbabilities(data: SparseButWrongConfig["data"]): Float64Array {
  const p = data.probabilities;
  if (p.kind === "constant") return constantProbabilities(data.features, p.p ?? 0);
  if (p.kind === "linear") return linearProbabilities(data.features, p.first ?? 0, p.last ?? 0);
  return Float64Array.from(p.values ?? []);
}

function correlationMatrix(data: SparseButWrongConfig["data"], rho: number): Float64Array | null {
  const c = data.correlation;
  if (c.kind === "none") return null;
  if (c.kind === "feature0") return smallToyCorrelation(rho, data.features);
  const [lo, hi] = c.strengthRange ?? [0.3, 0.8];
  return randomCorrelationMatrix(data.features, { strengthRange: [lo, hi], positiveRatio: c.positiveRatio ?? 0.5, sparsity: c.sparsity ?? 0.3 }, new Rng(c.seed ?? 0));
}

export async function run(ctx: StageContext<SparseButWrongConfig>): Promise<void> {
  const { data, seed } = ctx.config;
  const N = data.features;
  const conditions = dataConditions(data);
  const p = firingProbabilities(data);
  const matrices = conditions.map((c) => correlationMatrix(data, c.rho));
  const samplers = matrices.map((corr) =>
    correlatedFeatureSampler({ firingProbabilities: p, correlation: corr, magnitudeMean: data.magnitudeMean, magnitudeStd: data.magnitudeStd }),
  );
  const C = conditions.length;
  // spec, features and correlation do not depend on the evaluation size: their hash leaves it out,
  // so a new evalSamples does not retrain the toy models or the SAEs
  const { evalSamples: _evalSamples, ...specData } = data;
  const configPart = { seed, data: specData };
  const seeds = { experiment: seed, correlation: data.correlation.seed ?? null, eval: conditions.map((c) => `fork(eval/${c.name})`) };

  await ctx.write(
    "spec.arrow",
    {
      condition: conditions.map((c) => c.name),
      rho: Float64Array.from(conditions, (c) => c.rho),
      n_features: Int32Array.from({ length: C }, () => N),
      hidden: Int32Array.from({ length: C }, () => data.hidden),
      independent: matrices.map((m) => m === null),
      expected_l0: Float64Array.from(samplers, (s) => s.expectedL0),
      factor_method: samplers.map((s) => s.factorMethod ?? "independent"),
    },
    { configPart, seeds },
  );
  await ctx.write(
    "features.arrow",
    {
      condition: conditions.flatMap((c) => Array<string>(N).fill(c.name)),
      feature: Int32Array.from({ length: C * N }, (_, r) => r % N),
      firing_probability: Float64Array.from({ length: C * N }, (_, r) => p[r % N]),
      magnitude_mean: new Float64Array(C * N).fill(data.magnitudeMean),
      magnitude_std: new Float64Array(C * N).fill(data.magnitudeStd),
    },
    { configPart, seeds },
  );
  const identity = createCorrelationMatrix(N);
  await ctx.write(
    "correlation.arrow",
    {
      condition: conditions.flatMap((c) => Array<string>(N * N).fill(c.name)),
      i: Int32Array.from({ length: C * N * N }, (_, r) => Math.floor((r % (N * N)) / N)),
      j: Int32Array.from({ length: C * N * N }, (_, r) => r % N),
      // independent firing is shown as the identity
      value: Float64Array.from({ length: C * N * N }, (_, r) => (matrices[Math.floor(r / (N * N))] ?? identity)[r % (N * N)]),
    },
    { configPart, seeds },
  );

  const E = data.evalSamples;
  const rng = new Rng(seed);
  const features = new Float32Array(C * E * N);
  for (const [c, s] of samplers.entries()) features.set(s.sample(rng.fork(`eval/${conditions[c].name}`), E), c * E * N);
  await ctx.write(
    "eval.arrow",
    {
      condition: conditions.flatMap((c) => Array<string>(E).fill(c.name)),
      sample: Int32Array.from({ length: C * E }, (_, r) => r % E),
      features: { type: "fixedSizeList", size: N, values: features },
    },
    { configPart: { seed, data }, seeds },
  );
  ctx.log(`${C} data condition(s) (${conditions.map((c) => c.name).join(", ")}), ${N} features, Σp = ${samplers[0].expectedL0.toFixed(4)}, ${E} evaluation samples each`);
}
