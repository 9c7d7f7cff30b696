/**
 * Training one chunk of an experiment's SAEs: instances of one family (same architecture,
 * options, recipe, shape, length and trainer settings), in the stage's thread or a worker. Each
 * instance's initialisation comes from its own named Rng stream and each data stream is named
 * too, so the numbers do not depend on how the SAEs are split between threads.
 */
import { valueAt } from "@toy-sae/core/checked";
import { Rng } from "@toy-sae/core/random";
import type { JsonValue } from "@toy-sae/core/artifact/provenance";
import { loadArchitecture } from "@toy-sae/core/sae/load";
import type { SaeParams } from "@toy-sae/core/sae/types";
import { loadRecipe, trainerSettings } from "@toy-sae/core/train/recipes/load";
import type { BackendName } from "@toy-sae/core/backend-choice";
import { loadAutodiff, trainSaeGrid, type CurvePoint, type DivergenceReason, type GradientEngine } from "@toy-sae/core/train/trainer";
import type { ResamplingEvent } from "@toy-sae/core/train/resampling";
import type { ParamSnapshot } from "@toy-sae/core/train/param-snapshots";
import { KINDS } from "../kinds/registry.ts";
import type { PlannedSae, TrainSaesModule } from "./kind.ts";

export interface ChunkJob {
  /** The experiment's kind: a worker loads the kind's train-saes module through the registry. */
  kind: string;
  seed: number;
  engine: GradientEngine;
  /** The tfjs backend to start when the chunk needs autodiff (tfjs engine, or no fused kernel). */
  backend: BackendName;
  /** The family's architecture options, resolved with defaults. */
  options: Record<string, JsonValue>;
  saes: PlannedSae[];
  shared: unknown;
}

export interface ChunkResult {
  params: SaeParams;
  curves: CurvePoint[];
  diverged: Uint8Array;
  divergedReason: Array<DivergenceReason | null>;
  divergedAt: Int32Array;
  inputScale: Float64Array;
  finalHyper: Record<string, Float64Array>;
  summary: Record<string, Float64Array>;
  /** Dead-latent resampling events (instance = index in the chunk). */
  resampling: ResamplingEvent[];
  /** Parameter copies of the chunk's instances. */
  snapshots: ParamSnapshot[];
}

/** The kind's train-saes module, as a worker thread loads it. */
export async function loadTrainSaesModule(kind: string): Promise<TrainSaesModule<unknown>> {
  if (!Object.hasOwn(KINDS, kind)) throw new Error(`training chunk: unknown kind "${kind}"`);
  const { kind: declaration } = await KINDS[kind as keyof typeof KINDS]();
  return (await declaration.modules["train-saes"]()) as TrainSaesModule<unknown>;
}

export async function trainChunk(job: ChunkJob, module: TrainSaesModule<unknown>, onStep?: (step: number) => void): Promise<ChunkResult> {
  const { saes } = job;
  const lead = saes[0];
  if (!lead) throw new Error("trainChunk: the chunk has no SAEs");
  const I = saes.length;
  const arch = await loadArchitecture(lead.architecture);
  const recipe = await loadRecipe(lead.recipe);
  const root = new Rng(job.seed);
  // tfjs is loaded (and its backend started) only when this chunk differentiates with it
  let autodiff: Awaited<ReturnType<typeof loadAutodiff>> | undefined;
  if (job.engine === "tfjs" || !arch.fused) {
    await (await import("@toy-sae/core/backend")).selectBackend(job.backend);
    autodiff = await loadAutodiff();
  }

  const shape = { instances: I, dIn: lead.dIn, dSae: lead.dSae };
  const params = arch.init(
    shape,
    job.options,
    saes.map((s) => root.fork(s.initStream)),
  );
  module.prepare?.(params, saes, job.shared, root);

  // one data group per stream, in order of first appearance; its sampler is built from the first SAE's source
  const streams = [...new Set(saes.map((s) => s.data.stream))];
  const group = Int32Array.from(saes, (s) => streams.indexOf(s.data.stream));
  const draw = streams.map((stream) => module.sampler(saes.find((s) => s.data.stream === stream)?.data.source ?? "", job.shared, lead.batch));
  const rngs = streams.map((stream) => root.fork(stream));

  const hyperOf = (s: PlannedSae, name: string): number => {
    const value = s.hyper[name];
    if (value === undefined) throw new Error(`trainChunk: SAE ${JSON.stringify(s.key)} has no value for ${lead.architecture}'s hyperparameter ${name}`);
    return value;
  };
  const hyper = Object.fromEntries(arch.hyper.map((name) => [name, Float64Array.from(saes, (s) => hyperOf(s, name))]));
  const schedules = Object.fromEntries(arch.hyper.map((name) => [name, saes.map((s) => s.schedules?.[name] ?? null)]));
  const result = trainSaeGrid(arch, params, {
    ...trainerSettings(recipe, job.engine, lead.settings),
    steps: lead.steps,
    batch: lead.batch,
    lr: Float64Array.from(saes, (s) => s.lr),
    beta1: Float64Array.from(saes, (s) => s.beta1 ?? recipe.beta1),
    options: job.options,
    hyper,
    schedules,
    group,
    groups: streams.length,
    sample: (g) => valueAt(draw, g, "data group samplers")(valueAt(rngs, g, "data group streams")),
    logEvery: lead.logEvery,
    onStep: onStep ? (step) => onStep(step) : undefined,
    autodiff,
    // each SAE resamples from a stream named by its initialisation and data, so the split does not matter
    resamplingRngs: saes.map((s) => root.fork(`resample/${s.initStream}/${s.data.stream}`)),
  });
  return { params, ...result };
}
