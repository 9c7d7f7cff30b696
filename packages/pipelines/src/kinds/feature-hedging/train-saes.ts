/**
 * The feature-hedging kind's side of train-saes: every run expanded into planned SAEs (run →
 * dataset → β → seed), each trained on fresh batches of its dataset embedded by the toy model,
 * started at the ground truth with noise (`init_sae_to_match_model`, §1.7) or the
 * architecture's own init. The SAEs of one run, dataset and seed share their data stream and
 * their init noise, so the β of a sweep are compared on the same batches; every stream is named,
 * so the thread split never changes a number.
 */
import type { Rng } from "@toy-sae/core/random";
import { initSaeToMatchModel } from "@toy-sae/core/sae/shared/init-to-truth";
import type { SaeParams } from "@toy-sae/core/sae/types";
import { embedFeatures } from "@toy-sae/core/models/orthogonal-embedding";
import { readIntColumn, readMatrixColumn } from "@toy-sae/core/artifact/arrow";
import type { JsonValue } from "@toy-sae/core/artifact/provenance";
import type { StageContext } from "../../framework/context.ts";
import type { PlannedSae, TrainPlan } from "../../framework/kind.ts";
import type { KeyType } from "../../framework/saes-io.ts";
import { hedgingSaes, type DatasetConfig, type FeatureHedgingConfig, type HedgingSae } from "./config.ts";
import { datasetSampler } from "./datasets.ts";

/** The key columns of saes.arrow (and, by the same names, of the metrics files). */
export const KEY_TYPES: Record<string, KeyType> = { run: "string", dataset: "string", beta: "float", seed: "int", l1: "float", k: "float", noise: "float" };

export interface Shared {
  nFeatures: number;
  dIn: number;
  datasets: Record<string, DatasetConfig>;
  /** [nFeatures, dIn], row i = true feature i. */
  embedding: Float32Array;
}

interface Setup {
  noise: number;
  ordering: number[] | null;
  stream: string;
}

function plainJson<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}

function keyOf(s: HedgingSae) {
  return { run: s.run, dataset: s.dataset, beta: s.beta, seed: s.seed, l1: s.l1, k: s.k, noise: s.noise };
}

/** Every SAE of the experiment, planned for `steps` steps on inputs of `dIn` dimensions. */
export function planSaes(config: FeatureHedgingConfig, steps: number, dIn: number): PlannedSae[] {
  return hedgingSaes(config).map((s) => {
    const hyper: Record<string, number> = {};
    if (!Number.isNaN(s.l1)) hyper.l1 = s.l1;
    if (!Number.isNaN(s.k)) hyper.k = s.k;
    const setup: Setup | null = s.init === "truth" ? { noise: s.noise, ordering: s.featureOrdering, stream: `sae-init-noise/${s.run}/${s.dataset}/seed${s.seed}` } : null;
    return {
      key: keyOf(s),
      architecture: s.architecture,
      options: plainJson(s.options as Record<string, JsonValue>),
      recipe: config.sae.recipe,
      dIn,
      dSae: s.dSae,
      steps,
      batch: config.sae.batch,
      lr: s.lr,
      hyper,
      initStream: `sae-init/${s.run}/${s.dataset}/seed${s.seed}`,
      data: { stream: `sae-data/${s.run}/${s.dataset}/seed${s.seed}`, source: s.dataset },
      setup: plainJson(setup) as JsonValue,
    };
  });
}

export async function plan(ctx: StageContext<FeatureHedgingConfig>): Promise<TrainPlan<Shared>> {
  const config = ctx.config;
  const model = await ctx.read("train-model", "model.arrow");
  const N = readIntColumn(model, "n_features")[0];
  const D = readIntColumn(model, "hidden")[0];
  const embedding = readMatrixColumn(model, "embedding", N * D).values.slice(0, N * D);
  const recipe = await ctx.loadRecipe(config.sae.recipe);
  const steps = recipe.steps(config.sae.tokens, config.sae.batch);
  if (steps < 1) throw new Error(`train-saes: ${config.sae.tokens} tokens give ${steps} steps under recipe ${recipe.name}; raise sae.tokens`);
  const saes = planSaes(config, steps, D);
  ctx.log(
    `${saes.length} SAEs (${config.sae.runs.map((r) => `${r.name}: ${saes.filter((s) => s.key.run === r.name).length}`).join(", ")}), ${steps} steps of ${config.sae.batch} samples (recipe ${recipe.name}, ${config.sae.tokens.toExponential(3)} tokens)`,
  );
  return {
    saes,
    keyTypes: KEY_TYPES,
    // plain copies: the stage's config is a guarded view, which cannot be sent to a worker thread
    shared: { nFeatures: N, dIn: D, datasets: Object.fromEntries(config.data.datasets.map((d) => [d.name, plainJson(d)])), embedding },
    seeds: {
      experiment: config.seed,
      init: "fork(sae-init/<run>/<dataset>/seed<seed>)",
      noise: "fork(sae-init-noise/<run>/<dataset>/seed<seed>)",
      data: "fork(sae-data/<run>/<dataset>/seed<seed>)",
    },
  };
}

export function sampler(source: string, shared: Shared, batch: number): (rng: Rng) => Float32Array {
  const dataset = shared.datasets[source];
  if (!dataset) throw new Error(`train-saes: no dataset "${source}"`);
  const draw = datasetSampler(dataset);
  const features = new Float32Array(batch * shared.nFeatures);
  return (rng) => embedFeatures(draw.sampleInto(rng, batch, features), shared.embedding, shared.nFeatures, shared.dIn);
}

/** Ground-truth runs start at the toy model's features, with noise and the run's feature ordering (§1.7). */
export function prepare(params: SaeParams, saes: readonly PlannedSae[], shared: Shared, root: Rng): void {
  saes.forEach((s, i) => {
    const setup = s.setup as Setup | null | undefined;
    if (!setup) return;
    initSaeToMatchModel(params, i, shared.embedding, shared.nFeatures, { noiseLevel: setup.noise, featureOrdering: setup.ordering ?? undefined, rng: root.fork(setup.stream) });
  });
}
