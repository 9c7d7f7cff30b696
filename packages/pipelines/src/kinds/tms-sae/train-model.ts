/**
 * train-model: the TMS model of ARENA's SAE demo (h = W x, out = ReLU(Wᵀh + b); 5 features in
 * 2 dimensions, 16 instances, p = 0.025, uniform importance), Adam lr 1e-3 over 10,000 steps of
 * 1,024 (chapter 1.3.1 §2; reference arena-toy-models.md §1–2). model.arrow holds every instance;
 * the SAEs read one of them (the original copies instance 0 to all SAE instances).
 */
import { vectorsColumn } from "@toy-sae/core/artifact/arrow";
import { Rng } from "@toy-sae/core/random";
import { createArenaTms, trainArenaToyModel } from "@toy-sae/core/models/arena-tms";
import { dimensionsPerFeature, featureNorms } from "@toy-sae/core/metrics/dimensionality";
import { progressReporter } from "@toy-sae/core/train/progress";
import { arenaBatchSampler } from "@toy-sae/generators/arena";
import type { StageContext } from "../../framework/context.ts";
import type { TmsSaeConfig } from "./config.ts";

export async function run(ctx: StageContext<TmsSaeConfig>): Promise<void> {
  const { seed, model } = ctx.config;
  const { instances: I, nFeatures: F, dHidden: H } = model;
  const root = new Rng(seed);
  const tms = createArenaTms(
    { instances: I, nFeatures: F, dHidden: H },
    { featureProbability: [model.featureProbability] },
    Array.from({ length: I }, (_, i) => root.fork(`model-init/${i}`)),
  );
  const sample = arenaBatchSampler({ instances: I, nFeatures: F, featureProbability: new Float64Array(I).fill(model.featureProbability) });
  const data = root.fork("model-data");
  const progress = progressReporter(`${ctx.experiment}:train-model`, model.steps, { unit: "samples", unitsPerStep: model.batch * I });
  const curve = trainArenaToyModel(tms, (b) => sample(b, data), {
    steps: model.steps,
    batch: model.batch,
    lr: model.lr,
    logEvery: Math.max(1, Math.floor(model.steps / 200)),
    onProgress: (p) => progress.tick(p.step),
  });
  progress.done();
  const per = H * F;
  const last = (i: number) => curve.filter((c) => c.instance === i).at(-1)?.loss ?? NaN;
  const seeds = { experiment: seed, init: "fork(model-init/<instance>)", data: "fork(model-data)" };
  const extra = { n_features: String(F), d_hidden: String(H) };
  await ctx.write(
    "model.arrow",
    {
      instance: Int32Array.from({ length: I }, (_, i) => i),
      feature_probability: new Float64Array(I).fill(model.featureProbability),
      w: vectorsColumn(Array.from({ length: I }, (_, i) => tms.w.subarray(i * per, (i + 1) * per))),
      b: vectorsColumn(Array.from({ length: I }, (_, i) => tms.b.subarray(i * F, (i + 1) * F))),
      final_loss: Float64Array.from({ length: I }, (_, i) => last(i)),
      dimensions_per_feature: Float64Array.from({ length: I }, (_, i) => dimensionsPerFeature(tms.w.subarray(i * per, (i + 1) * per), H, F)),
    },
    { seeds, engine: "fused-cpu", extra },
  );
  await ctx.write(
    "curves.arrow",
    { instance: Int32Array.from(curve, (c) => c.instance), step: Int32Array.from(curve, (c) => c.step), loss: Float64Array.from(curve, (c) => c.loss) },
    { seeds, engine: "fused-cpu", extra },
  );
  const norms = featureNorms(tms.w.subarray(0, per), H, F);
  ctx.log(`final loss ${Array.from({ length: I }, (_, i) => last(i).toExponential(2)).join(" ")}; instance 0 feature norms ${Array.from(norms, (v) => v.toFixed(2)).join(" ")}`);
}
