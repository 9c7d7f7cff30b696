import { formatNumber } from "../format.ts";
import { columnFormat } from "../format-uniform.ts";
import type { MetricsColumn, MetricsTable, MetricValue, Provenance } from "../report-document.ts";
import { escapeHtml } from "./escape.ts";

/**
 * The report's two tables: metrics (one row per SAE or grid cell) and
 * provenance (what produced these numbers).
 */

export function metricsTableHtml(table: MetricsTable): string {
  const divergedKey = table.divergedKey ?? "diverged";
  const columns = table.columns.map((c): MetricsColumn => (typeof c === "string" ? { key: c } : c));
  const isDiverged = (row: Readonly<Record<string, MetricValue>>) => row[divergedKey] === true;
  const divergedCount = table.rows.filter(isDiverged).length;
  // A status column only when something diverged: the badge reads as such in
  // grey print too, and keeps the numeric columns free of text.
  const statusColumn = divergedCount > 0;
  // Right-align a column (header included) when its values are numbers.
  const numeric = columns.map((c) => table.rows.some((r) => typeof r[c.key] === "number") && table.rows.every((r) => r[c.key] == null || typeof r[c.key] === "number"));
  // One number format per column, chosen from all of its values (format-uniform.ts).
  const formats = columns.map((c) =>
    columnFormat(
      table.rows.flatMap((r) => (typeof r[c.key] === "number" ? [r[c.key] as number] : [])),
      { digits: c.digits },
    ),
  );
  const head =
    (statusColumn ? '<th scope="col"><span class="sr-only">status</span></th>' : "") +
    columns.map((c, i) => `<th scope="col"${numeric[i] ? ' class="num"' : ""}>${headerHtml(c.label ?? c.key)}</th>`).join("");
  const body = table.rows
    .map((row) => {
      const diverged = isDiverged(row);
      const status = statusColumn ? `<td>${diverged ? '<span class="badge">diverged</span>' : ""}</td>` : "";
      const cells = columns.map((c, i) => `<td${numeric[i] ? ' class="num"' : ""}>${escapeHtml(formatCell(row[c.key] ?? null, formats[i]))}</td>`).join("");
      return `<tr${diverged ? ' class="diverged"' : ""}>${status}${cells}</tr>`;
    })
    .join("\n");
  const caption = table.caption ? `<caption>${escapeHtml(table.caption)}</caption>` : "";
  const note =
    divergedCount > 0
      ? `<p class="table-note">${divergedCount} of ${table.rows.length} rows diverged (loss became NaN/Inf); their values are those at the moment training was frozen.</p>`
      : "";
  return `<div class="table-wrap"><table class="metrics">${caption}<thead><tr>${head}</tr></thead>\n<tbody>\n${body}\n</tbody></table></div>${note}`;
}

/** A cell: numbers through the column's format (default: formatNumber on their own), words for the rest. */
export function formatCell(value: MetricValue, format: (value: number) => string = (v) => formatNumber(v)): string {
  if (value === null) return "—";
  if (typeof value === "boolean") return value ? "yes" : "no";
  if (typeof value === "number") return format(value);
  return value;
}

/**
 * A column header that may break after an underscore (mmcs_sae_to_true), so a wide table's
 * headers wrap instead of pushing it past the page edge; numbers themselves never break.
 */
function headerHtml(label: string): string {
  return escapeHtml(label).replace(/_/g, "_<wbr>");
}

export function provenanceTableHtml(provenance: Provenance): string {
  const row = (label: string, valueHtml: string) => `<tr><th scope="row">${escapeHtml(label)}</th><td>${valueHtml}</td></tr>`;
  const versions = Object.entries(provenance.packageVersions)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([name, version]) => `${escapeHtml(name)} ${escapeHtml(version)}`)
    .join("<br>");
  const totalSeconds = provenance.stageTimings.reduce((s, t) => s + t.seconds, 0);
  const timings = provenance.stageTimings
    .map((t) => `<tr><td>${escapeHtml(t.stage)}</td><td class="num">${escapeHtml(formatSeconds(t.seconds))}</td><td>${t.cached ? "cached" : "ran"}</td></tr>`)
    .join("");
  const rows = [
    provenance.experiment === undefined ? "" : row("Experiment", escapeHtml(provenance.experiment)),
    row("Config hash", `<code>${escapeHtml(provenance.configHash)}</code>`),
    provenance.source === undefined ? "" : row("Source", sourceHtml(provenance.source)),
    provenance.length === undefined ? "" : row("Length", escapeHtml(provenance.length)),
    row("Seeds", escapeHtml(provenance.seeds.join(", ") || "—")),
    row("Tensor backend", escapeHtml(provenance.backend)),
    row("Package versions", versions || "—"),
    row("Generated at", escapeHtml(provenance.generatedAt)),
  ].join("\n");
  const stageTable = provenance.stageTimings.length
    ? `<table class="stage-timings"><thead><tr><th scope="col">Stage</th><th scope="col">Time</th><th scope="col">Status</th></tr></thead><tbody>${timings}</tbody>` +
      `<tfoot><tr><th scope="row">Total</th><td class="num">${escapeHtml(formatSeconds(totalSeconds))}</td><td></td></tr></tfoot></table>`
    : "";
  return `<div class="provenance"><table class="provenance-table"><tbody>\n${rows}\n</tbody></table>${stageTable}</div>`;
}

function sourceHtml(source: NonNullable<Provenance["source"]>): string {
  const state = source.dirty === true ? " with uncommitted changes" : source.dirty === "unknown" ? " (whether the tree had uncommitted changes is unknown)" : "";
  return `commit <code>${escapeHtml(source.commit)}</code>${escapeHtml(state)}`;
}

/** "0.42 s", "12.3 s", "4 min 05 s", "2 h 04 min". */
export function formatSeconds(seconds: number): string {
  if (!Number.isFinite(seconds)) return "—";
  if (seconds < 60) return `${seconds < 10 ? seconds.toFixed(2) : seconds.toFixed(1)} s`;
  if (seconds >= 3600) {
    const minutes = Math.round(seconds / 60);
    return `${Math.floor(minutes / 60)} h ${String(minutes % 60).padStart(2, "0")} min`;
  }
  const whole = Math.round(seconds);
  const minutes = Math.floor(whole / 60);
  const rest = whole % 60;
  return `${minutes} min ${String(rest).padStart(2, "0")} s`;
}
