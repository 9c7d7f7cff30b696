import * as Plot from "@observablehq/plot";
import { stack, withTitle } from "../compose.ts";
import { numericAxis, plotMargins, tickLabels } from "./axis-ticks.ts";
import { tip, tipNumber, tipVector } from "../titles.ts";
import { plotElement, serializeSvg } from "../render.ts";
import { setColor } from "../style.ts";
import { arrowPanel, type PanelArrow } from "./arrow-panel.ts";
import { seriesColors, seriesLegend } from "./series.ts";

/**
 * The TMS training plot: the toy model's loss curve (log y) next to its
 * learned feature directions in the 2-d hidden plane, which is where one
 * sees superposition happen (features spread into a polygon).
 */

export interface LossPoint {
  step: number;
  loss: number;
  /** e.g. an instance name; one line per series. */
  series?: string;
}

export interface EmbeddedFeature {
  /** A row of the embedding W, i.e. feature i's direction in the hidden plane. */
  x: number;
  y: number;
  label?: string;
  /** Colours the arrow as the x-set (0) or y-set (1) of a composed toy. */
  set?: 0 | 1;
}

export interface TmsTrainingData {
  loss: readonly LossPoint[];
  features: readonly EmbeddedFeature[];
  title?: string;
}

export interface TmsTrainingOptions {
  /** Height of both panels in px; default 260. The arrow panel is square. */
  height?: number;
  /** Width of the loss panel in px; default 360. */
  lossWidth?: number;
  /** Default "training step". */
  xLabel?: string;
  /** Default "loss". */
  yLabel?: string;
}

const NEUTRAL_ARROW = "rgb(66,105,208)";

export function tmsTrainingFigure(data: TmsTrainingData, options: TmsTrainingOptions = {}): string {
  return serializeSvg(tmsTrainingElement(data, options));
}

export function tmsTrainingElement(data: TmsTrainingData, options: TmsTrainingOptions = {}): SVGSVGElement {
  const { height = 260, lossWidth = 360, xLabel = "training step", yLabel = "loss" } = options;
  // A log axis cannot show zero or negative values; they carry no information
  // about the curve's shape anyway, so drop them rather than fail.
  const loss = data.loss.filter((p) => Number.isFinite(p.loss) && p.loss > 0 && Number.isFinite(p.step));
  const colors = seriesColors(loss.map((p) => p.series ?? ""));
  const legend = seriesLegend(colors, "line", lossWidth);

  const curveHeight = height - (legend ? Number(legend.getAttribute("height")) + 4 : 0);
  const x = numericAxis(
    loss.map((p) => p.step),
    { label: xLabel, length: lossWidth, direction: "x" },
  );
  const y = numericAxis(
    loss.map((p) => p.loss),
    { log: true, label: yLabel, length: curveHeight, direction: "y" },
  );
  // one tooltip per curve: its series, and where it starts and ends
  const ends = new Map<string, { first: LossPoint; last: LossPoint }>();
  for (const p of loss) {
    const key = p.series ?? "";
    const e = ends.get(key);
    if (!e) ends.set(key, { first: p, last: p });
    else e.last = p;
  }
  const curveTip = (p: LossPoint) => {
    const e = ends.get(p.series ?? "");
    return tip(p.series, e && `${yLabel} ${tipNumber(e.first.loss)} at ${xLabel} ${tipNumber(e.first.step)} → ${tipNumber(e.last.loss)} at ${tipNumber(e.last.step)}`);
  };
  const curve = plotElement({
    width: lossWidth,
    height: curveHeight,
    ...plotMargins({ yLabels: tickLabels(y), yLabel, xLabel }),
    x,
    y,
    color: colors.scale,
    marks: [
      Plot.line(loss, {
        x: "step",
        y: "loss",
        stroke: (p: LossPoint) => p.series ?? "",
        z: (p: LossPoint) => p.series ?? "",
        strokeWidth: 1.5,
        className: "loss-curve",
        title: curveTip,
      }),
    ],
  });

  const arrows: PanelArrow[] = data.features.map((f) => ({
    x: f.x,
    y: f.y,
    color: f.set === undefined ? NEUTRAL_ARROW : setColor(f.set),
    width: 2,
    label: f.label,
    className: "feature-arrow",
    title: tip(f.label ? `feature ${f.label}` : "feature", `direction W_i ${tipVector(f.x, f.y)}`),
  }));
  const panel = arrowPanel(arrows, { size: height, ariaLabel: "learned feature directions" });
  const left = legend ? stack([legend, curve], { gap: 4 }) : curve;
  const svg = stack([left, panel], { direction: "horizontal", gap: 16 });
  svg.setAttribute("class", "tms-training");
  return withTitle(svg, data.title);
}
