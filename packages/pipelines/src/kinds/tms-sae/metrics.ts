/**
 * metrics: one row per SAE (metrics.arrow) and the cosine of every latent's decoder row and
 * encoder column with every true feature direction (cos.arrow), on a fresh sample of the
 * model's hidden layer:
 *
 * - loss, reconstruction, sparsity, auxiliary: the architecture's own training loss (its fused
 *   kernel, else its tfjs reference) on the evaluation sample, batch means;
 * - l0: mean number of latents with |act| > 1e-8 per sample; dead: latents active on none of the
 *   samples; dead_in_training: latents silent over the last resampling window of training;
 * - resampled: resampling events of the SAE (train-saes/resampling.arrow);
 * - mmcs (true → SAE), mmcs_sae_to_true (signed cosine, metrics/mmcs.ts), mcc (Hungarian on |cos|)
 *   of the decoder rows against the 5 columns of the model's W; mmcs_alive counts only the latents
 *   that fire on the sample.
 */
import { readIntColumn, readListColumn, listRow } from "@toy-sae/core/artifact/arrow";
import { arenaTmsHidden } from "@toy-sae/core/models/arena-tms-model";
import { cosineMatrix } from "@toy-sae/core/metrics/cosine";
import { mcc } from "@toy-sae/core/metrics/mcc";
import { mmcsSaeToTrue, mmcsTrueToSae } from "@toy-sae/core/metrics/mmcs";
import type { StepContext } from "@toy-sae/core/sae/architecture";
import { emptySaeParams } from "@toy-sae/core/sae/types";
import { tfjsLossAndGrads } from "@toy-sae/core/train/tfjs-engine";
import type { StageContext } from "../../framework/context.ts";
import { readSaes } from "../../framework/saes-io.ts";
import { readResampling } from "../../framework/training-records.ts";
import { KEY_TYPES, featureRows, modelInstance } from "./common.ts";
import type { TmsSaeConfig } from "./config.ts";

/** Columns of a [dIn, dSae] encoder as rows [dSae, dIn]. */
export function encoderRows(wEnc: ArrayLike<number>, dIn: number, dSae: number): Float64Array {
  const out = new Float64Array(dSae * dIn);
  for (let k = 0; k < dIn; k++) for (let j = 0; j < dSae; j++) out[j * dIn + k] = wEnc[k * dSae + j];
  return out;
}

export async function run(ctx: StageContext<TmsSaeConfig>): Promise<void> {
  const { config } = ctx;
  const model = modelInstance(await ctx.read("train-model", "model.arrow"), config.model.useInstance);
  const evalArt = await ctx.read("generate", "eval.arrow");
  const n = evalArt.numRows;
  const xs = readListColumn(evalArt, "x");
  const x = new Float32Array(n * model.nFeatures);
  for (let s = 0; s < n; s++) x.set(listRow(xs, s), s * model.nFeatures);
  const h = arenaTmsHidden(model, 0, x, n);
  const truth = featureRows(model);
  const F = model.nFeatures;
  const D = model.dHidden;

  const saes = readSaes(await ctx.read("train-saes", "saes.arrow"), KEY_TYPES);
  const events = readResampling(await ctx.read("train-saes", "resampling.arrow"), KEY_TYPES);
  const curves = await ctx.read("train-saes", "curves.arrow");
  const curveSae = readIntColumn(curves, "sae");
  const curveDead = readIntColumn(curves, "dead");
  const lastDead = new Map<number, number>();
  for (const [r, s] of curveSae.entries()) lastDead.set(s, curveDead[r]); // rows are in step order per SAE

  const N = saes.records.length;
  const cols = {
    loss: new Float64Array(N),
    reconstruction: new Float64Array(N),
    sparsity: new Float64Array(N),
    auxiliary: new Float64Array(N),
    l0: new Float64Array(N),
    dead: new Int32Array(N),
    dead_in_training: new Int32Array(N),
    resampled: new Int32Array(N),
    mmcs: new Float64Array(N),
    mmcs_sae_to_true: new Float64Array(N),
    mcc: new Float64Array(N),
    mmcs_alive: new Float64Array(N),
    mmcs_encoder: new Float64Array(N),
  };
  const cosRows: Array<{ sae: number; latent: number; feature: number; dec: number; enc: number }> = [];
  const archs = new Map<string, Awaited<ReturnType<typeof ctx.loadArchitecture>>>();
  for (const rec of saes.records) {
    const s = rec.index;
    if (!archs.has(rec.architecture)) archs.set(rec.architecture, await ctx.loadArchitecture(rec.architecture));
    const arch = archs.get(rec.architecture)!;
    const params = saes.paramsOf(s);
    const M = params.dSae;
    const stepCtx: StepContext<object, unknown> = {
      step: 0,
      options: rec.options,
      state: arch.createState(params, rec.options),
      hyper: Object.fromEntries(arch.hyper.map((name) => [name, Float64Array.of(rec.hyper[name])])),
      dead: new Uint8Array(M),
      active: Uint8Array.of(1),
    };
    const batch = { x: [h], batch: n, group: Int32Array.of(0) };
    const grads = emptySaeParams(params, arch.params);
    const out = arch.fused ? arch.fused(params, grads, batch, stepCtx) : tfjsLossAndGrads(arch, params, grads, batch, stepCtx);
    const frac = out.fracActive ?? out.fired;
    cols.loss[s] = rec.diverged ? NaN : out.loss[0];
    cols.reconstruction[s] = out.reconstruction[0];
    cols.sparsity[s] = out.sparsity[0];
    cols.auxiliary[s] = out.auxiliary[0];
    let l0 = 0;
    const alive: number[] = [];
    for (let j = 0; j < M; j++) {
      l0 += frac[j];
      if (frac[j] > 0) alive.push(j);
    }
    cols.l0[s] = l0;
    cols.dead[s] = M - alive.length;
    cols.dead_in_training[s] = lastDead.get(s) ?? 0;
    cols.resampled[s] = events.filter((e) => e.sae === s).length;
    const dec = cosineMatrix(params.wDec, M, truth, F, D);
    const enc = cosineMatrix(encoderRows(params.wEnc, D, M), M, truth, F, D);
    cols.mmcs[s] = mmcsTrueToSae(dec, M, F);
    cols.mmcs_sae_to_true[s] = mmcsSaeToTrue(dec, M, F);
    cols.mcc[s] = mcc(dec, M, F);
    cols.mmcs_encoder[s] = mmcsTrueToSae(enc, M, F);
    cols.mmcs_alive[s] = alive.length ? mmcsTrueToSae(Float64Array.from(alive.flatMap((j) => Array.from(dec.subarray(j * F, (j + 1) * F)))), alive.length, F) : NaN;
    for (let j = 0; j < M; j++) for (let f = 0; f < F; f++) cosRows.push({ sae: s, latent: j, feature: f, dec: dec[j * F + f], enc: enc[j * F + f] });
  }

  const key = (name: string) => saes.records.map((r) => r.key[name]);
  const seeds = { experiment: config.seed, eval: "fork(eval)" };
  await ctx.write(
    "metrics.arrow",
    {
      run: key("run") as string[],
      architecture: key("architecture") as string[],
      resampling: key("resampling") as string[],
      instance: Int32Array.from(key("instance") as number[]),
      ...cols,
      diverged: saes.records.map((r) => r.diverged),
    },
    { seeds, extra: { eval_samples: String(n), model_instance: String(config.model.useInstance) } },
  );
  await ctx.write(
    "cos.arrow",
    {
      run: cosRows.map((r) => saes.records[r.sae].key.run as string),
      instance: Int32Array.from(cosRows, (r) => saes.records[r.sae].key.instance as number),
      latent: Int32Array.from(cosRows, (r) => r.latent),
      feature: Int32Array.from(cosRows, (r) => r.feature),
      dec_cos: Float64Array.from(cosRows, (r) => r.dec),
      enc_cos: Float64Array.from(cosRows, (r) => r.enc),
    },
    { seeds },
  );
  for (const r of config.sae.runs) {
    const rows = saes.records.filter((x) => x.key.run === r.name).map((x) => x.index);
    const mean = (a: ArrayLike<number>) => rows.reduce((t, s) => t + a[s], 0) / rows.length;
    ctx.log(
      `${r.name}: mean dead ${mean(cols.dead).toFixed(2)}, resampled ${rows.reduce((t, s) => t + cols.resampled[s], 0)}, MMCS ${mean(cols.mmcs).toFixed(3)}, L0 ${mean(cols.l0).toFixed(2)}`,
    );
  }
}
