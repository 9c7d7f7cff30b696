/**
 * The figures of the feature-hedging notebooks: `plot_sae_feat_cos_sims` (encoder and decoder
 * cosine heatmaps of every latent with every true feature, 1-based labels, values shown where
 * the original shows them; b_dec's cosines beside them), the analytic loss curves of
 * `loss_curves.py` with each argmin marked, and the β-sweep curves (a child's component in the
 * parent latent against β on the compressed axis u = β/(1 + β), so that β = ∞ is u = 1).
 */
import * as Plot from "@observablehq/plot";
import { compose, heatmapElement, serializeSvg, stack, svgSize, textBlock, type HeatmapCell } from "@toy-sae/report";
import { markedLinesElement, type LineMarker, type MarkedLinePoint } from "@toy-sae/report/figures/marked-lines";
import { rampLegend } from "@toy-sae/report/ramp-legend";

/** Two decimals, −0 shown as 0 (the original rounds to 0.01 and adds +0.0). */
function cosText(v: number): string {
  const r = Math.round(v * 100) / 100;
  return (r === 0 ? 0 : r).toFixed(2).replace(/^-/, "−");
}

/** Side by side, with a gap. */
function row(elements: SVGSVGElement[], gap = 12): SVGSVGElement {
  let x = 0;
  return compose(
    elements.map((element) => {
      const at = x;
      x += svgSize(element).width + gap;
      return { element, x: at, y: 0 };
    }),
  );
}

function matrixCells(values: ArrayLike<number>, rows: number, cols: number): HeatmapCell[] {
  const cells: HeatmapCell[] = [];
  for (let i = 0; i < rows; i++) for (let f = 0; f < cols; f++) cells.push({ x: f, y: i, value: values[i * cols + f] });
  return cells;
}

export interface CosPanelsOptions {
  title: string;
  showValues: boolean;
  /** b_dec's cosine with each feature, drawn as a third one-row panel. */
  bDecCos?: ArrayLike<number>;
  bDecNorm?: number;
}

/**
 * Encoder and decoder cosines [latents, features] as two heatmaps (RdBu on [−1, 1], latent 1 at
 * the top, features and latents numbered from 1 as `one_based_indexing=True`).
 */
export function cosPanels(enc: ArrayLike<number>, dec: ArrayLike<number>, nLatents: number, nFeatures: number, o: CosPanelsOptions): string {
  const oneBased = (k: string | number) => String(Number(k) + 1);
  const panel = (values: ArrayLike<number>, rows: number, title: string, yLabel: string) =>
    heatmapElement(matrixCells(values, rows, nFeatures), {
      xLabel: "True feature",
      yLabel,
      xDomain: Array.from({ length: nFeatures }, (_, f) => f),
      yDomain: Array.from({ length: rows }, (_, i) => i),
      xTickFormat: oneBased,
      yTickFormat: oneBased,
      color: "diverging",
      colorDomain: [-1, 1],
      colorLabel: null,
      showValues: o.showValues,
      valueFormat: cosText,
      cellSize: 40,
      title,
    });
  const panels = [panel(enc, nLatents, "Encoder", "SAE latent"), panel(dec, nLatents, "Decoder", "SAE latent")];
  if (o.bDecCos) panels.push(panel(o.bDecCos, 1, `b_dec (‖b_dec‖ = ${(o.bDecNorm ?? NaN).toFixed(3)})`, ""));
  // one colour legend for every panel, so the panels stay aligned
  const scale = Plot.scale({ color: { type: "linear", scheme: "RdBu", domain: [-1, 1] } });
  const legend = rampLegend({ color: (v) => String(scale.apply(v)), domain: [-1, 1], label: "cosine similarity", width: 200 });
  return serializeSvg(stack([textBlock(o.title, { className: "figure-title" }), legend, row(panels)], { gap: 4 }));
}

export interface CurvePanel {
  title: string;
  points: MarkedLinePoint[];
  markers: LineMarker[];
}

/** Panels of marked lines side by side under one title (the loss curves, the β sweep per dataset). */
export function curvePanels(
  panels: readonly CurvePanel[],
  o: {
    title: string;
    xLabel: string;
    yLabel: string;
    xTicks?: ReadonlyArray<{ value: number; label: string }>;
    zeroLine?: boolean;
    xDomain?: readonly [number, number];
    yDomain?: readonly [number, number];
    dots?: boolean;
  },
): string {
  const elements = panels.map((p) =>
    markedLinesElement(p.points, {
      width: 380,
      height: 260,
      title: p.title,
      xLabel: o.xLabel,
      yLabel: o.yLabel,
      xTicks: o.xTicks,
      xDomain: o.xDomain,
      yDomain: o.yDomain,
      referenceY: o.zeroLine ? { value: 0, color: "black" } : undefined,
      markers: p.markers,
      dots: o.dots,
    }),
  );
  return serializeSvg(stack([textBlock(o.title, { className: "figure-title" }), row(elements, 16)], { gap: 4 }));
}

/** β on the compressed axis: u = β/(1 + β), ∞ → 1. */
export function betaToU(beta: number): number {
  return beta === Infinity ? 1 : beta / (1 + beta);
}

export function uToBeta(u: number): number {
  return u >= 1 ? Infinity : u / (1 - u);
}

/** Ticks of the compressed β axis: round β values inside the swept range, ∞ when swept. */
export function betaTicks(betas: readonly number[]): Array<{ value: number; label: string }> {
  const max = Math.max(...betas);
  // round values up to u = 0.85 (β = 5.7): beyond it the ticks would crowd the ∞ at u = 1
  const round = [0, 0.1, 0.25, 0.5, 1, 2, 5].filter((b) => b <= max);
  const ticks = round.map((b) => ({ value: betaToU(b), label: String(b) }));
  if (betas.includes(Infinity)) ticks.push({ value: 1, label: "∞" });
  return ticks;
}
