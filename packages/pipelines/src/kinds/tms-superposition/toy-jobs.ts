/**
 * The toy-model training jobs of train-model, run in the stage's thread or a worker
 * (model-worker.mjs): some instances of one configuration, or one dataset size of the
 * double-descent experiment. Every instance has its own named Rng streams — its initialisation
 * (torch's xavier_normal_ std of the whole configuration's [I, dHidden, nFeatures] tensor, as the
 * original) and its batches — so splitting a configuration's instances over threads changes no
 * number. (The original draws every instance's batch from one generator; the distribution is
 * the same.)
 */
import { Rng } from "@toy-sae/core/random";
import { xavierNormal3dStd, type ArenaTmsModel } from "@toy-sae/core/models/arena-tms-model";
import { cosineDecayLr, trainArenaToyModel, type ArenaCurvePoint } from "@toy-sae/core/models/arena-tms-train";
import { arenaBatchSampler } from "@toy-sae/generators/arena";
import type { ToyExperiment } from "./experiments.ts";

export interface ModelJob {
  type: "model";
  seed: number;
  experiment: ToyExperiment;
  /** Instance indices of the configuration this job trains. */
  instances: number[];
}

export interface DoubleDescentJob {
  type: "double-descent";
  seed: number;
  size: number;
  nFeatures: number;
  dHidden: number;
  instances: number;
  featureProbability: number;
  steps: number;
  warmupSteps: number;
  lr: number;
  weightDecay: number;
}

export type ToyJob = ModelJob | DoubleDescentJob;

export interface ModelJobResult {
  type: "model";
  experiment: string;
  instances: number[];
  /** [n, dHidden, nFeatures] of the job's instances. */
  w: Float32Array;
  b: Float32Array;
  /** Loss curve; `instance` is the configuration's instance index. */
  curve: ArenaCurvePoint[];
}

export interface DoubleDescentResult {
  type: "double-descent";
  size: number;
  /** Final loss of every instance; the lowest one is kept. */
  losses: Float64Array;
  best: number;
  /** The best instance's W [dHidden, nFeatures] and its hidden data points W x_j [size, dHidden]. */
  w: Float32Array;
  hidden: Float32Array;
}

export type ToyJobResult = ModelJobResult | DoubleDescentResult;

/** Steps per job × its cost per step (for ordering the jobs and for progress). */
export function jobSteps(job: ToyJob): number {
  return job.type === "model" ? job.experiment.steps : job.steps;
}

function trainModelJob(job: ModelJob, onStep?: (step: number) => void): ModelJobResult {
  const e = job.experiment;
  const n = job.instances.length;
  const F = e.nFeatures,
    H = e.dHidden;
  const root = new Rng(job.seed);
  const std = xavierNormal3dStd(e.instances, H, F);
  const w = new Float32Array(n * H * F);
  const importance = new Float32Array(n * F);
  job.instances.forEach((i, k) => {
    root.fork(`model-init/${e.name}/${i}`).fillNormal(w.subarray(k * H * F, (k + 1) * H * F), 0, std);
    for (let f = 0; f < F; f++) importance[k * F + f] = e.importance[f];
  });
  const model: ArenaTmsModel = {
    kind: e.kind,
    instances: n,
    nFeatures: F,
    dHidden: H,
    w,
    b: new Float32Array(n * F),
    importance,
    featureProbability: Float64Array.from(job.instances, (i) => e.featureProbability[i]),
  };
  const samplers = job.instances.map((i) =>
    arenaBatchSampler({
      instances: 1,
      nFeatures: F,
      featureProbability: [e.featureProbability[i]],
      nCorrelatedPairs: e.nCorrelatedPairs,
      nAnticorrelatedPairs: e.nAnticorrelatedPairs,
      magnitude: e.magnitude,
      anticorrelationForm: e.anticorrelationForm,
    }),
  );
  const rngs = job.instances.map((i) => root.fork(`model-data/${e.name}/${i}`));
  const x = new Float32Array(n * e.batch * F);
  const curve = trainArenaToyModel(
    model,
    (batch) => {
      for (const [k, draw] of samplers.entries()) draw(batch, rngs[k], x.subarray(k * batch * F, (k + 1) * batch * F));
      return x;
    },
    { steps: e.steps, batch: e.batch, lr: e.lr, schedule: e.schedule, logEvery: Math.max(1, Math.floor(e.steps / 200)), onProgress: (p) => onStep?.(p.step + 1) },
  );
  return { type: "model", experiment: e.name, instances: job.instances, w: model.w, b: model.b, curve: curve.map((c) => ({ ...c, instance: job.instances[c.instance] })) };
}

/** ARENA's double-descent lr: linear warm-up over `warmup` steps, then cosine_decay_lr over the rest. */
export function warmupCosine(warmup: number): (step: number, steps: number) => number {
  return (step, steps) => (step < warmup ? step / warmup : cosineDecayLr(step - warmup, steps - warmup));
}

function trainDoubleDescentJob(job: DoubleDescentJob, onStep?: (step: number) => void): DoubleDescentResult {
  const { size: N, nFeatures: F, dHidden: H, instances: I } = job;
  const root = new Rng(job.seed);
  const w = new Float32Array(I * H * F);
  const std = xavierNormal3dStd(I, H, F);
  const x = new Float32Array(I * N * F);
  const draw = arenaBatchSampler({ instances: 1, nFeatures: F, featureProbability: [job.featureProbability] });
  for (let i = 0; i < I; i++) {
    root.fork(`dd-init/${N}/${i}`).fillNormal(w.subarray(i * H * F, (i + 1) * H * F), 0, std);
    const xi = x.subarray(i * N * F, (i + 1) * N * F);
    draw(N, root.fork(`dd-data/${N}/${i}`), xi);
    // each example L2-normalised, as the original (an all-zero example stays zero instead of 0/0)
    for (let s = 0; s < N; s++) {
      let ss = 0;
      for (let f = 0; f < F; f++) ss += xi[s * F + f] ** 2;
      if (ss > 0) for (let f = 0; f < F; f++) xi[s * F + f] /= Math.sqrt(ss);
    }
  }
  const model: ArenaTmsModel = {
    kind: "tms",
    instances: I,
    nFeatures: F,
    dHidden: H,
    w,
    b: new Float32Array(I * F),
    importance: new Float32Array(I * F).fill(1),
    featureProbability: new Float64Array(I).fill(job.featureProbability),
  };
  const curve = trainArenaToyModel(model, () => x, {
    steps: job.steps,
    batch: N,
    lr: job.lr,
    weightDecay: job.weightDecay,
    schedule: warmupCosine(job.warmupSteps),
    logEvery: Math.max(1, Math.floor(job.steps / 50)),
    onProgress: (p) => onStep?.(p.step + 1),
  });
  const losses = Float64Array.from({ length: I }, (_, i) => curve.filter((c) => c.instance === i).at(-1)?.loss ?? NaN);
  let best = 0;
  for (let i = 1; i < I; i++) if (losses[i] < losses[best]) best = i;
  const wBest = w.slice(best * H * F, (best + 1) * H * F);
  const hidden = new Float32Array(N * H);
  for (let s = 0; s < N; s++) {
    for (let k = 0; k < H; k++) {
      let v = 0;
      for (let f = 0; f < F; f++) v += wBest[k * F + f] * x[(best * N + s) * F + f];
      hidden[s * H + k] = v;
    }
  }
  return { type: "double-descent", size: N, losses, best, w: wBest, hidden };
}

export function runToyJob(job: ToyJob, onStep?: (step: number) => void): ToyJobResult {
  return job.type === "model" ? trainModelJob(job, onStep) : trainDoubleDescentJob(job, onStep);
}
