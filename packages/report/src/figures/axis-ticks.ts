import { formatCompact } from "../format.ts";
import { linearTicks, logTicks } from "../ticks.ts";

/**
 * Explicit ticks for log axes. Plot's defaults label log ticks with SI
 * prefixes ("100m" for 0.1), which misreads as metres for losses and
 * coefficients, and d3 thins the labels by its own rule; so pick round values
 * (1, 2, 5 × 10ⁿ) from the data's extent and label them plainly.
 * Returns no options for a linear axis, leaving Plot's defaults in place.
 */
export function axisTicks(
  values: ReadonlyArray<number>,
  log: boolean | undefined,
): { ticks?: number[]; tickFormat?: (value: number) => string } {
  if (!log) return {};
  let lo = Number.POSITIVE_INFINITY;
  let hi = Number.NEGATIVE_INFINITY;
  for (const v of values)
    if (v > 0 && Number.isFinite(v)) {
      lo = Math.min(lo, v);
      hi = Math.max(hi, v);
    }
  if (!(hi >= lo)) return {};
  let ticks = logTicks(lo, hi);
  // A range inside one decade may hold no 1/2/5 value; fall back to even steps.
  if (ticks.length < 2) ticks = linearTicks(lo, hi, 4).filter((v) => v > 0);
  return { ticks, tickFormat: (v: number) => formatCompact(v, 2) };
}

/** A gridded linear or log position axis with a centred label and the ticks above. */
export function numericAxis(values: ReadonlyArray<number>, options: { log?: boolean; label?: string; domain?: readonly [number, number] }) {
  return {
    type: options.log ? ("log" as const) : ("linear" as const),
    label: options.label ?? null,
    labelAnchor: "center" as const,
    labelArrow: "none" as const,
    grid: true,
    ...axisTicks(values, options.log),
    ...(options.domain ? { domain: [...options.domain] } : {}),
  };
}
