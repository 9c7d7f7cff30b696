import * as Plot from "@observablehq/plot";
import { stack, withTitle } from "../compose.ts";
import { numericAxis, plotMargins, tickLabels } from "./axis-ticks.ts";
import { tip, tipNumber } from "../titles.ts";
import { plotElement, serializeSvg } from "../render.ts";
import { referenceLine, referenceMarks, type ReferenceInput } from "./reference.ts";
import { seriesColors, seriesLegend } from "./series.ts";

/**
 * Points with an optional series, e.g. "SAE L0 vs L0 coefficient" for
 * JumpReLU SAEs, or trained SAEs against the ground-truth SAE on the
 * sparsity–reconstruction plane.
 */

export interface ScatterPoint {
  x: number;
  y: number;
  series?: string;
  /** Accessible name of the point (and its tooltip title). */
  label?: string;
}

export interface ScatterOptions {
  xLabel?: string;
  yLabel?: string;
  logX?: boolean;
  logY?: boolean;
  /** Join each series' points in x order; default false. */
  connect?: boolean;
  referenceX?: ReferenceInput;
  referenceY?: ReferenceInput;
  /** Dot radius in px; default 3.5. */
  r?: number;
  /** Default 480. */
  width?: number;
  /** Default 300. */
  height?: number;
  title?: string;
}

export function scatterFigure(points: readonly ScatterPoint[], options: ScatterOptions = {}): string {
  return serializeSvg(scatterElement(points, options));
}

export function scatterElement(points: readonly ScatterPoint[], options: ScatterOptions = {}): SVGSVGElement {
  const { width = 480, height = 300, r = 3.5, connect = false } = options;
  const rows = points.map((p) => ({ ...p, series: p.series ?? "" }));
  const colors = seriesColors(rows.map((p) => p.series));
  const legend = seriesLegend(colors, "square", width);
  const sorted = [...rows].sort((a, b) => a.x - b.x);
  const refX = options.referenceX === undefined ? [] : [referenceLine(options.referenceX).value];
  const refY = options.referenceY === undefined ? [] : [referenceLine(options.referenceY).value];
  const x = numericAxis([...rows.map((p) => p.x), ...refX], { log: options.logX, label: options.xLabel, length: width, direction: "x" });
  const y = numericAxis([...rows.map((p) => p.y), ...refY], { log: options.logY, label: options.yLabel, length: height, direction: "y" });
  const point = (p: ScatterPoint) => tip(p.label, p.series, `${options.xLabel ?? "x"} = ${tipNumber(p.x)}`, `${options.yLabel ?? "y"} = ${tipNumber(p.y)}`);
  const plot = plotElement({
    width,
    height,
    ...plotMargins({ yLabels: tickLabels(y), yLabel: options.yLabel, xLabel: options.xLabel }),
    marginTop: 20,
    x,
    y,
    color: colors.scale,
    marks: [
      connect
        ? Plot.line(sorted, {
            x: "x",
            y: "y",
            z: "series",
            stroke: "series",
            strokeOpacity: 0.6,
            className: "scatter-line",
            title: (p: ScatterPoint) => p.series || options.yLabel || "y",
          })
        : null,
      Plot.dot(rows, {
        x: "x",
        y: "y",
        fill: "series",
        r,
        className: "scatter-dot",
        ariaLabel: (p: ScatterPoint) => p.label ?? `${p.x}, ${p.y}`,
        title: point,
      }),
      ...referenceMarks(options.referenceX, "x"),
      ...referenceMarks(options.referenceY, "y"),
    ],
  });
  const svg = legend ? stack([legend, plot], { gap: 2 }) : plot;
  return withTitle(svg, options.title);
}
