/**
 * train-model: the ReLU-output TMS model of every data condition and its loss curve. Conditions
 * with the same shape train together (one instance each); each has its own named Rng streams,
 * so grouping does not change any number.
 */
import { vectorsColumn } from "@toy-sae/core/artifact/arrow";
import { Rng } from "@toy-sae/core/random";
import { initTms, trainTms } from "@toy-sae/core/models/tms";
import { progressReporter } from "@toy-sae/core/train/progress";
import type { StageContext } from "../../framework/context.ts";
import { samplersFromSpec } from "./common.ts";
import type { ComposedGridConfig } from "./config.ts";
import { readIntColumn } from "@toy-sae/core/artifact/arrow";

export async function run(ctx: StageContext<ComposedGridConfig>): Promise<void> {
  const { model, seed } = ctx.config;
  const spec = await ctx.read("generate", "spec.arrow");
  const conditions = samplersFromSpec(spec);
  const hidden = readIntColumn(spec, "hidden");
  const C = conditions.length;
  const root = new Rng(seed);
  const shapeOf = (c: number) => `${conditions[c].sampler.nFeatures}x${hidden[c]}`;
  const groups = [...new Set(conditions.map((_, c) => shapeOf(c)))].map((shape) => conditions.flatMap((_, c) => (shapeOf(c) === shape ? [c] : [])));
  const w: Float32Array[] = new Array(C);
  const b: Float32Array[] = new Array(C);
  const curve: Array<{ condition: number; step: number; loss: number }> = [];
  const progress = progressReporter(`${ctx.experiment}:train-model`, model.steps * groups.length, { unit: "samples", unitsPerStep: model.batch });
  groups.forEach((members, g) => {
    const nIn = conditions[members[0]].sampler.nFeatures;
    const params = initTms(
      members.length,
      nIn,
      hidden[members[0]],
      members.map((c) => root.fork(`model-init/${conditions[c].name}`)),
    );
    const dataRngs = members.map((c) => root.fork(`model-data/${conditions[c].name}`));
    const points = trainTms(
      params,
      Int32Array.from(members, (_, i) => i),
      members.length,
      (i) => conditions[members[i]].sampler.sample(dataRngs[i], model.batch),
      {
        steps: model.steps,
        batch: model.batch,
        lr: model.lr,
        weightDecay: model.weightDecay,
        onProgress: (step) => progress.tick(g * model.steps + step),
      },
    );
    const per = nIn * hidden[members[0]];
    members.forEach((c, i) => {
      w[c] = params.w.slice(i * per, (i + 1) * per);
      b[c] = params.b.slice(i * nIn, (i + 1) * nIn);
    });
    for (const p of points) curve.push({ condition: members[p.instance], step: p.step, loss: p.loss });
  });
  progress.done();
  curve.sort((a, z) => a.condition - z.condition || a.step - z.step);
  const finalLoss = (c: number) => curve.filter((p) => p.condition === c).at(-1)?.loss ?? NaN;
  const seeds = { experiment: seed, init: conditions.map((c) => `fork(model-init/${c.name})`), data: conditions.map((c) => `fork(model-data/${c.name})`) };
  await ctx.write(
    "model.arrow",
    {
      condition: conditions.map((c) => c.name),
      n_in: Int32Array.from(conditions, (c) => c.sampler.nFeatures),
      n_hidden: Int32Array.from(hidden),
      w: vectorsColumn(w),
      b: vectorsColumn(b),
      final_loss: Float64Array.from({ length: C }, (_, c) => finalLoss(c)),
    },
    { seeds, engine: "fused-cpu" },
  );
  await ctx.write(
    "curves.arrow",
    { condition: curve.map((p) => conditions[p.condition].name), step: Int32Array.from(curve, (p) => p.step), loss: Float64Array.from(curve, (p) => p.loss) },
    { seeds, engine: "fused-cpu" },
  );
  for (let c = 0; c < C; c++) ctx.log(`${conditions[c].name}: final loss ${finalLoss(c).toExponential(3)}`);
}
