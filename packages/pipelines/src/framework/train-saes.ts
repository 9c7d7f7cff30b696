/**
 * train-saes, the same for every kind: the kind plans its SAEs; the framework groups them into
 * families that one trainer call can take (same architecture, options, recipe, shape, length and
 * settings), splits each family over the worker threads, trains every chunk with the one
 * trainer, and writes saes.arrow and curves.arrow (saes-io.ts) in the plan's order.
 */
import { configHash, type JsonValue } from "@toy-sae/core/artifact/provenance";
import { valueAt } from "@toy-sae/core/checked";
import { resolveArchitectureOptions } from "@toy-sae/core/sae/load";
import type { AnyArchitecture } from "@toy-sae/core/sae/architecture";
import { emptySaeParams, paramTensor, type SaeParams } from "@toy-sae/core/sae/types";
import { progressReporter } from "@toy-sae/core/train/progress";
import type { CurvePoint, GradientEngine } from "@toy-sae/core/train/trainer";
import type { StageContext } from "./context.ts";
import type { ExperimentConfigBase, PlannedSae, TrainSaesModule } from "./kind.ts";
import { curvesColumns, saesColumns, type TrainedSae } from "./saes-io.ts";
import { resamplingColumns, snapshotsColumns, type ResamplingRecord, type SnapshotRecord } from "./training-records.ts";
import { trainerSettings } from "@toy-sae/core/train/recipes/load";
import { trainChunk, type ChunkJob, type ChunkResult } from "./train-chunk.ts";
import { pool, runChunkInWorker, splitEvenly } from "./workers.ts";
import type { JsonObject } from "./experiment-config.ts";

export async function runTrainSaes<C extends ExperimentConfigBase>(ctx: StageContext<C>, kind: string, module: TrainSaesModule<C>, snapshot: JsonObject): Promise<void> {
  const plan = await module.plan(ctx);
  const { saes } = plan;
  const [lead] = saes;
  if (!lead) {
    // a kind whose experiments train no SAE (e.g. tms-superposition): empty files keep the stage chain uniform
    await ctx.write("saes.arrow", saesColumns(plan.keyTypes, []), { seeds: plan.seeds, extra: { key_columns: JSON.stringify(plan.keyTypes) } });
    await ctx.write("curves.arrow", curvesColumns(plan.keyTypes, [], []), { seeds: plan.seeds, extra: { key_columns: JSON.stringify(plan.keyTypes) } });
    ctx.log("the plan has no SAEs: nothing to train (empty saes.arrow and curves.arrow)");
    return;
  }
  const engine: GradientEngine = typeof snapshot.sae === "object" && snapshot.sae !== null && !Array.isArray(snapshot.sae) && snapshot.sae.engine === "tfjs" ? "tfjs" : "fused";

  // architectures and their options, validated once per distinct (architecture, options)
  const archs = new Map<string, AnyArchitecture>();
  const resolved = new Map<string, Record<string, JsonValue>>();
  // what the trainer records beyond the curves: resampling events where any SAE's settings have the key, snapshots where any takes them
  let recordsResampling = false;
  let recordsSnapshots = false;
  for (const s of saes) {
    if (!archs.has(s.architecture)) archs.set(s.architecture, await ctx.loadArchitecture(s.architecture));
    const settings = trainerSettings(await ctx.loadRecipe(s.recipe), engine, s.settings);
    recordsResampling ||= settings.resampling !== undefined && s.steps > 0;
    recordsSnapshots ||= !!settings.snapshotEvery && s.steps > 0;
    const id = `${s.architecture}|${JSON.stringify(s.options)}`;
    if (!resolved.has(id)) {
      const r = resolveArchitectureOptions<Record<string, JsonValue>>(archs.get(s.architecture) as AnyArchitecture, s.options, `${s.architecture} options`);
      if (r.problems.length) throw new Error(`train-saes: ${r.problems.join("; ")}`);
      resolved.set(id, r.options);
    }
  }
  const optionsOf = (s: PlannedSae) => resolved.get(`${s.architecture}|${JSON.stringify(s.options)}`) as Record<string, JsonValue>;

  // families (one trainer call each), in order of first appearance, each split over the threads
  const families = new Map<string, { first: PlannedSae; indices: number[] }>();
  for (const [index, s] of saes.entries()) {
    const family = JSON.stringify([s.architecture, optionsOf(s), s.recipe, s.dIn, s.dSae, s.steps, s.batch, s.settings ?? {}, s.logEvery ?? null]);
    const known = families.get(family);
    if (known) known.indices.push(index);
    else families.set(family, { first: s, indices: [index] });
  }
  const threads = engine === "fused" ? ctx.threads : 1;
  // a chunk: plan indices of SAEs of one family (so one options object), trained as one instance axis
  const chunks = [...families.values()].flatMap(({ first, indices }) =>
    splitEvenly(indices, first.steps > 0 ? threads : 1).map((chunk) => ({ options: optionsOf(first), indices: chunk, saes: chunk.map((i) => valueAt(saes, i, "planned SAEs")) })),
  );
  const jobOf = (chunk: (typeof chunks)[number]): ChunkJob => ({
    kind,
    seed: ctx.config.seed,
    engine,
    backend: ctx.backend,
    options: chunk.options,
    saes: chunk.saes,
    shared: plan.shared,
  });

  const trained = saes.filter((s) => s.steps > 0).length;
  const maxSteps = Math.max(1, ...saes.map((s) => s.steps));
  ctx.log(
    `${saes.length} SAEs (${trained} trained, up to ${maxSteps} steps), ${families.size} famil${families.size === 1 ? "y" : "ies"}, ` +
      `engine ${engine}, ${Math.min(threads, chunks.length)} thread(s), ${chunks.length} chunk(s)`,
  );
  // progress in training steps: instance-steps done, averaged over the trained SAEs
  const batch = lead.batch;
  const progress = progressReporter(`${ctx.experiment}:train-saes`, maxSteps, { unit: "instance-samples", unitsPerStep: batch * Math.max(1, trained) });
  const done = new Float64Array(chunks.length);
  const tick = (k: number, instances: number, step: number) => {
    done[k] = step * instances;
    progress.tick(Math.floor(done.reduce((a, b) => a + b, 0) / Math.max(1, trained)));
  };
  const results: ChunkResult[] =
    threads === 1
      ? await sequential(chunks.map((chunk, k) => () => trainChunk(jobOf(chunk), module as TrainSaesModule<unknown>, (step) => tick(k, chunk.indices.length, step + 1))))
      : await pool(
          chunks.map((chunk, k) => () => runChunkInWorker<ChunkJob, ChunkResult>(jobOf(chunk), (step) => tick(k, chunk.indices.length, step))),
          threads,
        );
  progress.done();

  // stitch the chunks back into the plan's order
  const out = new Array<TrainedSae>(saes.length);
  const curves: Array<{ sae: number; c: CurvePoint }> = [];
  const events: ResamplingRecord[] = [];
  const snapshots: SnapshotRecord[] = [];
  const instanceOf = (params: SaeParams, arch: AnyArchitecture, i: number, n: number, dIn: number, dSae: number): SaeParams => {
    const one = emptySaeParams({ instances: 1, dIn, dSae }, arch.params);
    for (const spec of arch.params) {
      const all = paramTensor(params, spec.name);
      const per = all.length / n;
      paramTensor(one, spec.name).set(all.subarray(i * per, (i + 1) * per));
    }
    return one;
  };
  for (const [k, chunk] of chunks.entries()) {
    const r = valueAt(results, k, "chunk results");
    const n = chunk.indices.length;
    for (const [i, index] of chunk.indices.entries()) {
      const s = valueAt(chunk.saes, i, "chunk SAEs");
      // the trainer returns one value per instance of the chunk (i < n)
      const one = <T>(values: ArrayLike<T>, what: string): T => valueAt(values, i, `chunk ${k}: ${what}`);
      const arch = archs.get(s.architecture) as AnyArchitecture;
      const params = instanceOf(r.params, arch, i, n, s.dIn, s.dSae);
      for (const snap of r.snapshots) snapshots.push({ sae: index, step: snap.step, arch, params: instanceOf(snap.params, arch, i, n, s.dIn, s.dSae) });
      out[index] = {
        planned: s,
        arch,
        options: optionsOf(s),
        params,
        diverged: one(r.diverged, "diverged") === 1,
        divergedReason: r.divergedReason[i] ?? "",
        divergedAt: one(r.divergedAt, "divergedAt"),
        inputScale: one(r.inputScale, "inputScale"),
        finalHyper: Object.fromEntries(Object.entries(r.finalHyper).map(([h, v]) => [h, one(v, `final ${h}`)])),
        summary: Object.fromEntries(Object.entries(r.summary).map(([name, v]) => [name, one(v, `summary ${name}`)])),
      };
    }
    for (const c of r.curves) curves.push({ sae: valueAt(chunk.indices, c.instance, "curve point instance"), c });
    for (const e of r.resampling) events.push({ sae: valueAt(chunk.indices, e.instance, "resampling event instance"), step: e.step, latent: e.latent });
  }
  curves.sort((a, b) => a.sae - b.sae || a.c.step - b.c.step);
  events.sort((a, b) => a.sae - b.sae || a.step - b.step || a.latent - b.latent);
  snapshots.sort((a, b) => a.sae - b.sae || a.step - b.step);

  const keyTypes = plan.keyTypes;
  saes.forEach((s, r) => {
    const names = Object.keys(s.key);
    if (names.length !== Object.keys(keyTypes).length || names.some((n) => !(n in keyTypes))) {
      throw new Error(`train-saes: SAE ${r} has key columns ${names.join(", ")}; the plan declares ${Object.keys(keyTypes).join(", ")}`);
    }
  });
  const engineName = engine === "fused" ? "fused-cpu" : `tfjs-${ctx.backend}`;
  const shapes = new Set(saes.map((s) => `${s.dIn}x${s.dSae}`));
  const extra: Record<string, string> = { key_columns: JSON.stringify(keyTypes), batch: String(batch), steps: String(maxSteps) };
  if (shapes.size === 1) Object.assign(extra, { d_in: String(lead.dIn), d_sae: String(lead.dSae) });
  // every table of the stage: one row (or run of rows) per SAE, keyed alike, with the same provenance
  const keys = saes.map((s) => s.key);
  const meta = { seeds: plan.seeds, engine: engineName, extra };
  await ctx.write("saes.arrow", saesColumns(keyTypes, out), meta);
  await ctx.write("curves.arrow", curvesColumns(keyTypes, keys, curves), meta);
  if (recordsResampling) await ctx.write("resampling.arrow", resamplingColumns(keyTypes, keys, events), meta);
  if (recordsSnapshots) await ctx.write("snapshots.arrow", snapshotsColumns(keyTypes, keys, snapshots), meta);
  const reasons = out.filter((s) => s.diverged).map((s) => s.divergedReason);
  const tally = [...new Set(reasons)].map((r) => `${reasons.filter((x) => x === r).length} ${r}`).join(", ");
  ctx.log(
    `trained ${trained} SAEs, ${saes.length - trained} kept as initialised${reasons.length ? `; ${reasons.length} diverged (${tally}), marked and left out of every finding` : ""}${recordsResampling ? `, ${events.length} latents resampled` : ""}; config ${configHash(ctx.config).slice(0, 12)}`,
  );
}

async function sequential<T>(tasks: Array<() => Promise<T>>): Promise<T[]> {
  const out: T[] = [];
  for (const t of tasks) out.push(await t());
  return out;
}
