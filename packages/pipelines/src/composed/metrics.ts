/**
 * metrics: one row per SAE with every scalar metric (metrics.arrow) and the cosine of every
 * decoder row with every true feature direction in the hidden plane (cos.arrow).
 *
 * - loss: what the original ranks instances by, mean FVU + λ·mean Σ|a| on fresh samples
 *   (no ghost-grad cooldown);
 * - monosemanticity: Engineering Monosemanticity eq. 7 on the identity batch (h_i = W_i);
 * - mmcs (true → SAE) and mmcs_sae_to_true, mcc (Hungarian on |cos|);
 * - composed-feature diagnostics: a latent is *off-axis* when its best |cos| with a true feature
 *   is below `metrics.offAxisThreshold`, and *composed* when it is closer to a composed direction
 *   normalise(W_x + W_y) than to any true feature.
 */
import { readBoolColumn, readFloatColumn, readIntColumn, readMatrixColumn, readStringColumn } from "@toy-sae/core/artifact/arrow";
import { cosineMatrix } from "@toy-sae/core/metrics/cosine";
import { mcc } from "@toy-sae/core/metrics/mcc";
import { mmcsSaeToTrue, mmcsTrueToSae } from "@toy-sae/core/metrics/mmcs";
import { monosemanticity } from "@toy-sae/core/metrics/monosemanticity";
import { l0 as meanL0, deadLatents } from "@toy-sae/core/metrics/reconstruction";
import { encodeReluL1 } from "@toy-sae/core/sae/relu-l1/kernel";
import { emptySaeParams } from "@toy-sae/core/sae/types";
import type { StageContext } from "../stage/context.ts";
import { hiddenOf, tmsFromArtifact } from "./common.ts";
import type { ComposedGridConfig } from "./config.ts";

/** Unit-normalised composed directions W_x + W_y for every (x, y) pair of the two sets. */
export function composedDirections(w: Float32Array, n0: number, n1: number, d: number): Float64Array {
  const out = new Float64Array(n0 * n1 * d);
  for (let i = 0; i < n0; i++) {
    for (let j = 0; j < n1; j++) {
      let norm = 0;
      for (let k = 0; k < d; k++) norm += (w[i * d + k] + w[(n0 + j) * d + k]) ** 2;
      norm = Math.sqrt(norm) || 1;
      for (let k = 0; k < d; k++) out[(i * n1 + j) * d + k] = (w[i * d + k] + w[(n0 + j) * d + k]) / norm;
    }
  }
  return out;
}

export async function run(ctx: StageContext<ComposedGridConfig>): Promise<void> {
  const { metrics: options } = ctx.config;
  const spec = await ctx.read("generate", "spec.arrow");
  const evalArt = await ctx.read("generate", "eval.arrow");
  const tms = tmsFromArtifact(await ctx.read("train-model", "model.arrow"));
  const saes = await ctx.read("train-saes", "saes.arrow");

  const n0 = readIntColumn(spec, "set_size_0")[0];
  const n1 = readIntColumn(spec, "set_size_1")[0];
  const nF = tms.nIn;
  const d = tms.nHidden;
  const evalCond = readStringColumn(evalArt, "condition");
  const evalX = readMatrixColumn(evalArt, "x", nF).values;

  const condition = readStringColumn(saes, "condition");
  const lr = readFloatColumn(saes, "lr");
  const l1 = readFloatColumn(saes, "l1");
  const realisation = readIntColumn(saes, "instance");
  const diverged = readBoolColumn(saes, "diverged");
  const dSae = Number(saes.metadata["d_sae"]);
  const N = condition.length;
  const params = emptySaeParams({ instances: N, dIn: d, dSae });
  params.wEnc.set(readMatrixColumn(saes, "w_enc", d * dSae).values);
  params.bEnc.set(readMatrixColumn(saes, "b_enc", dSae).values);
  params.wDec.set(readMatrixColumn(saes, "w_dec", dSae * d).values);
  params.bDec.set(readMatrixColumn(saes, "b_dec", d).values);

  // Evaluation inputs per condition: h = x·W on the generate stage's held-out sample.
  const evalH = new Map<string, { h: Float32Array; n: number }>();
  tms.conditions.forEach((name, c) => {
    const rows = evalCond.flatMap((v, r) => (v === name ? [r] : []));
    const x = new Float32Array(rows.length * nF);
    rows.forEach((r, k) => x.set(evalX.subarray(r * nF, (r + 1) * nF), k * nF));
    evalH.set(name, { h: hiddenOf(x, tms.w[c], rows.length, nF, d), n: rows.length });
  });

  const cols = {
    loss: new Float64Array(N),
    fvu: new Float64Array(N),
    l1_term: new Float64Array(N),
    l0: new Float64Array(N),
    dead: new Int32Array(N),
    monosemanticity: new Float64Array(N),
    mmcs: new Float64Array(N),
    mmcs_sae_to_true: new Float64Array(N),
    mcc: new Float64Array(N),
    off_axis_latents: new Int32Array(N),
    composed_latents: new Int32Array(N),
  };
  const cosRows: Array<{ sae: number; latent: number; feature: number; cos: number }> = [];

  for (let s = 0; s < N; s++) {
    const c = tms.conditions.indexOf(condition[s]);
    const { h, n } = evalH.get(condition[s])!;
    const acts = encodeReluL1(params, s, h, n);
    let fvu = 0;
    let l1Sum = 0;
    for (let b = 0; b < n; b++) {
      let err = 0;
      let norm = 0;
      for (let k = 0; k < d; k++) {
        let v = params.bDec[s * d + k];
        for (let j = 0; j < dSae; j++) v += acts[b * dSae + j] * params.wDec[(s * dSae + j) * d + k];
        err += (v - h[b * d + k]) ** 2;
        norm += h[b * d + k] ** 2;
      }
      fvu += err / (norm === 0 ? 1 : norm);
      for (let j = 0; j < dSae; j++) l1Sum += Math.abs(acts[b * dSae + j]);
    }
    cols.fvu[s] = fvu / n;
    cols.l1_term[s] = (l1[s] * l1Sum) / n;
    cols.loss[s] = diverged[s] ? NaN : cols.fvu[s] + cols.l1_term[s];
    cols.l0[s] = meanL0(acts, n, dSae);
    cols.dead[s] = deadLatents(acts, n, dSae).length;
    // identity batch: feature i alone at 1 gives h = W_i
    cols.monosemanticity[s] = monosemanticity(encodeReluL1(params, s, tms.w[c], nF), nF, dSae);

    const decoder = params.wDec.subarray(s * dSae * d, (s + 1) * dSae * d);
    const cos = cosineMatrix(decoder, dSae, tms.w[c], nF, d); // [dSae, nF]
    cols.mmcs[s] = mmcsTrueToSae(cos, dSae, nF);
    cols.mmcs_sae_to_true[s] = mmcsSaeToTrue(cos, dSae, nF);
    cols.mcc[s] = mcc(cos, dSae, nF);
    const composedCos = cosineMatrix(decoder, dSae, composedDirections(tms.w[c], n0, n1, d), n0 * n1, d);
    for (let j = 0; j < dSae; j++) {
      let bestTrue = 0;
      for (let f = 0; f < nF; f++) bestTrue = Math.max(bestTrue, Math.abs(cos[j * nF + f]));
      let bestComposed = -Infinity;
      for (let q = 0; q < n0 * n1; q++) bestComposed = Math.max(bestComposed, composedCos[j * n0 * n1 + q]);
      if (bestTrue < options.offAxisThreshold) cols.off_axis_latents[s] += 1;
      if (bestComposed > bestTrue) cols.composed_latents[s] += 1;
      for (let f = 0; f < nF; f++) cosRows.push({ sae: s, latent: j, feature: f, cos: cos[j * nF + f] });
    }
  }

  // Per grid cell: the lowest-loss instance (what the original plots in black) and the most monosemantic.
  const best = new Array<boolean>(N).fill(false);
  const mostMono = new Array<boolean>(N).fill(false);
  const cellKey = (s: number) => `${condition[s]}|${lr[s]}|${l1[s]}`;
  const cells = new Map<string, number[]>();
  for (let s = 0; s < N; s++) cells.set(cellKey(s), [...(cells.get(cellKey(s)) ?? []), s]);
  for (const members of cells.values()) {
    const alive = members.filter((s) => !diverged[s]);
    if (alive.length === 0) continue;
    best[alive.reduce((a, b) => (cols.loss[b] < cols.loss[a] ? b : a))] = true;
    mostMono[alive.reduce((a, b) => (cols.monosemanticity[b] > cols.monosemanticity[a] ? b : a))] = true;
  }

  const configPart = { metrics: options };
  const seeds = { experiment: ctx.config.seed };
  await ctx.write(
    "metrics.arrow",
    {
      condition,
      lr,
      l1,
      instance: realisation,
      lr_index: readIntColumn(saes, "lr_index"),
      l1_index: readIntColumn(saes, "l1_index"),
      ...cols,
      diverged,
      best_in_cell: best,
      most_mono_in_cell: mostMono,
    },
    { configPart, seeds, extra: { eval_samples_per_condition: String(evalH.get(condition[0])?.n ?? 0), d_sae: String(dSae) } },
  );
  await ctx.write(
    "cos.arrow",
    {
      condition: cosRows.map((r) => condition[r.sae]),
      lr: Float64Array.from(cosRows, (r) => lr[r.sae]),
      l1: Float64Array.from(cosRows, (r) => l1[r.sae]),
      instance: Int32Array.from(cosRows, (r) => realisation[r.sae]),
      latent: Int32Array.from(cosRows, (r) => r.latent),
      feature: Int32Array.from(cosRows, (r) => r.feature),
      cos: Float64Array.from(cosRows, (r) => r.cos),
    },
    { configPart, seeds },
  );
  ctx.log(`${N} SAEs evaluated; ${best.filter(Boolean).length} grid cells`);
}
