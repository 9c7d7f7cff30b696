/**
 * train-saes: the whole lr × λ × realisation × condition grid of ReLU/L1 SAEs, trained as
 * instances of one tensor program on the TMS hidden activations, one row per SAE.
 */
import { Rng } from "@toy-sae/core/random";
import { geometricMedian } from "@toy-sae/core/metrics/geometric-median";
import { emptySaeParams, type SaeParams } from "@toy-sae/core/sae/types";
import { progressReporter } from "@toy-sae/core/train/progress";
import type { StageContext } from "../stage/context.ts";
import { runChunkInWorker, splitEvenly } from "../stage/workers.ts";
import { hiddenOf, samplersFromSpec, tmsFromArtifact } from "./common.ts";
import { gridInstances, saeSteps, type ComposedGridConfig, type GridInstance } from "./config.ts";
import { trainChunk, type ChunkJob, type ChunkResult } from "./train-grid.ts";

const TRAIN_GRID = new URL("./train-grid.ts", import.meta.url);

export async function run(ctx: StageContext<ComposedGridConfig>): Promise<void> {
  const config = ctx.config;
  const spec = await ctx.read("generate", "spec.arrow");
  const tms = tmsFromArtifact(await ctx.read("train-model", "model.arrow"));
  const conditions = samplersFromSpec(spec);
  const instances = gridInstances(config);
  const steps = saeSteps(config);
  const root = new Rng(config.seed);

  // b_dec starts at the geometric median of the SAE's input (5000 model samples in the original).
  const bDecInit = conditions.map((c, k) => {
    const n = config.sae.bDecInitSamples;
    const h = hiddenOf(c.sampler.sample(root.fork(`bdec-init/${c.name}`), n), tms.w[k], n, tms.nIn, tms.nHidden);
    return geometricMedian(h, n, tms.nHidden);
  });

  const chunks = splitEvenly(instances, config.sae.engine === "fused" ? config.sae.threads : 1);
  const jobOf = (chunk: GridInstance[]): ChunkJob => ({
    config,
    conditions: conditions.map((c) => ({ name: c.name, options: c.sampler.options as ChunkJob["conditions"][number]["options"] })),
    tmsW: tms.w,
    nIn: tms.nIn,
    nHidden: tms.nHidden,
    bDecInit,
    instances: chunk,
    steps,
  });
  ctx.log(
    `${instances.length} SAEs (${conditions.length} conditions × ${config.sae.lr.length} lr × ${config.sae.l1.length} λ × ${config.sae.realisations} realisations), ` +
      `${steps} steps of ${config.sae.batch} (${(steps * config.sae.batch).toExponential(2)} samples each), engine ${config.sae.engine}, ${chunks.length} thread(s)`,
  );
  const progress = progressReporter(`${ctx.experiment}:train-saes`, steps, { unit: "instance-samples", unitsPerStep: instances.length * config.sae.batch });
  const done = new Int32Array(chunks.length);
  const results =
    chunks.length === 1
      ? [trainChunk(jobOf(chunks[0]), (step) => progress.tick(step + 1))]
      : await Promise.all(
          chunks.map((chunk, k) =>
            runChunkInWorker<ChunkJob, ChunkResult>(TRAIN_GRID, jobOf(chunk), (step) => {
              done[k] = step;
              progress.tick(Math.min(...done));
            }),
          ),
        );
  progress.done();

  // Stitch the chunks back into one instance axis.
  const I = instances.length;
  const dIn = tms.nHidden;
  const dSae = config.sae.dSae;
  const all: SaeParams = emptySaeParams({ instances: I, dIn, dSae });
  const diverged: boolean[] = [];
  const divergedAt: number[] = [];
  const curves: Array<{ g: GridInstance; c: ChunkResult["curves"][number] }> = [];
  let offset = 0;
  results.forEach((r, k) => {
    const n = chunks[k].length;
    all.wEnc.set(r.params.wEnc, offset * dIn * dSae);
    all.bEnc.set(r.params.bEnc, offset * dSae);
    all.wDec.set(r.params.wDec, offset * dSae * dIn);
    all.bDec.set(r.params.bDec, offset * dIn);
    for (let i = 0; i < n; i++) {
      diverged.push(r.diverged[i] === 1);
      divergedAt.push(r.divergedAt[i]);
    }
    for (const c of r.curves) curves.push({ g: chunks[k][c.instance], c });
    offset += n;
  });

  // The thread count does not change the numbers, so it is left out of the hash.
  const { threads: _threads, ...saeConfig } = config.sae;
  const configPart = { seed: config.seed, sae: saeConfig };
  const seeds = { experiment: config.seed, init: "fork(sae-init/r<realisation>)", data: conditions.map((c) => `fork(sae-data/${c.name})`) };
  const engine = config.sae.engine === "fused" ? "fused-cpu" : `tfjs-${ctx.backend}`;
  await ctx.write(
    "saes.arrow",
    {
      condition: instances.map((g) => g.condition),
      lr: Float64Array.from(instances, (g) => g.lr),
      l1: Float64Array.from(instances, (g) => g.l1),
      lr_index: Int32Array.from(instances, (g) => g.lrIndex),
      l1_index: Int32Array.from(instances, (g) => g.l1Index),
      instance: Int32Array.from(instances, (g) => g.realisation),
      grid_index: Int32Array.from(instances, (g) => g.instance),
      diverged: diverged,
      diverged_at: Int32Array.from(divergedAt),
      w_enc: { type: "fixedSizeList", size: dIn * dSae, values: all.wEnc },
      b_enc: { type: "fixedSizeList", size: dSae, values: all.bEnc },
      w_dec: { type: "fixedSizeList", size: dSae * dIn, values: all.wDec },
      b_dec: { type: "fixedSizeList", size: dIn, values: all.bDec },
    },
    { configPart, seeds, engine, extra: { steps: String(steps), d_in: String(dIn), d_sae: String(dSae) } },
  );
  curves.sort((a, b) => a.g.instance - b.g.instance || a.c.step - b.c.step);
  await ctx.write(
    "curves.arrow",
    {
      condition: curves.map(({ g }) => g.condition),
      lr: Float64Array.from(curves, ({ g }) => g.lr),
      l1: Float64Array.from(curves, ({ g }) => g.l1),
      instance: Int32Array.from(curves, ({ g }) => g.realisation),
      step: Int32Array.from(curves, ({ c }) => c.step),
      loss: Float64Array.from(curves, ({ c }) => c.loss),
      fvu: Float64Array.from(curves, ({ c }) => c.reconstruction),
      l1_term: Float64Array.from(curves, ({ c }) => c.sparsity),
      ghost: Float64Array.from(curves, ({ c }) => c.auxiliary),
      dead: Int32Array.from(curves, ({ c }) => c.dead),
      lr_factor: Float64Array.from(curves, ({ c }) => c.lrFactor),
    },
    { configPart, seeds, engine },
  );
  const nDiverged = diverged.filter(Boolean).length;
  ctx.log(`trained ${I} SAEs${nDiverged ? `, ${nDiverged} diverged (frozen and marked)` : ""}`);
}
