/**
 * train-model: every configuration's toy model (ARENA 1.3.1 §1; Adam, lr 1e-3, batch 1,024, a
 * fresh batch every step, importance-weighted MSE) and, when enabled, the double-descent models
 * (a fixed dataset per size, AdamW with warm-up and cosine decay, the lowest-loss of `instances`
 * kept). Jobs run on `training.threads` worker threads, the large configurations split by
 * instance; every instance has its own Rng streams, so the split changes no number.
 *
 * Outputs: model.arrow (experiment, instance, feature_probability, w [dHidden·nFeatures], b,
 * final_loss), curves.arrow (experiment, instance, step, loss), double-descent.arrow (size,
 * best instance, its loss and W, every instance's loss, the dataset's hidden points W x_j),
 * empty when the experiment is disabled.
 */
import { vectorsColumn } from "@toy-sae/core/artifact/arrow";
import type { ArenaCurvePoint } from "@toy-sae/core/models/arena-tms-train";
import { progressReporter } from "@toy-sae/core/train/progress";
import type { StageContext } from "../../framework/context.ts";
import { pool, runChunkInWorker, splitEvenly } from "../../framework/workers.ts";
import type { TmsSuperpositionConfig } from "./config.ts";
import { resolveExperiment, type ToyExperiment } from "./experiments.ts";
import { jobSteps, runToyJob, type DoubleDescentResult, type ModelJobResult, type ToyJob, type ToyJobResult } from "./toy-jobs.ts";

/** Work of a job, for ordering (largest first) and splitting: steps × batch × instances × (nFeatures · dHidden). */
function cost(job: ToyJob): number {
  if (job.type === "model") return job.experiment.steps * job.experiment.batch * job.instances.length * job.experiment.nFeatures * job.experiment.dHidden;
  return job.steps * job.size * job.instances * job.nFeatures * job.dHidden;
}

export async function run(ctx: StageContext<TmsSuperpositionConfig>): Promise<void> {
  const { seed, doubleDescent: dd } = ctx.config;
  const experiments = ctx.config.models.map(resolveExperiment);
  const threads = ctx.threads;
  const jobs: ToyJob[] = [];
  const whole = experiments.map((e) => cost({ type: "model", seed, experiment: e, instances: Array.from({ length: e.instances }, (_, i) => i) }));
  const total = whole.reduce((a, b) => a + b, 0);
  experiments.forEach((e, k) => {
    const all = Array.from({ length: e.instances }, (_, i) => i);
    // a configuration worth more than a thread's fair share is split by instance
    const parts = threads > 1 && whole[k] > total / (2 * threads) ? Math.min(e.instances, 2 * threads) : 1;
    for (const instances of splitEvenly(all, parts)) jobs.push({ type: "model", seed, experiment: e, instances });
  });
  if (dd.enabled) {
    for (const size of dd.sizes) {
      jobs.push({
        type: "double-descent",
        seed,
        size,
        nFeatures: dd.nFeatures,
        dHidden: dd.dHidden,
        instances: dd.instances,
        featureProbability: dd.featureProbability,
        steps: dd.steps,
        warmupSteps: dd.warmupSteps,
        lr: dd.lr,
        weightDecay: dd.weightDecay,
      });
    }
  }
  const order = jobs.map((_, k) => k).sort((a, b) => cost(jobs[b]) - cost(jobs[a]));
  const work = jobs.map(cost);
  const totalWork = work.reduce((a, b) => a + b, 0);
  const progress = progressReporter(`${ctx.experiment}:train-model`, 1000, { unit: "work" });
  const done = new Float64Array(jobs.length);
  const tick = (k: number, step: number) => {
    done[k] = (work[k] * step) / jobSteps(jobs[k]);
    progress.tick(Math.floor((1000 * done.reduce((a, b) => a + b, 0)) / totalWork));
  };
  ctx.log(`${jobs.length} jobs (${experiments.length} configurations${dd.enabled ? `, ${dd.sizes.length} double-descent sizes` : ""}) on ${threads} thread(s)`);
  const tasks = order.map((k) => async (): Promise<[number, ToyJobResult]> => {
    const r =
      threads === 1
        ? runToyJob(jobs[k], (step) => tick(k, step))
        : await runChunkInWorker<ToyJob, ToyJobResult>(jobs[k], (step) => tick(k, step), new URL("./model-worker.mjs", import.meta.url));
    return [k, r];
  });
  const results = new Map(await pool(tasks, threads));
  progress.done();

  // reassemble every configuration's instances in order
  const rows: Array<{ e: ToyExperiment; i: number; w: Float32Array; b: Float32Array; loss: number }> = [];
  const curve: Array<{ experiment: string; point: ArenaCurvePoint }> = [];
  for (const e of experiments) {
    const parts = jobs.flatMap((job, k) => (job.type === "model" && job.experiment.name === e.name ? [results.get(k) as ModelJobResult] : []));
    const per = e.dHidden * e.nFeatures;
    for (const part of parts) {
      part.instances.forEach((i, n) => {
        const final = part.curve.filter((c) => c.instance === i).at(-1)?.loss ?? NaN;
        rows.push({ e, i, w: part.w.slice(n * per, (n + 1) * per), b: part.b.slice(n * e.nFeatures, (n + 1) * e.nFeatures), loss: final });
      });
      for (const point of part.curve) curve.push({ experiment: e.name, point });
    }
  }
  rows.sort((a, z) => experiments.indexOf(a.e) - experiments.indexOf(z.e) || a.i - z.i);
  curve.sort(
    (a, z) =>
      experiments.findIndex((e) => e.name === a.experiment) - experiments.findIndex((e) => e.name === z.experiment) ||
      a.point.instance - z.point.instance ||
      a.point.step - z.point.step,
  );
  const seeds = { experiment: seed, init: "fork(model-init/<experiment>/<instance>)", data: "fork(model-data/<experiment>/<instance>)" };
  await ctx.write(
    "model.arrow",
    {
      experiment: rows.map((r) => r.e.name),
      instance: Int32Array.from(rows, (r) => r.i),
      model: rows.map((r) => r.e.kind),
      feature_probability: Float64Array.from(rows, (r) => r.e.featureProbability[r.i]),
      n_features: Int32Array.from(rows, (r) => r.e.nFeatures),
      d_hidden: Int32Array.from(rows, (r) => r.e.dHidden),
      w: vectorsColumn(rows.map((r) => r.w)),
      b: vectorsColumn(rows.map((r) => r.b)),
      final_loss: Float64Array.from(rows, (r) => r.loss),
    },
    { seeds, engine: "fused-cpu" },
  );
  await ctx.write(
    "curves.arrow",
    {
      experiment: curve.map((c) => c.experiment),
      instance: Int32Array.from(curve, (c) => c.point.instance),
      step: Int32Array.from(curve, (c) => c.point.step),
      loss: Float64Array.from(curve, (c) => c.point.loss),
      lr: Float64Array.from(curve, (c) => c.point.lr),
    },
    { seeds, engine: "fused-cpu" },
  );
  const ddResults = jobs.flatMap((job, k) => (job.type === "double-descent" ? [results.get(k) as DoubleDescentResult] : [])).sort((a, z) => a.size - z.size);
  await ctx.write(
    "double-descent.arrow",
    {
      size: Int32Array.from(ddResults, (r) => r.size),
      best_instance: Int32Array.from(ddResults, (r) => r.best),
      loss: Float64Array.from(ddResults, (r) => r.losses[r.best]),
      losses: vectorsColumn(ddResults.map((r) => Float32Array.from(r.losses))),
      w: vectorsColumn(ddResults.map((r) => r.w)),
      hidden: vectorsColumn(ddResults.map((r) => r.hidden)),
    },
    {
      seeds: { experiment: seed, init: "fork(dd-init/<size>/<instance>)", data: "fork(dd-data/<size>/<instance>)" },
      engine: "fused-cpu",
      extra: { n_features: String(dd.nFeatures), d_hidden: String(dd.dHidden), enabled: String(dd.enabled) },
    },
  );
  for (const e of experiments) {
    const mine = rows.filter((r) => r.e === e);
    ctx.log(`${e.name}: final loss ${mine.map((r) => r.loss.toExponential(2)).join(" ")}`);
  }
  if (ddResults.length) ctx.log(`double descent: best losses ${ddResults.map((r) => `${r.size}: ${r.losses[r.best].toExponential(2)}`).join(", ")}`);
}
