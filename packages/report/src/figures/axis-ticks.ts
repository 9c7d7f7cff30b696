import { estimateTextWidth } from "../compose.ts";
import { tickFormat } from "../format-uniform.ts";
import { FONT_SIZE } from "../style.ts";
import { linearTicks, logTicks } from "../ticks.ts";

/**
 * Numeric position axes with ticks chosen here rather than by Plot, for two reasons:
 * - one label format per axis (format-uniform.ts): Plot labels log ticks with SI prefixes
 *   ("100m" reads as metres), and a per-tick rule mixed "0.001" with "1×10⁻⁴" on one axis;
 * - the labels are known before drawing, so the margins can make room for them: an axis title
 *   placed at a fixed offset overlapped wide tick labels such as "1×10⁻⁴".
 */

/** Plot's default density: about one tick per 80 px across and per 35 px up. */
const TICK_SPACING = { x: 80, y: 35 } as const;
/** Plot's defaults for an axis's tick length and the gap between tick and label. */
const TICK_SIZE = 6;
const TICK_PADDING = 3;

export interface AxisTickOptions {
  log?: boolean;
  /** Length of the axis in px (the plot's width or height), for the number of ticks; default 300. */
  length?: number;
  /** Default "x". */
  direction?: "x" | "y";
  /** The axis's domain when fixed; default the extent of the values. */
  domain?: readonly [number, number];
}

export interface AxisTicks {
  ticks: number[];
  tickFormat: (value: number) => string;
  /** The tick labels as drawn. */
  labels: string[];
  /** The extent the ticks were chosen for, or undefined when the values give none. */
  domain: [number, number] | undefined;
}

/** Round ticks (1, 2, 5 × 10ⁿ) over the values' extent, and one format for all of their labels. */
export function axisTicks(values: Iterable<number>, options: AxisTickOptions = {}): AxisTicks {
  const { log = false, length = 300, direction = "x" } = options;
  let lo = Number.POSITIVE_INFINITY;
  let hi = Number.NEGATIVE_INFINITY;
  for (const v of options.domain ?? values)
    if (Number.isFinite(v) && (!log || v > 0)) {
      lo = Math.min(lo, v);
      hi = Math.max(hi, v);
    }
  if (!(hi >= lo)) return { ticks: [], tickFormat: String, labels: [], domain: undefined };
  let ticks: number[];
  if (log) {
    ticks = logTicks(lo, hi);
    // A range inside one decade may hold no 1/2/5 value; fall back to even steps.
    if (ticks.length < 2) ticks = linearTicks(lo, hi, 4).filter((v) => v > 0);
  } else {
    ticks = linearTicks(lo, hi, Math.max(2, Math.round(length / TICK_SPACING[direction])));
  }
  const format = tickFormat(ticks, { log });
  return { ticks, tickFormat: format, labels: ticks.map(format), domain: hi > lo ? [lo, hi] : undefined };
}

export interface NumericAxisOptions extends AxisTickOptions {
  label?: string;
}

/**
 * A gridded linear or log position axis with a centred label, explicit ticks and the domain they
 * were chosen for. `values` must include everything drawn on the axis (bands, reference lines).
 */
export function numericAxis(values: Iterable<number>, options: NumericAxisOptions = {}) {
  const ticks = axisTicks(values, options);
  return {
    type: options.log ? ("log" as const) : ("linear" as const),
    label: options.label ?? null,
    labelAnchor: "center" as const,
    labelArrow: "none" as const,
    grid: true,
    ...(ticks.domain ? { domain: ticks.domain, ticks: ticks.ticks, tickFormat: ticks.tickFormat } : {}),
  };
}

/** The tick labels an axis with explicit ticks draws (none when Plot chooses them). */
export function tickLabels(axis: { ticks?: readonly number[]; tickFormat?: (value: number) => string }): string[] {
  const format = axis.tickFormat ?? String;
  return (axis.ticks ?? []).map((t) => format(t));
}

export interface MarginOptions {
  /** The y axis's tick labels as drawn. */
  yLabels: readonly string[];
  /** The y axis's title, drawn rotated left of the tick labels. */
  yLabel?: string | null;
  /** The x axis's title, drawn under the tick labels. */
  xLabel?: string | null;
  tickSize?: number;
}

/**
 * Left and bottom margins with room for the tick labels and, beyond them, the axis titles:
 * Plot puts a centred y title at the outer edge of the left margin and an x title at the bottom
 * edge, so a margin narrower than the labels makes them overlap.
 */
export function plotMargins(options: MarginOptions): { marginLeft: number; marginBottom: number } {
  const { tickSize = TICK_SIZE } = options;
  const widest = Math.max(0, ...options.yLabels.map((l) => estimateTextWidth(l)));
  // rotated title: 3 px from the edge, one line high, then 4 px clear of the widest label
  const title = (label: string | null | undefined) => (label ? 3 + Math.ceil(FONT_SIZE * 1.2) + 4 : 4);
  const marginLeft = Math.ceil(widest + tickSize + TICK_PADDING + title(options.yLabel));
  // tick labels one line under the tick, then the title one line lower
  const marginBottom = Math.ceil(tickSize + TICK_PADDING + FONT_SIZE * 1.2 + title(options.xLabel));
  return { marginLeft, marginBottom };
}
