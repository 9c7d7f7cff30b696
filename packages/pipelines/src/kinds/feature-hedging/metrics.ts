/**
 * metrics: every SAE evaluated on its dataset's held-out sample (evaluate.ts), and the analytic
 * loss curves of the single-latent SAE (§2.6).
 *   metrics.arrow      one row per SAE: run, dataset, tree, beta, seed, sae, architecture, d_sae,
 *                      l1, k, noise, mse, variance_explained, l0, dead, b_dec_norm, mcc, f1,
 *                      precision, recall, child_enc_cos, child_dec_cos (means over the dataset's
 *                      parent → child edges; NaN without edges), absorption_gap, diverged
 *   cos.arrow          run, dataset, tree, beta, seed, sae, latent, feature, enc_cos, dec_cos
 *   bdec.arrow         run, dataset, tree, beta, seed, sae, feature, cos, norm
 *   components.arrow   per SAE and edge: parent, child, latent (the parent's), enc_cos, dec_cos
 *                      (the child's signed component), absorption_gap and its two firing rates
 *   loss-curves.arrow  setting (skew-parent / skew-child), l1, alpha, expected_loss,
 *                      parent_only_prob, parent_and_child_prob (no rows without `lossCurves`)
 * `tree` is the dataset's name for tree datasets and "" otherwise; `beta` is NaN for runs
 * without β and Infinity for detached.
 */
import { readBoolColumn, readIntColumn, readMatrixColumn, readStringColumn, type ArtifactColumns } from "@toy-sae/core/artifact/arrow";
import { LOSS_CURVE_SETTINGS, singleLatentLossCurve, type LossCurveSettingName } from "@toy-sae/core/analytic/loss-curves";
import { embedFeatures } from "@toy-sae/core/models/orthogonal-embedding";
import type { AnyArchitecture } from "@toy-sae/core/sae/architecture";
import type { StageContext } from "../../framework/context.ts";
import { readSaes } from "../../framework/saes-io.ts";
import type { FeatureHedgingConfig } from "./config.ts";
import { evaluateHedgingSae, type EvalInput, type HedgingEvaluation } from "./evaluate.ts";
import { KEY_TYPES } from "./train-saes.ts";

const mean = (xs: readonly number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : NaN);

export async function run(ctx: StageContext<FeatureHedgingConfig>): Promise<void> {
  const { config } = ctx;
  const evalArt = await ctx.read("generate", "eval.arrow");
  const spec = await ctx.read("generate", "spec.arrow");
  const edgesArt = await ctx.read("generate", "edges.arrow");
  const model = await ctx.read("train-model", "model.arrow");
  const saesArt = await ctx.read("train-saes", "saes.arrow");
  const N = readIntColumn(model, "n_features")[0];
  const D = readIntColumn(model, "hidden")[0];
  const embedding = readMatrixColumn(model, "embedding", N * D).values.slice(0, N * D);
  const isTree = new Map(readStringColumn(spec, "dataset").map((d, r) => [d, readBoolColumn(spec, "is_tree")[r]] as const));
  const edgeDataset = readStringColumn(edgesArt, "dataset");
  const edgeParent = readIntColumn(edgesArt, "parent");
  const edgeChild = readIntColumn(edgesArt, "child");

  // held-out inputs per dataset
  const evalDataset = readStringColumn(evalArt, "dataset");
  const evalFeatures = readMatrixColumn(evalArt, "features", N).values;
  const inputs = new Map<string, EvalInput>();
  for (const name of isTree.keys()) {
    const rows = evalDataset.flatMap((v, r) => (v === name ? [r] : []));
    const features = new Float32Array(rows.length * N);
    for (const [k, r] of rows.entries()) features.set(evalFeatures.subarray(r * N, (r + 1) * N), k * N);
    const edges = edgeDataset.flatMap((d, r) => (d === name ? [{ parent: edgeParent[r], child: edgeChild[r] }] : []));
    inputs.set(name, { features, x: embedFeatures(features, embedding, N, D), n: rows.length, embedding, nFeatures: N, edges });
  }

  const set = readSaes(saesArt, KEY_TYPES);
  const archs = new Map<string, AnyArchitecture>();
  for (const r of set.records) if (!archs.has(r.architecture)) archs.set(r.architecture, await ctx.loadArchitecture(r.architecture));
  const runs = new Map(config.sae.runs.map((r) => [r.name, r]));
  const started = performance.now();
  const results: HedgingEvaluation[] = set.records.map((rec) => {
    const run = runs.get(String(rec.key.run));
    const input = inputs.get(String(rec.key.dataset));
    if (!run || !input) throw new Error(`metrics: SAE ${rec.index} names run ${rec.key.run} / dataset ${rec.key.dataset}, which the config does not have; rerun train-saes`);
    const m = Math.min(rec.dSae, N);
    const ordering = run.init === "truth" ? (run.featureOrdering ?? Array.from({ length: m }, (_, j) => j)) : null;
    return evaluateHedgingSae({ params: set.paramsOf(rec.index), arch: archs.get(rec.architecture) as AnyArchitecture, options: rec.options, hyper: rec.hyper, ordering }, input);
  });

  const records = set.records;
  const S = records.length;
  const keyCols = <T>(rows: readonly T[], sae: (row: T) => number): ArtifactColumns => {
    const rec = (row: T) => records[sae(row)];
    return {
      run: rows.map((r) => String(rec(r).key.run)),
      dataset: rows.map((r) => String(rec(r).key.dataset)),
      tree: rows.map((r) => (isTree.get(String(rec(r).key.dataset)) ? String(rec(r).key.dataset) : "")),
      beta: Float64Array.from(rows, (r) => Number(rec(r).key.beta)),
      seed: Int32Array.from(rows, (r) => Number(rec(r).key.seed)),
      sae: Int32Array.from(rows, sae),
    };
  };
  const all = records.map((_, s) => s);
  const f64 = (f: (e: HedgingEvaluation) => number) => Float64Array.from(results, f);
  const configPart = { seed: config.seed, runs: config.sae.runs, lossCurves: config.lossCurves ?? null };
  const seeds = { experiment: config.seed };
  const extra = { eval_samples: String(inputs.values().next().value?.n ?? 0), n_features: String(N), d_in: String(D) };
  await ctx.write(
    "metrics.arrow",
    {
      ...keyCols(all, (s) => s),
      architecture: records.map((r) => r.architecture),
      d_sae: Int32Array.from(records, (r) => r.dSae),
      l1: Float64Array.from(records, (r) => Number(r.key.l1)),
      k: Float64Array.from(records, (r) => Number(r.key.k)),
      noise: Float64Array.from(records, (r) => Number(r.key.noise)),
      mse: f64((e) => e.mse),
      variance_explained: f64((e) => e.varianceExplained),
      l0: f64((e) => e.l0),
      dead: Int32Array.from(results, (e) => e.dead),
      b_dec_norm: f64((e) => e.bDecNorm),
      mcc: f64((e) => e.mcc),
      f1: f64((e) => e.f1),
      precision: f64((e) => e.precision),
      recall: f64((e) => e.recall),
      child_enc_cos: f64((e) => mean(e.components.map((c) => c.encoderCos))),
      child_dec_cos: f64((e) => mean(e.components.map((c) => c.decoderCos))),
      absorption_gap: f64((e) => mean(e.gaps.map((g) => g.gap).filter((g) => !Number.isNaN(g)))),
      diverged: records.map((r) => r.diverged),
    },
    { configPart, seeds, extra },
  );

  const cosRows = all.flatMap((s) => Array.from({ length: records[s].dSae * N }, (_, e) => ({ s, latent: Math.floor(e / N), feature: e % N })));
  await ctx.write(
    "cos.arrow",
    {
      ...keyCols(cosRows, (r) => r.s),
      latent: Int32Array.from(cosRows, (r) => r.latent),
      feature: Int32Array.from(cosRows, (r) => r.feature),
      enc_cos: Float64Array.from(cosRows, (r) => results[r.s].encCos[r.latent * N + r.feature]),
      dec_cos: Float64Array.from(cosRows, (r) => results[r.s].decCos[r.latent * N + r.feature]),
    },
    { configPart, seeds, extra },
  );

  const bdecRows = all.flatMap((s) => Array.from({ length: N }, (_, feature) => ({ s, feature })));
  await ctx.write(
    "bdec.arrow",
    {
      ...keyCols(bdecRows, (r) => r.s),
      feature: Int32Array.from(bdecRows, (r) => r.feature),
      cos: Float64Array.from(bdecRows, (r) => results[r.s].bDecCos[r.feature]),
      norm: Float64Array.from(bdecRows, (r) => results[r.s].bDecNorm),
    },
    { configPart, seeds, extra },
  );

  const compRows = all.flatMap((s) => results[s].components.map((c, e) => ({ s, c, g: results[s].gaps[e] })));
  await ctx.write(
    "components.arrow",
    {
      ...keyCols(compRows, (r) => r.s),
      parent: Int32Array.from(compRows, (r) => r.c.parent),
      child: Int32Array.from(compRows, (r) => r.c.child),
      latent: Int32Array.from(compRows, (r) => r.c.latent),
      enc_cos: Float64Array.from(compRows, (r) => r.c.encoderCos),
      dec_cos: Float64Array.from(compRows, (r) => r.c.decoderCos),
      absorption_gap: Float64Array.from(compRows, (r) => r.g.gap),
      fires_parent_only: Float64Array.from(compRows, (r) => r.g.firesWhenParentOnly),
      fires_parent_and_child: Float64Array.from(compRows, (r) => r.g.firesWhenParentAndChild),
    },
    { configPart, seeds, extra },
  );

  // the analytic curves of loss_curves.py: both settings × every λ
  const lc = config.lossCurves;
  const settings = lc ? (Object.keys(LOSS_CURVE_SETTINGS) as LossCurveSettingName[]) : [];
  const curves = settings.flatMap((setting) =>
    (lc?.l1 ?? []).map((l1) => ({ setting, l1, curve: singleLatentLossCurve({ ...LOSS_CURVE_SETTINGS[setting], l1, steps: lc?.steps }) })),
  );
  const points = curves.flatMap((c) => Array.from(c.curve.alpha, (alpha, i) => ({ c, alpha, loss: c.curve.expectedLoss[i] })));
  await ctx.write(
    "loss-curves.arrow",
    {
      setting: points.map((p) => p.c.setting),
      l1: Float64Array.from(points, (p) => p.c.l1),
      alpha: Float64Array.from(points, (p) => p.alpha),
      expected_loss: Float64Array.from(points, (p) => p.loss),
      parent_only_prob: Float64Array.from(points, (p) => LOSS_CURVE_SETTINGS[p.c.setting].parentOnlyProb),
      parent_and_child_prob: Float64Array.from(points, (p) => LOSS_CURVE_SETTINGS[p.c.setting].parentAndChildProb),
    },
    { configPart, seeds, extra },
  );
  for (const c of curves) ctx.log(`loss curve ${c.setting}, λ = ${c.l1}: argmin α = ${c.curve.argminAlpha.toFixed(4)}, minimum ${c.curve.minLoss.toFixed(4)}`);
  ctx.log(`${S} SAEs evaluated on ${extra.eval_samples} samples per dataset in ${((performance.now() - started) / 1000).toFixed(1)} s`);
}
