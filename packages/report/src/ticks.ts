/**
 * Tick values for hand-drawn axes (the colour ramp legend). d3-array's
 * algorithm in a few lines, so the report does not depend on d3 directly.
 */

/** About `count` round values (1, 2 or 5 × 10ⁿ steps) within [lo, hi]. */
export function linearTicks(lo: number, hi: number, count = 5): number[] {
  if (!(hi > lo) || !Number.isFinite(lo) || !Number.isFinite(hi)) return Number.isFinite(lo) ? [lo] : [];
  const raw = (hi - lo) / Math.max(1, count);
  const power = Math.floor(Math.log10(raw));
  const base = 10 ** power;
  const factor = raw / base >= 7.07 ? 10 : raw / base >= 3.16 ? 5 : raw / base >= 1.41 ? 2 : 1;
  const step = factor * base;
  const ticks: number[] = [];
  for (let i = Math.ceil(lo / step); i * step <= hi + step * 1e-9; i++) {
    // Multiply by an integer, then round away float noise (0.30000000000000004).
    ticks.push(Number((i * step).toPrecision(12)));
  }
  return ticks;
}

/** Powers of ten within [lo, hi]; adds 2× and 5× when the range spans at most 2.5 decades. */
export function logTicks(lo: number, hi: number): number[] {
  if (!(lo > 0) || !(hi > lo)) return lo > 0 ? [lo] : [];
  const first = Math.floor(Math.log10(lo));
  const last = Math.ceil(Math.log10(hi));
  const multipliers = Math.log10(hi / lo) <= 2.5 ? [1, 2, 5] : [1];
  const ticks: number[] = [];
  for (let p = first; p <= last; p++)
    for (const m of multipliers) {
      const v = Number((m * 10 ** p).toPrecision(12));
      if (v >= lo * (1 - 1e-9) && v <= hi * (1 + 1e-9)) ticks.push(v);
    }
  return ticks;
}
