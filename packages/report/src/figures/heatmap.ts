import * as Plot from "@observablehq/plot";
import { estimateTextWidth, stack, withTitle } from "../compose.ts";
import { columnFormat } from "../format-uniform.ts";
import { plotElement, serializeSvg } from "../render.ts";
import { rampLegend } from "../ramp-legend.ts";
import { ALERT_COLOR, FONT_SIZE, MISSING_FILL } from "../style.ts";
import { tip, tipNumber } from "../titles.ts";

/**
 * A heatmap over two ordinal axes: metric values over the lr × λ grid, cosine
 * similarities of SAE latents with true features, correlation matrices.
 *
 * Signed quantities in [−1, 1] get a diverging RdBu scale centred on zero (so
 * white means "unrelated"), everything else a sequential one. Cells without a
 * finite value (a diverged run) are drawn grey and labelled, never dropped,
 * because a hole in the grid would read as "not run".
 */

export type HeatmapKey = string | number;

export interface HeatmapCell {
  x: HeatmapKey;
  y: HeatmapKey;
  value: number;
  /** The run behind this cell diverged; shown as such whatever its value. */
  diverged?: boolean;
  /** A last line of the cell's tooltip, e.g. which instance the value is from. */
  note?: string;
}

export type HeatmapColorKind = "diverging" | "sequential";

export interface HeatmapOptions {
  xLabel?: string;
  yLabel?: string;
  /** Order of the x categories; default numbers ascending, strings in first-appearance order. */
  xDomain?: readonly HeatmapKey[];
  /** Order of the y categories, top to bottom (bottom to top when reverseY). */
  yDomain?: readonly HeatmapKey[];
  /** First y category at the bottom, like imshow(origin="lower"); default false. */
  reverseY?: boolean;
  xTickFormat?: (key: HeatmapKey) => string;
  yTickFormat?: (key: HeatmapKey) => string;
  /** Label only every n-th category (e.g. 10 for a 50 × 50 matrix); default 1. */
  tickEvery?: number | { x?: number; y?: number };
  /** Default: "diverging" when all finite values lie in [−1, 1] and one is negative. */
  color?: HeatmapColorKind;
  /** Colour domain; default [−1, 1] (or ±max|v|) when diverging, the value extent when sequential. */
  colorDomain?: readonly [number, number];
  /** Plot colour scheme; default "RdBu" when diverging, "Viridis" when sequential. */
  scheme?: Plot.ColorScheme;
  /** Reverse the scheme (e.g. so that low loss is bright); default false. */
  reverseScheme?: boolean;
  /** Logarithmic sequential scale, for losses spanning decades; default false. */
  logColor?: boolean;
  /** Label of the colour legend; no legend when null. Default "value". */
  colorLabel?: string | null;
  /** Print each value in its cell; default when there are at most 20 × 20 cells. */
  showValues?: boolean;
  /** Cell text; default two decimals when diverging, else one format for all values with three significant digits. */
  valueFormat?: (value: number) => string;
  /** Side of a cell in px; default fits the larger axis into ~480 px, between 6 and 48. */
  cellSize?: number;
  title?: string;
  /** Name of the value in tooltips; default the colour label, else "value". */
  valueLabel?: string;
  /** First line of every cell's tooltip, e.g. the instance a row of panels shows. */
  tipLabel?: string;
}

/** The colour scale a heatmap resolves to, exported so callers and tests can see it. */
export interface HeatmapColor {
  kind: HeatmapColorKind;
  type: "linear" | "log";
  scheme: Plot.ColorScheme;
  domain: [number, number];
  reverse: boolean;
}

export function heatmapColor(cells: readonly HeatmapCell[], options: HeatmapOptions = {}): HeatmapColor {
  const values = finiteValues(cells, options.logColor ?? false);
  const lo = values.length ? Math.min(...values) : 0;
  const hi = values.length ? Math.max(...values) : 1;
  const kind = options.color ?? (lo < 0 && lo >= -1 && hi <= 1 ? "diverging" : "sequential");
  const reverse = options.reverseScheme ?? false;
  if (kind === "diverging") {
    // Symmetric around zero so that zero is the neutral colour.
    const m = Math.max(Math.abs(lo), Math.abs(hi));
    const bound = m <= 1 ? 1 : m;
    return {
      kind,
      type: "linear",
      scheme: options.scheme ?? "RdBu",
      domain: options.colorDomain ? [options.colorDomain[0], options.colorDomain[1]] : [-bound, bound],
      reverse,
    };
  }
  const log = options.logColor ?? false;
  // A constant or empty grid still needs a non-degenerate domain.
  const domain: [number, number] = options.colorDomain
    ? [options.colorDomain[0], options.colorDomain[1]]
    : values.length === 0
      ? log
        ? [1, 10]
        : [0, 1]
      : lo < hi
        ? [lo, hi]
        : log
          ? [lo / 10, lo * 10]
          : [lo - 1, lo + 1];
  return { kind, type: log ? "log" : "linear", scheme: options.scheme ?? "Viridis", domain, reverse };
}

export function heatmapFigure(cells: readonly HeatmapCell[], options: HeatmapOptions = {}): string {
  return serializeSvg(heatmapElement(cells, options));
}

export function heatmapElement(cells: readonly HeatmapCell[], options: HeatmapOptions = {}): SVGSVGElement {
  const xDomain = options.xDomain ? [...options.xDomain] : defaultDomain(cells.map((c) => c.x));
  const yDomain = options.yDomain ? [...options.yDomain] : defaultDomain(cells.map((c) => c.y));
  const cellSize = options.cellSize ?? Math.max(6, Math.min(48, Math.floor(480 / Math.max(xDomain.length, yDomain.length, 1))));
  const showValues = options.showValues ?? xDomain.length * yDomain.length <= 400;
  const color = heatmapColor(cells, options);
  const usable = (c: HeatmapCell) => !c.diverged && Number.isFinite(c.value) && (color.type !== "log" || c.value > 0);
  const shown = cells.filter(usable);
  const missing = cells.filter((c) => !usable(c));
  // One format for every value in the grid (format-uniform.ts): "0.73" next to "0.704" reads as a different precision.
  const format =
    options.valueFormat ??
    (color.kind === "diverging"
      ? fixed2
      : columnFormat(
          shown.map((c) => c.value),
          { digits: 3 },
        ));
  const xTickFormat = options.xTickFormat ?? String;
  const yTickFormat = options.yTickFormat ?? String;
  const every = typeof options.tickEvery === "number" ? { x: options.tickEvery, y: options.tickEvery } : (options.tickEvery ?? {});
  const scaleOptions = {
    type: color.type,
    scheme: color.scheme,
    domain: color.domain,
    reverse: color.reverse,
  } as const;
  const scale = Plot.scale({ color: scaleOptions });
  const valueFontSize = Math.min(FONT_SIZE, Math.max(6, Math.floor(cellSize / 4.5)));
  // "diverged" in words when it fits the cell (down to 7px text), else a cross.
  const missingFontSize = [valueFontSize, 8, 7].find((size) => estimateTextWidth("diverged", size) + 4 <= cellSize);
  const missingText = missingFontSize === undefined ? "×" : "diverged";

  const yLabelWidth = Math.max(0, ...yDomain.map((k) => estimateTextWidth(yTickFormat(k))));
  const marginLeft = Math.ceil(yLabelWidth + (options.yLabel ? 30 : 12));
  const marginBottom = options.xLabel ? 38 : 24;
  const marginTop = 6;
  const marginRight = 6;

  // Tooltip: the cell (with the axes' names), its value at full precision, and its note.
  const valueLabel = options.valueLabel ?? options.colorLabel ?? "value";
  const hover = (c: HeatmapCell) =>
    tip(
      options.tipLabel,
      `${options.yLabel ?? "row"} ${yTickFormat(c.y)}, ${options.xLabel ?? "column"} ${xTickFormat(c.x)}`,
      `${valueLabel}: ${c.diverged ? "diverged" : Number.isFinite(c.value) ? tipNumber(c.value) : "no value"}`,
      c.note,
    );
  const plot = plotElement({
    width: marginLeft + cellSize * xDomain.length + marginRight,
    height: marginTop + cellSize * yDomain.length + marginBottom,
    marginLeft,
    marginBottom,
    marginTop,
    marginRight,
    padding: 0,
    x: {
      type: "band",
      domain: xDomain,
      label: options.xLabel ?? null,
      labelAnchor: "center",
      labelArrow: "none",
      tickFormat: xTickFormat,
      ticks: everyNth(xDomain, every.x ?? 1),
      tickSize: 3,
    },
    y: {
      type: "band",
      domain: yDomain,
      reverse: options.reverseY ?? false,
      label: options.yLabel ?? null,
      labelAnchor: "center",
      labelArrow: "none",
      tickFormat: yTickFormat,
      ticks: everyNth(yDomain, every.y ?? 1),
      tickSize: 3,
    },
    color: scaleOptions,
    marks: [
      Plot.cell(shown, { x: "x", y: "y", fill: "value", className: "heatmap-cell", ariaLabel: describe(format), title: hover }),
      Plot.cell(missing, { x: "x", y: "y", fill: MISSING_FILL, className: "heatmap-missing", ariaLabel: describe(format), title: hover }),
      showValues
        ? Plot.text(shown, {
            x: "x",
            y: "y",
            text: (c: HeatmapCell) => format(c.value),
            fill: (c: HeatmapCell) => textColorOn(scale.apply(c.value)),
            fontSize: valueFontSize,
            className: "heatmap-value",
            title: hover,
          })
        : null,
      Plot.text(missing, {
        x: "x",
        y: "y",
        text: () => missingText,
        fill: ALERT_COLOR,
        fontSize: missingFontSize ?? valueFontSize,
        fontWeight: "bold",
        className: "heatmap-missing-label",
        title: hover,
      }),
    ],
  });
  plot.setAttribute("class", `${plot.getAttribute("class") ?? ""} heatmap`.trim());

  const colorLabel = options.colorLabel === undefined ? "value" : options.colorLabel;
  const legendWidth = Math.min(240, Math.max(160, cellSize * xDomain.length));
  const legend =
    colorLabel === null
      ? null
      : rampLegend({
          color: (v) => String(scale.apply(v)),
          domain: color.domain,
          type: color.type,
          label: colorLabel,
          width: legendWidth,
        });
  const svg = legend ? stack([legend, plot], { gap: 2 }) : plot;
  return withTitle(svg, options.title);
}

/** Distinct keys; numbers ascending (grid hyperparameters), strings as they come. */
function defaultDomain(keys: readonly HeatmapKey[]): HeatmapKey[] {
  const unique = [...new Set(keys)];
  return unique.every((k) => typeof k === "number") ? (unique as number[]).sort((a, b) => a - b) : unique;
}

function everyNth(domain: readonly HeatmapKey[], n: number): HeatmapKey[] {
  return domain.filter((_, i) => i % Math.max(1, Math.round(n)) === 0);
}

function finiteValues(cells: readonly HeatmapCell[], positiveOnly: boolean): number[] {
  return cells.filter((c) => !c.diverged && Number.isFinite(c.value) && (!positiveOnly || c.value > 0)).map((c) => c.value);
}

function fixed2(value: number): string {
  const text = value.toFixed(2);
  // "-0.00" would suggest a sign that rounding has erased.
  return text === "-0.00" ? "0.00" : text.replace(/^-/, "−");
}

function describe(format: (v: number) => string) {
  return (c: HeatmapCell) => `${c.y}, ${c.x}: ${c.diverged ? "diverged" : Number.isFinite(c.value) ? format(c.value) : "no value"}`;
}

/**
 * Black or white text, whichever reads better on the cell's colour (WCAG
 * relative luminance).
 */
export function textColorOn(background: unknown): string {
  const rgb = parseColor(String(background));
  if (!rgb) return "black";
  const linear = (c: number) => {
    const s = c / 255;
    return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
  };
  const [r, g, b] = rgb;
  const luminance = 0.2126 * linear(r) + 0.7152 * linear(g) + 0.0722 * linear(b);
  return luminance > 0.3 ? "black" : "white";
}

/** d3 interpolators return "rgb(r, g, b)" (RdBu) or "#rrggbb" (viridis). */
function parseColor(color: string): [number, number, number] | null {
  const rgb = /rgb\((\d+),\s*(\d+),\s*(\d+)\)/.exec(color);
  if (rgb) return [Number(rgb[1]), Number(rgb[2]), Number(rgb[3])];
  const hex = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(color);
  if (hex) return [parseInt(hex[1] ?? "", 16), parseInt(hex[2] ?? "", 16), parseInt(hex[3] ?? "", 16)];
  return null;
}
