/**
 * Lines with marked points: curves (optionally with a band) whose special points are drawn and
 * labelled — the argmin of an analytic loss curve, the β where a component crosses zero — on an
 * x axis whose ticks the caller may set (e.g. β on a compressed scale with "∞" at the end).
 * Import it as "@toy-sae/report/figures/marked-lines".
 */
import * as Plot from "@observablehq/plot";
import { stack, withTitle } from "../compose.ts";
import { plotElement, serializeSvg } from "../render.ts";
import { FONT_SIZE } from "../style.ts";
import { numericAxis } from "./axis-ticks.ts";
import { referenceMarks, type ReferenceInput } from "./reference.ts";
import { seriesColors, seriesLegend } from "./series.ts";
import { tip, tipNumber } from "../titles.ts";

export interface MarkedLinePoint {
  x: number;
  y: number;
  series?: string;
  /** A band from lo to hi around y (e.g. mean ± 1 sd over seeds); none when absent. */
  lo?: number;
  hi?: number;
}

export interface LineMarker {
  x: number;
  y: number;
  /** Its line's series (the marker takes its colour); default the unnamed series. */
  series?: string;
  /** Text beside the marker. */
  label?: string;
  /** Vertical offset of the label in px (negative: above); default −10. Stagger it for markers that sit close together. */
  labelDy?: number;
}

export interface MarkedLinesOptions {
  xLabel?: string;
  yLabel?: string;
  /** Ticks at these x values with these labels (a transformed axis); default Plot's. */
  xTicks?: ReadonlyArray<{ value: number; label: string }>;
  xDomain?: readonly [number, number];
  yDomain?: readonly [number, number];
  referenceX?: ReferenceInput;
  referenceY?: ReferenceInput;
  markers?: readonly LineMarker[];
  /** A dot on every line point; default false (dense curves). */
  dots?: boolean;
  /** Default 480. */
  width?: number;
  /** Default 300. */
  height?: number;
  title?: string;
}

export function markedLinesFigure(points: readonly MarkedLinePoint[], options: MarkedLinesOptions = {}): string {
  return serializeSvg(markedLinesElement(points, options));
}

export function markedLinesElement(points: readonly MarkedLinePoint[], options: MarkedLinesOptions = {}): SVGSVGElement {
  const { width = 480, height = 300, dots = false } = options;
  const rows = points.filter((p) => Number.isFinite(p.x) && Number.isFinite(p.y)).map((p) => ({ ...p, series: p.series ?? "" }));
  rows.sort((a, b) => a.x - b.x);
  const markers = (options.markers ?? []).filter((m) => Number.isFinite(m.x) && Number.isFinite(m.y)).map((m) => ({ ...m, series: m.series ?? "", labelDy: m.labelDy ?? -10 }));
  const colors = seriesColors(rows.map((p) => p.series));
  const legend = seriesLegend(colors, "line", width);
  const banded = rows.filter((p) => p.lo !== undefined && p.hi !== undefined && Number.isFinite(p.lo) && Number.isFinite(p.hi));
  const xName = options.xLabel ?? "x";
  const yName = options.yLabel ?? "y";
  // an x on a transformed axis (β with "∞") reads as its tick label where it has one
  const xText = (x: number) => options.xTicks?.find((t) => t.value === x)?.label ?? tipNumber(x);
  const seriesName = (p: { series: string }) => p.series || yName;
  const xAxis = numericAxis(
    rows.map((p) => p.x),
    { label: options.xLabel, domain: options.xDomain },
  );
  const plot = plotElement({
    width,
    height,
    marginLeft: 56,
    marginBottom: 40,
    marginTop: 20,
    marginRight: 16,
    x: options.xTicks ? { ...xAxis, ticks: options.xTicks.map((t) => t.value), tickFormat: (v: number) => options.xTicks?.find((t) => t.value === v)?.label ?? String(v) } : xAxis,
    y: numericAxis([...rows.flatMap((p) => [p.y, p.lo ?? p.y, p.hi ?? p.y]), ...markers.map((m) => m.y)], { label: options.yLabel, domain: options.yDomain }),
    color: colors.scale,
    marks: [
      ...referenceMarks(options.referenceY, "y"),
      ...referenceMarks(options.referenceX, "x"),
      banded.length
        ? Plot.areaY(banded, {
            x: "x",
            y1: "lo",
            y2: "hi",
            z: "series",
            fill: "series",
            fillOpacity: 0.15,
            className: "line-band",
            title: (p: MarkedLinePoint & { series: string }) => tip(seriesName(p), "band: mean ± 1 sd over seeds"),
          })
        : null,
      Plot.line(rows, {
        x: "x",
        y: "y",
        z: "series",
        stroke: "series",
        strokeWidth: 1.75,
        className: "line",
        title: (p: { series: string }) => tip(seriesName(p), `${yName} against ${xName}`),
      }),
      dots
        ? Plot.dot(rows, {
            x: "x",
            y: "y",
            fill: "series",
            r: 2.5,
            className: "line-dot",
            title: (p: MarkedLinePoint & { series: string }) => tip(p.series, `${xName} = ${xText(p.x)}`, `${yName}: ${tipNumber(p.y)}`),
          })
        : null,
      Plot.dot(markers, {
        x: "x",
        y: "y",
        stroke: "series",
        fill: "white",
        strokeWidth: 2,
        r: 4.5,
        className: "line-marker",
        ariaLabel: (m: LineMarker) => m.label ?? `${m.x}, ${m.y}`,
        title: (m: LineMarker) => tip(m.series, m.label, `${xName} = ${xText(m.x)}`, `${yName}: ${tipNumber(m.y)}`),
      }),
      // Plot's dy is one constant per mark: one text mark per label offset
      ...[...new Set(markers.map((m) => m.labelDy))].map((dy) =>
        Plot.text(
          markers.filter((m) => m.label && m.labelDy === dy),
          {
            x: "x",
            y: "y",
            text: "label",
            dy,
            fill: "series",
            stroke: "white",
            strokeWidth: 3,
            fontSize: FONT_SIZE,
            className: "line-marker-label",
            title: (m: LineMarker) => tip(m.series, m.label, `${xName} = ${xText(m.x)}`, `${yName}: ${tipNumber(m.y)}`),
          },
        ),
      ),
    ],
  });
  const svg = legend ? stack([legend, plot], { gap: 2 }) : plot;
  return withTitle(svg, options.title);
}
