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
import { listRow, readListColumn, readStringColumn } from "@toy-sae/core/artifact/arrow";
import { cosineMatrix } from "@toy-sae/core/metrics/cosine";
import { mcc } from "@toy-sae/core/metrics/mcc";
import { mmcsSaeToTrue, mmcsTrueToSae } from "@toy-sae/core/metrics/mmcs";
import { monosemanticity } from "@toy-sae/core/metrics/monosemanticity";
import { l0 as meanL0, deadLatents } from "@toy-sae/core/metrics/reconstruction";
import type { StageContext } from "../../framework/context.ts";
import { readSaeSet } from "./saes.ts";
import { hiddenOf, samplersFromSpec, tmsFromArtifact } from "./common.ts";
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
  const specs = samplersFromSpec(await ctx.read("generate", "spec.arrow"));
  const evalArt = await ctx.read("generate", "eval.arrow");
  const models = tmsFromArtifact(await ctx.read("train-model", "model.arrow"));
  const saes = await readSaeSet(ctx);
  const arch = await ctx.loadArchitecture(ctx.config.sae.architecture);

  // Evaluation inputs per condition: h = x·W on the generate stage's held-out sample.
  const evalCond = readStringColumn(evalArt, "condition");
  const evalX = readListColumn(evalArt, "x");
  const evalH = new Map<string, { h: Float32Array; n: number }>();
  models.forEach((m) => {
    const rows = evalCond.flatMap((v, r) => (v === m.condition ? [r] : []));
    const x = new Float32Array(rows.length * m.nIn);
    for (const [k, r] of rows.entries()) x.set(listRow(evalX, r), k * m.nIn);
    evalH.set(m.condition, { h: hiddenOf(x, m.w, rows.length, m.nIn, m.nHidden), n: rows.length });
  });

  const N = saes.records.length;
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
  const condition = saes.records.map((r) => r.condition);
  const lr = Float64Array.from(saes.records, (r) => r.lr);
  const l1 = Float64Array.from(saes.records, (r) => r.l1);
  const diverged = saes.records.map((r) => r.diverged);

  for (let s = 0; s < N; s++) {
    const rec = saes.records[s];
    const c = models.findIndex((m) => m.condition === rec.condition);
    const m = models[c];
    const [n0, n1] = specs[c].setSizes;
    const d = m.nHidden;
    const nF = m.nIn;
    const params = saes.set.paramsOf(s);
    const dSae = params.dSae;
    const encode = (x: Float32Array, n: number) => arch.encode(params, 0, x, n, rec.options, rec.hyper);
    const { h, n } = evalH.get(rec.condition)!;
    const acts = encode(h, n);
    let fvu = 0;
    let l1Sum = 0;
    for (let b = 0; b < n; b++) {
      let err = 0;
      let norm = 0;
      for (let k = 0; k < d; k++) {
        let v = params.bDec[k];
        for (let j = 0; j < dSae; j++) v += acts[b * dSae + j] * params.wDec[j * d + k];
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
    cols.monosemanticity[s] = monosemanticity(encode(m.w, nF), nF, dSae);

    const cos = cosineMatrix(params.wDec, dSae, m.w, nF, d); // [dSae, nF]
    cols.mmcs[s] = mmcsTrueToSae(cos, dSae, nF);
    cols.mmcs_sae_to_true[s] = mmcsSaeToTrue(cos, dSae, nF);
    cols.mcc[s] = mcc(cos, dSae, nF);
    const composedCos = cosineMatrix(params.wDec, dSae, composedDirections(m.w, n0, n1, d), n0 * n1, d);
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
  const realisation = Int32Array.from(saes.records, (r) => r.instance);
  const shapes = new Set(saes.records.map((r) => saes.set.records[r.sae].dSae));
  await ctx.write(
    "metrics.arrow",
    {
      condition,
      lr,
      l1,
      instance: realisation,
      lr_index: Int32Array.from(saes.records, (r) => r.lrIndex),
      l1_index: Int32Array.from(saes.records, (r) => r.l1Index),
      d_sae: Int32Array.from(saes.records, (r) => saes.set.records[r.sae].dSae),
      ...cols,
      diverged,
      best_in_cell: best,
      most_mono_in_cell: mostMono,
    },
    { configPart, seeds, extra: { eval_samples_per_condition: String(evalH.get(condition[0])?.n ?? 0), ...(shapes.size === 1 ? { d_sae: String([...shapes][0]) } : {}) } },
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
