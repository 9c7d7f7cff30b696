/**
 * How `compare` writes numbers and tables, in the terminal and on its HTML page alike: one rule
 * per kind of value, plain decimal or e-notation (no ×10ⁿ, so a table can be read back by a
 * script), 4 significant digits for measured values, cell keys exactly.
 */
import type { JsonValue } from "@toy-sae/core/artifact/provenance";
import type { CellValue, Stat } from "./cell-metrics.ts";

/** A measured value: 4 significant digits, scientific outside [1e-3, 1e5); "—" for NaN. */
export function formatValue(x: number): string {
  if (Number.isNaN(x)) return "—";
  if (!Number.isFinite(x)) return x > 0 ? "inf" : "-inf";
  if (x === 0) return "0";
  const a = Math.abs(x);
  if (a >= 1e-3 && a < 1e5) return String(Number(x.toPrecision(4)));
  return x.toExponential(3).replace(/\.?0+e/, "e");
}

/** A difference: signed, so "+0.01" and "-0.01" line up as changes. */
export function formatDelta(x: number): string {
  const text = formatValue(x);
  return x > 0 ? `+${text}` : text;
}

/** "mean ± sd", "mean" for one value, "(n=k)" when NaN values were left out, "—" for a missing cell. */
export function formatStat(s: Stat | null, rows: number): string {
  if (s === null) return "—";
  const core = Number.isNaN(s.sd) ? formatValue(s.mean) : `${formatValue(s.mean)} ± ${formatValue(s.sd)}`;
  return s.n < rows ? `${core} (n=${s.n})` : core;
}

/** A cell key value as the config gives it (numbers exactly, not rounded: they name the cell). */
export function formatKey(v: CellValue): string {
  return String(v);
}

/** Each label of a compared cell: its value, or "a → b" where an edit changed it. */
export function formatLabels(row: { labels: { a: readonly CellValue[] | null; b: readonly CellValue[] | null } }): string[] {
  const { a, b } = row.labels;
  if (a === null || b === null) return (a ?? b ?? []).map(formatKey);
  return a.map((va, k) => {
    const vb = b[k];
    if (vb === undefined) return `${formatKey(va)} → (absent)`;
    return Object.is(va, vb) ? formatKey(va) : `${formatKey(va)} → ${formatKey(vb)}`;
  });
}

/** A config value: numbers and strings plain, anything else as JSON; "(absent)" when the run lacks the field. */
export function formatConfigValue(v: JsonValue | undefined): string {
  if (v === undefined) return "(absent)";
  if (typeof v === "string") return v;
  return typeof v === "number" || typeof v === "boolean" || v === null ? String(v) : JSON.stringify(v);
}

/** Columns padded to their widest entry, a dashed rule under the header. */
export function textTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const width = header.map((h, c) => Math.max([...h].length, ...rows.map((r) => [...(r[c] ?? "")].length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((x, c) => x + " ".repeat(Math.max(0, (width[c] ?? 0) - [...x].length)))
      .join("  ")
      .trimEnd();
  return [line(header), line(width.map((w) => "-".repeat(w))), ...rows.map(line)].join("\n");
}
