/**
 * Figure 26, `plot_sae_imshows` of experiment_more_hid_dim (reference §3.4), for a condition
 * whose toy model has more than two hidden dimensions: one row per realisation of the
 * reference cell; per feature set the latents' responses to each feature alone,
 * ReLU(W_i·W_enc + b_enc) on [0, 1] (set 0 "hot", set 1 "bone" in the original), then per set the
 * cosine of each decoder row with each true feature on [−1, 1] (RdBu_r, PuOr_r); monosemanticity
 * in the row label, as the original's box.
 */
import { cosineMatrix } from "@toy-sae/core/metrics/cosine";
import type { AnyArchitecture } from "@toy-sae/core/sae/architecture";
import { formatCompact, formatScientific, heatmapGridFigure, type HeatmapCell, type HeatmapGridRow } from "@toy-sae/report";
import type { Finding } from "../../framework/manifest.ts";
import type { ConditionSpec, TrainedTms } from "./common.ts";
import type { ComposedGridConfig } from "./config.ts";
import type { SaeRow } from "./grid-rows.ts";
import type { readSaeSet } from "./saes.ts";

/** A latent is "mixed" when it responds to features of both sets, each above this share of its largest response. */
export const MIXED_RESPONSE_SHARE = 0.1;

export interface MoreDimsInput {
  config: ComposedGridConfig;
  condition: string;
  model: TrainedTms;
  spec: ConditionSpec;
  rows: SaeRow[];
  saes: Awaited<ReturnType<typeof readSaeSet>>;
  arch: AnyArchitecture;
  cell: { ri: number; ci: number };
}

/** Latents whose identity responses reach both sets (responses [nF, dSae], set 0 = rows < n0). */
export function mixedLatents(responses: Float32Array, nF: number, dSae: number, n0: number): number {
  let mixed = 0;
  for (let j = 0; j < dSae; j++) {
    let max0 = 0;
    let max1 = 0;
    for (let i = 0; i < nF; i++) {
      const v = responses[i * dSae + j];
      if (i < n0) max0 = Math.max(max0, v);
      else max1 = Math.max(max1, v);
    }
    const top = Math.max(max0, max1);
    if (top > 0 && max0 > MIXED_RESPONSE_SHARE * top && max1 > MIXED_RESPONSE_SHARE * top) mixed++;
  }
  return mixed;
}

export function moreDimsFigure(input: MoreDimsInput): { title: string; caption: string; svg: string; finding: Finding } | null {
  const { config, condition, model: m, spec, saes, arch, cell } = input;
  const members = input.rows.filter((r) => r.lrIndex === cell.ri && r.l1Index === cell.ci && !r.diverged).sort((a, b) => a.instance - b.instance);
  if (!members.length) return null;
  const [n0, n1] = spec.setSizes;
  const nF = m.nIn;
  const lr = config.sae.lr[cell.ri];
  const l1 = config.sae.l1[cell.ci];
  const mixedCounts: number[] = [];
  const rows: HeatmapGridRow[] = members.map((r) => {
    const rec = saes.records.find((s) => s.condition === condition && s.lrIndex === cell.ri && s.l1Index === cell.ci && s.instance === r.instance);
    if (!rec) throw new Error(`plots: no SAE for ${condition} realisation ${r.instance}`);
    const p = saes.set.paramsOf(rec.sae);
    const M = p.dSae;
    // feature i alone at 1 gives h = W_i: the identity batch
    const responses = arch.encode(p, 0, m.w, nF, rec.options, rec.hyper);
    mixedCounts.push(mixedLatents(responses, nF, M, n0));
    const cos = cosineMatrix(p.wDec, M, m.w, nF, m.nHidden);
    const response = (set: 0 | 1): HeatmapCell[] =>
      Array.from({ length: (set === 0 ? n0 : n1) * M }, (_, e) => {
        const f = Math.floor(e / M) + (set === 0 ? 0 : n0);
        const j = e % M;
        return { x: j, y: set === 0 ? `x${f + 1}` : `y${f - n0 + 1}`, value: responses[f * M + j] };
      });
    const cosine = (set: 0 | 1): HeatmapCell[] =>
      Array.from({ length: (set === 0 ? n0 : n1) * M }, (_, e) => {
        const f = Math.floor(e / M) + (set === 0 ? 0 : n0);
        const j = e % M;
        return { x: j, y: set === 0 ? `x${f + 1}` : `y${f - n0 + 1}`, value: cos[j * nF + f] };
      });
    // the original's colour limits: responses on [0, 1], cosines on [−1, 1]
    return {
      label: `realisation ${r.instance}: monosemanticity ${r.mono.toFixed(2)}, mixed latents ${mixedCounts.at(-1)} of ${M}, loss ${r.loss.toFixed(4)}`,
      panels: [
        { title: "x-set responses", cells: response(0), scheme: "YlOrRd", colorDomain: [0, 1], xLabel: "latent" },
        { title: "y-set responses", cells: response(1), scheme: "Greys", reverse: true, colorDomain: [0, 1], xLabel: "latent" },
        { title: "x-set decoder cosine", cells: cosine(0), scheme: "RdBu", reverse: true, colorDomain: [-1, 1], xLabel: "latent" },
        { title: "y-set decoder cosine", cells: cosine(1), scheme: "PuOr", reverse: true, colorDomain: [-1, 1], xLabel: "latent" },
      ],
    };
  });
  const withMixed = mixedCounts.filter((n) => n > 0).length;
  const title = `SAE latents on ${n0} + ${n1} features in ${m.nHidden} dimensions — ${condition}`;
  const caption =
    `Realisations of the cell lr ${formatScientific(lr, 2)}, λ ${formatCompact(l1)}: per feature set the latents' responses to each feature alone (ReLU(W_i·W_enc + b_enc), on [0, 1]), then each decoder row's cosine with each true feature (on [−1, 1]). ` +
    `A latent is mixed when it responds to features of both sets, each above ${MIXED_RESPONSE_SHARE} of its largest response: ${mixedCounts.join(", ")} mixed latents in the ${members.length} realisations.`;
  const finding: Finding = {
    id: `mixed-${condition}`,
    claim: `In ${m.nHidden} hidden dimensions the SAEs still learn latents that respond to features of both sets (${condition}).`,
    holds: withMixed > members.length / 2,
    text: `${withMixed} of ${members.length} realisations have at least one mixed latent.`,
  };
  return { title, caption, svg: heatmapGridFigure(rows, { title }), finding };
}
