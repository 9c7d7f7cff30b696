/**
 * metrics: every SAE evaluated on the generate stage's held-out sample of its data condition,
 * embedded by its toy-model variant.
 *   metrics.arrow      one row per SAE: run, k, rho, seed, true L0, L0, dead, shrinkage,
 *                      variance explained, feature mixing, MSE, pairwise cosines, …
 *   cos.arrow          run, k, rho, seed, latent, feature, enc_cos, dec_cos
 *   projections.arrow  s_n^dec for every n (long): run, k, rho, seed, n, s_n
 *   forced-k.arrow     MSE of a trained SAE forced to a lower k vs SAEs trained at that k
 *   conditions.arrow   per data condition: true L0 and the firing correlation of feature 0 with the others
 */
import { readMatrixColumn, readStringColumn } from "@toy-sae/core/artifact/arrow";
import { saeDecode } from "@toy-sae/core/sae/shared/saelens-base";
import { embedFeatures } from "@toy-sae/core/models/orthogonal-embedding";
import type { AnyArchitecture } from "@toy-sae/core/sae/architecture";
import type { StageContext } from "../../framework/context.ts";
import { keyColumns, modelsFromArtifact, saeKeys, saeSetFromArtifact, sameValue, type SaeKey } from "./common.ts";
import type { SparseButWrongConfig } from "./config.ts";
import { encode, evaluateSae, meanFiringCorrelation, mseOf, trueL0WithError, type EvalInput, type EvalSae, type SaeEvaluation } from "./metrics-eval.ts";

export async function run(ctx: StageContext<SparseButWrongConfig>): Promise<void> {
  const { metrics: options } = ctx.config;
  const evalArt = await ctx.read("generate", "eval.arrow");
  const models = modelsFromArtifact(await ctx.read("train-model", "model.arrow"));
  const saes = await ctx.read("train-saes", "saes.arrow");
  const keys = saeKeys(saes);
  const set = saeSetFromArtifact(saes);
  const params = set.stacked();
  const archs = new Map<string, AnyArchitecture>();
  for (const r of set.records) if (!archs.has(r.architecture)) archs.set(r.architecture, await ctx.loadArchitecture(r.architecture));
  const N = models.nFeatures;
  const D = models.hidden;
  const M = params.dSae;

  // Held-out features per condition, and x = features·E per (condition, model variant).
  const evalCondition = readStringColumn(evalArt, "condition");
  const evalFeatures = readMatrixColumn(evalArt, "features", N).values;
  const featuresOf = new Map<string, Float32Array>();
  for (const name of new Set(evalCondition)) {
    const rows = evalCondition.flatMap((v, r) => (v === name ? [r] : []));
    const f = new Float32Array(rows.length * N);
    for (const [k, r] of rows.entries()) f.set(evalFeatures.subarray(r * N, (r + 1) * N), k * N);
    featuresOf.set(name, f);
  }
  const inputs = new Map<string, EvalInput>();
  const inputOf = (key: SaeKey): EvalInput => {
    const id = `${key.condition}|${key.model}`;
    let input = inputs.get(id);
    if (!input) {
      const features = featuresOf.get(key.condition);
      const embedding = models.embedding.get(key.model);
      if (!features || !embedding) throw new Error(`metrics: no evaluation sample for condition ${key.condition} or no model ${key.model}`);
      const n = features.length / N;
      input = { features, x: embedFeatures(features, embedding, N, D), n, embedding, nFeatures: N };
      inputs.set(id, input);
    }
    return input;
  };
  const trueL0 = new Map([...featuresOf].map(([name, f]) => [name, trueL0WithError(f, f.length / N, N)]));

  // a transition leaves int(k(steps)); without one k stays as configured (fractional allowed)
  const evalSaeOf = (s: number): EvalSae => ({
    params,
    instance: s,
    arch: archs.get(set.records[s].architecture) as AnyArchitecture,
    options: set.records[s].options,
    hyper: set.records[s].hyper,
  });
  const mixing = { latents: options.mixingLatents, feature: options.mixingFeature };
  const started = performance.now();
  const results: SaeEvaluation[] = keys.map((key, s) => {
    const r = evaluateSae(evalSaeOf(s), inputOf(key), mixing);
    if ((s + 1) % 20 === 0) ctx.log(`evaluated ${s + 1}/${keys.length} SAEs (${((performance.now() - started) / 1000).toFixed(0)} s)`);
    return r;
  });

  const S = keys.length;
  const all = keys.map((_, s) => s);
  const f64 = (f: (r: SaeEvaluation, s: number) => number) => Float64Array.from(results, f);
  const configPart = { metrics: options };
  const seeds = { experiment: ctx.config.seed };
  const extra = { eval_samples: String(inputOf(keys[0]).n), d_sae: String(M), d_in: String(D), n_features: String(N) };
  await ctx.write(
    "metrics.arrow",
    {
      ...keyColumns(keys, all, (s) => s),
      architecture: keys.map((k) => k.architecture),
      condition: keys.map((k) => k.condition),
      model: keys.map((k) => k.model),
      init: keys.map((k) => k.init),
      trained: keys.map((k) => k.trained),
      final_k: Float64Array.from(keys, (k) => k.finalK),
      k_from: Float64Array.from(keys, (k) => k.kFrom),
      true_l0: f64((r) => r.trueL0),
      true_l0_se: Float64Array.from(keys, (k) => trueL0.get(k.condition)?.se ?? NaN),
      l0: f64((r) => r.l0),
      dead: Int32Array.from(results, (r) => r.dead),
      shrinkage: f64((r) => r.shrinkage),
      variance_explained: f64((r) => r.varianceExplained),
      mse: f64((r) => r.mse),
      feature_mixing: f64((r) => r.featureMixing),
      pairwise_dec_cos: f64((r) => r.pairwiseDecoderCos),
      pairwise_enc_cos: f64((r) => r.pairwiseEncoderCos),
      diagonal_cos: f64((r) => r.diagonalCos),
      mmcs: f64((r) => r.mmcs),
      diverged: keys.map((k) => k.diverged),
    },
    { configPart, seeds, extra },
  );

  const cosRows = all.flatMap((s) => Array.from({ length: M * N }, (_, e) => ({ s, latent: Math.floor(e / N), feature: e % N })));
  await ctx.write(
    "cos.arrow",
    {
      ...keyColumns(keys, cosRows, (r) => r.s),
      latent: Int32Array.from(cosRows, (r) => r.latent),
      feature: Int32Array.from(cosRows, (r) => r.feature),
      enc_cos: Float64Array.from(cosRows, (r) => results[r.s].encCos[r.latent * N + r.feature]),
      dec_cos: Float64Array.from(cosRows, (r) => results[r.s].decCos[r.latent * N + r.feature]),
    },
    { configPart, seeds, extra },
  );

  const projRows = all.flatMap((s) => Array.from({ length: M }, (_, n) => ({ s, n })));
  await ctx.write(
    "projections.arrow",
    {
      ...keyColumns(keys, projRows, (r) => r.s),
      n: Int32Array.from(projRows, (r) => r.n),
      s_n: Float64Array.from(projRows, (r) => results[r.s].projections[r.n]),
    },
    { configPart, seeds, extra },
  );

  // A trained SAE forced to a lower k at evaluation, against the SAEs of the same run trained at that k.
  const forced: Array<{ s: number; toK: number; forcedMse: number; trainedMse: number }> = [];
  for (const f of options.forcedK ?? []) {
    for (const s of all.filter((s) => keys[s].run === f.run && keys[s].k === f.fromK && Number.isNaN(keys[s].kFrom))) {
      const input = inputOf(keys[s]);
      for (const toK of f.toK) {
        const acts = encode(evalSaeOf(s), input.x, input.n, { k: toK });
        const forcedMse = mseOf(saeDecode(params, s, acts, input.n), input.x, input.n);
        const twin = all.find(
          (t) => keys[t].run === f.run && keys[t].k === toK && keys[t].seed === keys[s].seed && sameValue(keys[t].rho, keys[s].rho) && Number.isNaN(keys[t].kFrom),
        );
        forced.push({ s, toK, forcedMse, trainedMse: twin === undefined ? NaN : results[twin].mse });
      }
    }
  }
  await ctx.write(
    "forced-k.arrow",
    {
      ...keyColumns(keys, forced, (r) => r.s),
      to_k: Float64Array.from(forced, (r) => r.toK),
      mse_forced: Float64Array.from(forced, (r) => r.forcedMse),
      mse_trained: Float64Array.from(forced, (r) => r.trainedMse),
    },
    { configPart, seeds, extra },
  );
  // per data condition: the true L0 and how strongly feature 0's firing correlates with the others'
  const condNames = [...featuresOf.keys()];
  await ctx.write(
    "conditions.arrow",
    {
      condition: condNames,
      true_l0: Float64Array.from(condNames, (c) => trueL0.get(c)?.mean ?? NaN),
      true_l0_se: Float64Array.from(condNames, (c) => trueL0.get(c)?.se ?? NaN),
      firing_corr_feature0: Float64Array.from(condNames, (c) => {
        const f = featuresOf.get(c) as Float32Array;
        return meanFiringCorrelation(f, f.length / N, N, options.mixingFeature);
      }),
    },
    { configPart, seeds, extra },
  );
  const conditionsSeen = [...trueL0].map(([name, t]) => `${name}: ${t.mean.toFixed(3)} ± ${t.se.toFixed(3)}`);
  ctx.log(
    `${S} SAEs evaluated on ${inputOf(keys[0]).n} samples per condition in ${((performance.now() - started) / 1000).toFixed(1)} s; true L0 ${conditionsSeen.slice(0, 4).join(", ")}${conditionsSeen.length > 4 ? ", …" : ""}`,
  );
}
