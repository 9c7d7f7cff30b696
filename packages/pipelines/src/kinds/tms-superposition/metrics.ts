/**
 * metrics (ARENA 1.3.1 §1; core/metrics/dimensionality.ts):
 * - features.arrow: one row per (experiment, instance, feature): its probability and importance,
 *   ‖W_i‖, dimensionality D_i = ‖W_i‖²/Σ_j(Ŵ_i·W_j)² and superposition Σ_{j≠i}(Ŵ_i·W_j)²;
 * - pairs.arrow: cos(W_a, W_b) for every feature pair of the correlated / anticorrelated
 *   configurations, with the pair's relation (correlated, anticorrelated, none);
 * - instances.arrow: per (experiment, instance): dimensions per feature D* = d_hidden/‖W‖_F²,
 *   represented features (‖W_i‖ > metrics.representedNorm), their mean superposition, the loss;
 * - double-descent.arrow: per dataset size, every feature's and every data point's norm and
 *   dimensionality in the best instance (empty when the experiment is off).
 */
import { listRow, readIntColumn, readListColumn } from "@toy-sae/core/artifact/arrow";
import { dimensionsPerFeature, featureDimensionality, featureNorms, featureSuperposition } from "@toy-sae/core/metrics/dimensionality";
import type { StageContext } from "../../framework/context.ts";
import { featureCos, pairRelation, readModels } from "./common.ts";
import type { TmsSuperpositionConfig } from "./config.ts";
import { resolveExperiment } from "./experiments.ts";

/** [rows, cols] row-major → [cols, rows]. */
function transpose(a: ArrayLike<number>, rows: number, cols: number): Float64Array {
  const out = new Float64Array(rows * cols);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[c * rows + r] = a[r * cols + c];
  return out;
}

export async function run(ctx: StageContext<TmsSuperpositionConfig>): Promise<void> {
  const { config } = ctx;
  const experiments = config.models.map(resolveExperiment);
  const models = readModels(await ctx.read("train-model", "model.arrow"));
  const threshold = config.metrics.representedNorm;

  const features: Array<{ experiment: string; instance: number; p: number; importance: number; feature: number; norm: number; dim: number; sup: number }> = [];
  const pairs: Array<{ experiment: string; instance: number; a: number; b: number; cos: number; relation: string }> = [];
  const instances: Array<{ experiment: string; instance: number; p: number; dStar: number; represented: number; meanSuperposition: number; loss: number }> = [];
  for (const m of models) {
    const e = experiments.find((x) => x.name === m.experiment);
    if (!e) throw new Error(`metrics: model.arrow has experiment ${m.experiment}, which the config does not list`);
    const { nFeatures: F, dHidden: H } = m;
    const norms = featureNorms(m.w, H, F);
    const dims = featureDimensionality(m.w, H, F);
    const sup = featureSuperposition(m.w, H, F);
    let represented = 0,
      supSum = 0;
    for (let f = 0; f < F; f++) {
      features.push({
        experiment: m.experiment,
        instance: m.instance,
        p: m.featureProbability,
        importance: e.importance[f],
        feature: f,
        norm: norms[f],
        dim: dims[f],
        sup: sup[f],
      });
      if (norms[f] > threshold) {
        represented++;
        supSum += sup[f];
      }
    }
    instances.push({
      experiment: m.experiment,
      instance: m.instance,
      p: m.featureProbability,
      dStar: dimensionsPerFeature(m.w, H, F),
      represented,
      meanSuperposition: represented ? supSum / represented : NaN,
      loss: m.finalLoss,
    });
    if (e.nCorrelatedPairs + e.nAnticorrelatedPairs > 0) {
      for (let a = 0; a < F; a++)
        for (let b = a + 1; b < F; b++)
          pairs.push({ experiment: m.experiment, instance: m.instance, a, b, cos: featureCos(m, a, b), relation: pairRelation(a, b, e.nCorrelatedPairs, e.nAnticorrelatedPairs) });
    }
  }
  const seeds = { experiment: config.seed };
  await ctx.write(
    "features.arrow",
    {
      experiment: features.map((r) => r.experiment),
      instance: Int32Array.from(features, (r) => r.instance),
      feature_probability: Float64Array.from(features, (r) => r.p),
      importance: Float64Array.from(features, (r) => r.importance),
      feature: Int32Array.from(features, (r) => r.feature),
      norm: Float64Array.from(features, (r) => r.norm),
      dimensionality: Float64Array.from(features, (r) => r.dim),
      superposition: Float64Array.from(features, (r) => r.sup),
    },
    { seeds },
  );
  await ctx.write(
    "pairs.arrow",
    {
      experiment: pairs.map((r) => r.experiment),
      instance: Int32Array.from(pairs, (r) => r.instance),
      feature_a: Int32Array.from(pairs, (r) => r.a),
      feature_b: Int32Array.from(pairs, (r) => r.b),
      cos: Float64Array.from(pairs, (r) => r.cos),
      relation: pairs.map((r) => r.relation),
    },
    { seeds },
  );
  await ctx.write(
    "instances.arrow",
    {
      experiment: instances.map((r) => r.experiment),
      instance: Int32Array.from(instances, (r) => r.instance),
      feature_probability: Float64Array.from(instances, (r) => r.p),
      dimensions_per_feature: Float64Array.from(instances, (r) => r.dStar),
      represented: Int32Array.from(instances, (r) => r.represented),
      mean_superposition: Float64Array.from(instances, (r) => r.meanSuperposition),
      final_loss: Float64Array.from(instances, (r) => r.loss),
    },
    { seeds, extra: { represented_norm: String(threshold) } },
  );

  // double descent: the best instance's features and data points
  const ddArt = await ctx.read("train-model", "double-descent.arrow");
  const sizes = readIntColumn(ddArt, "size");
  const wList = readListColumn(ddArt, "w");
  const hList = readListColumn(ddArt, "hidden");
  const F = config.doubleDescent.nFeatures;
  const H = config.doubleDescent.dHidden;
  const dd: Array<{ size: number; item: string; index: number; norm: number; dim: number }> = [];
  sizes.forEach((N, r) => {
    const w = listRow(wList, r);
    const fNorm = featureNorms(w, H, F);
    const fDim = featureDimensionality(w, H, F);
    for (let f = 0; f < F; f++) dd.push({ size: N, item: "feature", index: f, norm: fNorm[f], dim: fDim[f] });
    const points = transpose(listRow(hList, r), N, H); // [H, N]: column j is data point j in the hidden space
    const pNorm = featureNorms(points, H, N);
    const pDim = featureDimensionality(points, H, N);
    for (let j = 0; j < N; j++) dd.push({ size: N, item: "data", index: j, norm: pNorm[j], dim: pDim[j] });
  });
  await ctx.write(
    "double-descent.arrow",
    {
      size: Int32Array.from(dd, (r) => r.size),
      item: dd.map((r) => r.item),
      index: Int32Array.from(dd, (r) => r.index),
      norm: Float64Array.from(dd, (r) => r.norm),
      dimensionality: Float64Array.from(dd, (r) => r.dim),
    },
    { seeds },
  );
  for (const e of experiments) {
    const mine = instances.filter((r) => r.experiment === e.name);
    ctx.log(`${e.name}: D* ${mine.map((r) => r.dStar.toFixed(2)).join(" ")}; represented ${mine.map((r) => r.represented).join(" ")}`);
  }
}
