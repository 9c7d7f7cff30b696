/**
 * train-model: the ReLU-output TMS model for every data condition, trained together
 * (one instance per condition), and its loss curve.
 */
import { Rng } from "@toy-sae/core/random";
import { initTms, trainTms } from "@toy-sae/core/models/tms";
import { progressReporter } from "@toy-sae/core/train/progress";
import type { StageContext } from "../stage/context.ts";
import { samplersFromSpec } from "./common.ts";
import type { ComposedGridConfig } from "./config.ts";

export async function run(ctx: StageContext<ComposedGridConfig>): Promise<void> {
  const { model, seed } = ctx.config;
  const spec = await ctx.read("generate", "spec.arrow");
  const conditions = samplersFromSpec(spec);
  const hidden = Number(spec.column("hidden").get(0));
  const C = conditions.length;
  const nIn = conditions[0].sampler.nFeatures;
  const root = new Rng(seed);
  const params = initTms(C, nIn, hidden, conditions.map((c) => root.fork(`model-init/${c.name}`)));
  const dataRngs = conditions.map((c) => root.fork(`model-data/${c.name}`));
  const progress = progressReporter(`${ctx.experiment}:train-model`, model.steps, { unit: "samples", unitsPerStep: model.batch * C });
  const curve = trainTms(params, Int32Array.from({ length: C }, (_, i) => i), C, (g) => conditions[g].sampler.sample(dataRngs[g], model.batch), {
    steps: model.steps,
    batch: model.batch,
    lr: model.lr,
    weightDecay: model.weightDecay,
    onProgress: (step) => progress.tick(step),
  });
  progress.done();
  const seeds = { experiment: seed, init: conditions.map((c) => `fork(model-init/${c.name})`), data: conditions.map((c) => `fork(model-data/${c.name})`) };
  const configPart = { seed, model };
  await ctx.write(
    "model.arrow",
    {
      condition: conditions.map((c) => c.name),
      n_in: Int32Array.from({ length: C }, () => nIn),
      n_hidden: Int32Array.from({ length: C }, () => hidden),
      w: { type: "fixedSizeList", size: nIn * hidden, values: params.w },
      b: { type: "fixedSizeList", size: nIn, values: params.b },
      final_loss: Float64Array.from({ length: C }, (_, c) => curve.filter((p) => p.instance === c).at(-1)?.loss ?? NaN),
    },
    { configPart, seeds, engine: "fused-cpu" },
  );
  await ctx.write(
    "curves.arrow",
    {
      condition: curve.map((p) => conditions[p.instance].name),
      step: Int32Array.from(curve, (p) => p.step),
      loss: Float64Array.from(curve, (p) => p.loss),
    },
    { configPart, seeds, engine: "fused-cpu" },
  );
  for (let c = 0; c < C; c++) ctx.log(`${conditions[c].name}: final loss ${curve.filter((p) => p.instance === c).at(-1)?.loss.toExponential(3)}`);
}
