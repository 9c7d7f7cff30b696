import { exponential, formatNonFinite, minus, superscript } from "./format.ts";

/**
 * One format for a set of numbers that are read together — a table column, the ticks of an
 * axis or of a colour legend — chosen from all of them, so a reader never compares "0.001" with
 * "1×10⁻⁴" or "2" with "1.8" in one column: integers with thousands separators, fixed decimals
 * shared by every value, or scientific notation with one mantissa precision for all.
 */

export type NumberStyle =
  | { kind: "integer" }
  | { kind: "fixed"; decimals: number }
  | { kind: "scientific"; decimals: number }
  /** Each value's shortest plain decimal: for log axes, whose ticks span decades (0.001, 0.01, 0.1). */
  | { kind: "plain" };

export interface ColumnFormatOptions {
  /** Significant digits of the largest value; default 4. */
  digits?: number;
}

/** Outside [1e-3, 1e6) a column is written in scientific notation, as formatNumber does for one value. */
const SMALL = 1e-3;
const LARGE = 1e6;
/** Ticks switch to scientific earlier: a tick label must stay short. */
const LARGE_TICK = 1e5;
const MAX_DECIMALS = 8;

function finite(values: Iterable<number>): number[] {
  return [...values].filter((v) => Number.isFinite(v));
}

/** Smallest and largest non-zero magnitude (1 and 1 when there is none, which selects no special case). */
function magnitudes(values: readonly number[]): { min: number; max: number } {
  const abs = values.map(Math.abs).filter((v) => v > 0);
  return { min: abs.length ? Math.min(...abs) : 1, max: abs.length ? Math.max(...abs) : 1 };
}

/** Decimals of the shortest decimal form of `value` rounded to `decimals` places. */
function naturalDecimals(value: number, decimals: number): number {
  const text = String(Number(value.toFixed(decimals)));
  if (text.includes("e")) return decimals;
  return text.includes(".") ? text.length - text.indexOf(".") - 1 : 0;
}

/** Decimals of the mantissa of `value` in scientific notation with `digits` significant digits, trailing zeros dropped. */
function mantissaDecimals(value: number, digits: number): number {
  const { mantissa } = exponential(value, Math.max(0, digits - 1));
  const trimmed = mantissa.includes(".") ? mantissa.replace(/\.?0+$/, "") : mantissa;
  return trimmed.includes(".") ? trimmed.length - trimmed.indexOf(".") - 1 : 0;
}

function scientific(values: readonly number[], digits: number): NumberStyle {
  const decimals = Math.max(0, ...values.filter((v) => v !== 0).map((v) => mantissaDecimals(v, digits)));
  return { kind: "scientific", decimals };
}

/**
 * The style of a table column: integers when every value is one; scientific when a value is
 * below 1e-3 or above 1e6 (fixed decimals would show it as 0.0000 or as a wall of digits);
 * otherwise fixed decimals — enough for `digits` significant digits of the largest value and
 * `digits` − 1 of the smallest, fewer when no value needs them (0.01 … 1 → "0.01" … "1.00").
 */
export function columnStyle(values: Iterable<number>, options: ColumnFormatOptions = {}): NumberStyle {
  const { digits = 4 } = options;
  const xs = finite(values);
  if (xs.every((v) => Number.isInteger(v) && Math.abs(v) < 1e15)) return { kind: "integer" };
  const { min, max } = magnitudes(xs);
  if (min < SMALL || max >= LARGE) return scientific(xs, digits);
  const wanted = Math.max(digits - 1 - Math.floor(Math.log10(max)), digits - 2 - Math.floor(Math.log10(min)));
  const decimals = Math.min(MAX_DECIMALS, Math.max(0, wanted));
  return { kind: "fixed", decimals: Math.max(0, ...xs.map((v) => naturalDecimals(v, decimals))) };
}

/**
 * The style of an axis's (or colour legend's) tick labels: scientific for all when one tick
 * needs it, else fixed decimals shared by all (0.0, 0.5, 1.0), except on a log axis spanning
 * decades, where each tick is its plain decimal (0.001, 0.01, 0.1).
 */
export function tickStyle(ticks: Iterable<number>, options: { log?: boolean } = {}): NumberStyle {
  const xs = finite(ticks);
  const { min, max } = magnitudes(xs);
  // Training steps read best in full (150,000), so integers stay integers up to a billion.
  if (xs.every((v) => Number.isInteger(v)) && max < 1e9) return { kind: "integer" };
  if (min < SMALL || max >= LARGE_TICK) return scientific(xs, 3);
  // Shared decimals would pad 0.001 … 0.1 to "0.100"; across decades each tick keeps its own.
  if (options.log && max / min >= 10) return { kind: "plain" };
  return { kind: "fixed", decimals: Math.max(0, ...xs.map((v) => naturalDecimals(v, MAX_DECIMALS))) };
}

export function formatWithStyle(value: number, style: NumberStyle): string {
  if (!Number.isFinite(value)) return formatNonFinite(value);
  switch (style.kind) {
    case "integer":
      return minus(Math.round(value).toLocaleString("en-US"));
    case "plain":
      return minus(String(Number(value.toPrecision(12))));
    case "fixed": {
      const text = value.toFixed(style.decimals);
      // "-0.00" would claim a sign that rounding has erased.
      return Number(text) === 0 ? text.replace(/^-/, "") : minus(text);
    }
    case "scientific": {
      if (value === 0) return "0";
      const { mantissa, exponent } = exponential(value, style.decimals);
      return `${minus(mantissa)}×10${superscript(String(exponent))}`;
    }
  }
}

/** A formatter for a table column, from all of its values. */
export function columnFormat(values: Iterable<number>, options: ColumnFormatOptions = {}): (value: number) => string {
  const style = columnStyle(values, options);
  return (value) => formatWithStyle(value, style);
}

/** A formatter for the tick labels of one axis or legend, from all of its ticks. */
export function tickFormat(ticks: Iterable<number>, options: { log?: boolean } = {}): (value: number) => string {
  const style = tickStyle(ticks, options);
  return (value) => formatWithStyle(value, style);
}
