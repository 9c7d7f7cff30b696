/**
 * train-saes: every run group of the experiment expanded into one instance axis (run → ρ →
 * seed → k or L0 coefficient) and trained as instances of one batched program with the
 * SAELens 6.11.1 trainer, split over worker threads; one row per SAE in saes.arrow.
 */
import { emptySaeParams } from "@toy-sae/core/sae/types";
import type { CurvePoint as SaeLensCurvePoint } from "@toy-sae/core/train/trainer";
import { progressReporter } from "@toy-sae/core/train/progress";
import type { StageContext } from "../stage/context.ts";
import { pool, runChunkInWorker, splitEvenly } from "../stage/workers.ts";
import { conditionsFromSpec, modelsFromArtifact } from "./common.ts";
import { saeSteps, sbwInstances, type SbwInstance, type SparseButWrongConfig } from "./config.ts";
import { familyKey, trainChunk, type ChunkJob, type ChunkResult } from "./train-grid.ts";

const TRAIN_GRID = new URL("./train-grid.ts", import.meta.url);

export async function run(ctx: StageContext<SparseButWrongConfig>): Promise<void> {
  const config = ctx.config;
  const { sae } = config;
  const conditions = conditionsFromSpec(
    await ctx.read("generate", "spec.arrow"),
    await ctx.read("generate", "features.arrow"),
    await ctx.read("generate", "correlation.arrow"),
  );
  const models = modelsFromArtifact(await ctx.read("train-model", "model.arrow"));
  const instances = sbwInstances(config);
  const steps = saeSteps(config);
  const dIn = models.hidden;
  const dSae = sae.dSae;

  // Chunks: instances of one family (one trainer call each), split evenly over the threads.
  const families = new Map<string, SbwInstance[]>();
  for (const g of instances) families.set(familyKey(g), [...(families.get(familyKey(g)) ?? []), g]);
  const threads = sae.engine === "fused" ? sae.threads : 1;
  const chunks = [...families.values()].flatMap((members) => splitEvenly(members, members[0].trained ? threads : 1));
  const jobOf = (chunk: SbwInstance[]): ChunkJob => ({
    seed: config.seed,
    dIn,
    dSae,
    nFeatures: models.nFeatures,
    batch: sae.batch,
    steps: chunk[0].trained ? steps : 0,
    deadWindow: sae.deadWindow,
    normEstimateBatches: sae.normEstimateBatches,
    engine: sae.engine,
    instances: chunk,
    conditions: Object.fromEntries(conditions.map((c) => [c.name, c.options])),
    embeddings: Object.fromEntries(models.embedding),
  });
  const trained = instances.filter((g) => g.trained).length;
  ctx.log(
    `${instances.length} SAEs (${sae.runs.map((r) => `${r.name}: ${instances.filter((g) => g.run === r.name).length}`).join(", ")}), ` +
      `${steps} steps of ${sae.batch} (${(steps * sae.batch).toExponential(3)} samples each; ${trained} trained), engine ${sae.engine}, ${Math.min(threads, chunks.length)} thread(s), ${chunks.length} chunk(s)`,
  );
  // Progress in training steps: instance-steps done, averaged over the trained instances.
  const progress = progressReporter(`${ctx.experiment}:train-saes`, Math.max(1, steps), { unit: "instance-samples", unitsPerStep: sae.batch * Math.max(1, trained) });
  const done = new Float64Array(chunks.length);
  const tick = (k: number, step: number) => {
    done[k] = step * chunks[k].length;
    progress.tick(Math.floor(done.reduce((a, b) => a + b, 0) / Math.max(1, trained)));
  };
  const results =
    threads === 1
      ? chunks.map((chunk, k) => trainChunk(jobOf(chunk), (step) => tick(k, step + 1)))
      : await pool(chunks.map((chunk, k) => () => runChunkInWorker<ChunkJob, ChunkResult>(TRAIN_GRID, jobOf(chunk), (step) => tick(k, step))), threads);
  progress.done();

  // Stitch the chunks back into the instance axis order.
  const I = instances.length;
  const all = emptySaeParams({ instances: I, dIn, dSae });
  const logThreshold = new Float32Array(I * dSae);
  const perInstance = {
    diverged: new Array<boolean>(I),
    divergedAt: new Int32Array(I),
    inputScale: new Float64Array(I),
    topkThreshold: new Float64Array(I),
    finalK: new Float64Array(I),
  };
  const curves: Array<{ g: SbwInstance; c: SaeLensCurvePoint }> = [];
  results.forEach((r, k) => {
    chunks[k].forEach((g, i) => {
      const at = g.instance;
      all.wEnc.set(r.params.wEnc.subarray(i * dIn * dSae, (i + 1) * dIn * dSae), at * dIn * dSae);
      all.bEnc.set(r.params.bEnc.subarray(i * dSae, (i + 1) * dSae), at * dSae);
      all.wDec.set(r.params.wDec.subarray(i * dSae * dIn, (i + 1) * dSae * dIn), at * dSae * dIn);
      all.bDec.set(r.params.bDec.subarray(i * dIn, (i + 1) * dIn), at * dIn);
      logThreshold.set(r.logThreshold.subarray(i * dSae, (i + 1) * dSae), at * dSae);
      perInstance.diverged[at] = r.diverged[i] === 1;
      perInstance.divergedAt[at] = r.divergedAt[i];
      perInstance.inputScale[at] = r.inputScale[i];
      perInstance.topkThreshold[at] = r.topkThreshold[i];
      perInstance.finalK[at] = r.finalK[i];
    });
    for (const c of r.curves) curves.push({ g: chunks[k][c.instance], c });
  });

  // The thread count does not change the numbers, so it is left out of the hash.
  const { threads: _threads, ...saeConfig } = sae;
  const configPart = { seed: config.seed, sae: saeConfig };
  const seeds = { experiment: config.seed, init: "fork(sae-init/<run>/seed<seed>)", data: "fork(sae-data/<run>/<condition>/<model>/seed<seed>)" };
  const engine = sae.engine === "fused" ? "fused-cpu" : `tfjs-${ctx.backend}`;
  await ctx.write(
    "saes.arrow",
    {
      run: instances.map((g) => g.run),
      architecture: instances.map((g) => g.architecture),
      k: Float64Array.from(instances, (g) => g.k),
      l0_coefficient: Float64Array.from(instances, (g) => g.l0Coefficient),
      rho: Float64Array.from(instances, (g) => g.rho),
      condition: instances.map((g) => g.condition),
      model: instances.map((g) => g.model),
      seed: Int32Array.from(instances, (g) => g.seed),
      init: instances.map((g) => g.init),
      trained: instances.map((g) => g.trained),
      lr: Float64Array.from(instances, (g) => g.lr),
      k_from: Float64Array.from(instances, (g) => g.kTransition?.from ?? NaN),
      final_k: perInstance.finalK,
      instance: Int32Array.from(instances, (g) => g.instance),
      diverged: perInstance.diverged,
      diverged_at: perInstance.divergedAt,
      input_scale: perInstance.inputScale,
      topk_threshold: perInstance.topkThreshold,
      w_enc: { type: "fixedSizeList", size: dIn * dSae, values: all.wEnc },
      b_enc: { type: "fixedSizeList", size: dSae, values: all.bEnc },
      w_dec: { type: "fixedSizeList", size: dSae * dIn, values: all.wDec },
      b_dec: { type: "fixedSizeList", size: dIn, values: all.bDec },
      log_threshold: { type: "fixedSizeList", size: dSae, values: logThreshold },
    },
    { configPart, seeds, engine, extra: { steps: String(steps), d_in: String(dIn), d_sae: String(dSae), batch: String(sae.batch) } },
  );
  curves.sort((a, b) => a.g.instance - b.g.instance || a.c.step - b.c.step);
  await ctx.write(
    "curves.arrow",
    {
      run: curves.map(({ g }) => g.run),
      k: Float64Array.from(curves, ({ g }) => g.k),
      l0_coefficient: Float64Array.from(curves, ({ g }) => g.l0Coefficient),
      rho: Float64Array.from(curves, ({ g }) => g.rho),
      seed: Int32Array.from(curves, ({ g }) => g.seed),
      instance: Int32Array.from(curves, ({ g }) => g.instance),
      step: Int32Array.from(curves, ({ c }) => c.step),
      loss: Float64Array.from(curves, ({ c }) => c.loss),
      mse: Float64Array.from(curves, ({ c }) => c.reconstruction),
      sparsity: Float64Array.from(curves, ({ c }) => c.sparsity),
      aux: Float64Array.from(curves, ({ c }) => c.auxiliary),
      l0: Float64Array.from(curves, ({ c }) => c.l0),
      step_k: Float64Array.from(curves, ({ c }) => c.hyper.k ?? c.hyper.l0Coefficient),
      dead: Int32Array.from(curves, ({ c }) => c.dead),
      grad_norm: Float64Array.from(curves, ({ c }) => c.gradNorm),
    },
    { configPart, seeds, engine },
  );
  const nDiverged = perInstance.diverged.filter(Boolean).length;
  ctx.log(`trained ${trained} SAEs, ${I - trained} kept as initialised${nDiverged ? `, ${nDiverged} diverged (frozen and marked)` : ""}`);
}
