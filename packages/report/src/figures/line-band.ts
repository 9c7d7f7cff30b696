import * as Plot from "@observablehq/plot";
import { stack, withTitle } from "../compose.ts";
import { numericAxis, plotMargins, tickLabels } from "./axis-ticks.ts";
import { tip, tipNumber } from "../titles.ts";
import { plotElement, serializeSvg } from "../render.ts";
import { referenceLine, referenceMarks, type ReferenceInput } from "./reference.ts";
import { seriesColors, seriesLegend } from "./series.ts";

/**
 * Mean ± 1 standard deviation over seeds, as a line inside a band, from long
 * data (one row per seed and x). E.g. decoder projection s_n^dec against SAE
 * L0 over 5 seeds, with the true L0 as a red dashed line.
 */

export interface LinePoint {
  x: number;
  y: number;
  /** Separate line and band per series; default one unnamed series. */
  series?: string;
}

export interface BandPoint {
  series: string;
  x: number;
  mean: number;
  /** Standard deviation with the requested ddof; 0 when there are too few values. */
  sd: number;
  /** Number of finite y values at this x. */
  n: number;
  lo: number;
  hi: number;
}

export interface MeanSdOptions {
  /**
   * Delta degrees of freedom: 1 for the sample sd (pandas' default), 0 for
   * the population sd (numpy's default). Default 1.
   */
  ddof?: 0 | 1;
}

/**
 * Groups by (series, x) and computes mean and sd of y. Non-finite y (a
 * diverged seed) is left out, and n says how many seeds remain. Output is in
 * series first-appearance order, x ascending within a series.
 */
export function meanSdBands(points: readonly LinePoint[], options: MeanSdOptions = {}): BandPoint[] {
  const { ddof = 1 } = options;
  const groups = new Map<string, Map<number, number[]>>();
  for (const p of points) {
    const series = p.series ?? "";
    let byX = groups.get(series);
    if (!byX) {
      byX = new Map();
      groups.set(series, byX);
    }
    let ys = byX.get(p.x);
    if (!ys) {
      ys = [];
      byX.set(p.x, ys);
    }
    if (Number.isFinite(p.y)) ys.push(p.y);
  }
  const bands: BandPoint[] = [];
  for (const [series, byX] of groups) {
    for (const x of [...byX.keys()].sort((a, b) => a - b)) {
      const ys = byX.get(x) ?? [];
      const n = ys.length;
      const mean = n ? ys.reduce((s, y) => s + y, 0) / n : Number.NaN;
      const ss = ys.reduce((s, y) => s + (y - mean) ** 2, 0);
      const sd = n > ddof ? Math.sqrt(ss / (n - ddof)) : 0;
      bands.push({ series, x, mean, sd, n, lo: mean - sd, hi: mean + sd });
    }
  }
  return bands;
}

export interface LineBandOptions extends MeanSdOptions {
  xLabel?: string;
  yLabel?: string;
  /** Vertical dashed line, e.g. { value: 11, label: "true L0" }. */
  referenceX?: ReferenceInput;
  /** Horizontal dashed line. */
  referenceY?: ReferenceInput;
  logX?: boolean;
  logY?: boolean;
  /** Fix the y range, e.g. [0, 1] for a fraction. */
  yDomain?: readonly [number, number];
  /** Default 480. */
  width?: number;
  /** Default 300. */
  height?: number;
  /** Mark each mean with a dot; default true (seed sweeps are coarse in x). */
  dots?: boolean;
  title?: string;
}

export function lineBandFigure(points: readonly LinePoint[], options: LineBandOptions = {}): string {
  return serializeSvg(lineBandElement(points, options));
}

export function lineBandElement(points: readonly LinePoint[], options: LineBandOptions = {}): SVGSVGElement {
  const { width = 480, height = 300, dots = true } = options;
  const bands = meanSdBands(points, options).filter((b) => b.n > 0);
  const colors = seriesColors(bands.map((b) => b.series));
  const legend = seriesLegend(colors, "line", width);
  const refX = options.referenceX === undefined ? [] : [referenceLine(options.referenceX).value];
  const refY = options.referenceY === undefined ? [] : [referenceLine(options.referenceY).value];
  const marginTop = 20;
  const x = numericAxis([...bands.map((b) => b.x), ...refX], { log: options.logX, label: options.xLabel, length: width, direction: "x" });
  const y = numericAxis([...bands.flatMap((b) => [b.lo, b.hi]), ...refY], {
    log: options.logY,
    label: options.yLabel,
    domain: options.yDomain,
    length: height,
    direction: "y",
  });
  const xName = options.xLabel ?? "x";
  const yName = options.yLabel ?? "y";
  const seriesName = (b: BandPoint) => b.series || yName;
  const plot = plotElement({
    width,
    height,
    ...plotMargins({ yLabels: tickLabels(y), yLabel: options.yLabel, xLabel: options.xLabel }),
    marginTop,
    x,
    y,
    color: colors.scale,
    marks: [
      Plot.areaY(bands, {
        x: "x",
        y1: "lo",
        y2: "hi",
        z: "series",
        fill: "series",
        fillOpacity: 0.2,
        className: "sd-band",
        title: (b: BandPoint) => tip(seriesName(b), "band: mean ± 1 sd over seeds"),
      }),
      Plot.line(bands, {
        x: "x",
        y: "mean",
        z: "series",
        stroke: "series",
        strokeWidth: 1.75,
        className: "mean-line",
        title: (b: BandPoint) => tip(seriesName(b), `line: mean over seeds`),
      }),
      dots
        ? Plot.dot(bands, {
            x: "x",
            y: "mean",
            fill: "series",
            r: 2.5,
            className: "mean-dot",
            title: (b: BandPoint) =>
              tip(b.series, `${xName} = ${tipNumber(b.x)}`, `${yName}: ${tipNumber(b.mean)} ± ${tipNumber(b.sd)} (mean ± sd over ${b.n} seed${b.n === 1 ? "" : "s"})`),
          })
        : null,
      ...referenceMarks(options.referenceX, "x"),
      ...referenceMarks(options.referenceY, "y"),
    ],
  });
  const svg = legend ? stack([legend, plot], { gap: 2 }) : plot;
  return withTitle(svg, options.title);
}
