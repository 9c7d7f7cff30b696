import { formatNumber } from "../format.ts";
import type { MetricsColumn, MetricsTable, MetricValue, Provenance } from "../report-document.ts";
import { escapeHtml } from "./escape.ts";

/**
 * The report's two tables: metrics (one row per SAE or grid cell) and
 * provenance (what produced these numbers).
 */

export function metricsTableHtml(table: MetricsTable): string {
  const divergedKey = table.divergedKey ?? "diverged";
  const columns = table.columns.map((c): MetricsColumn => (typeof c === "string" ? { key: c } : c));
  const head = columns.map((c) => `<th scope="col">${escapeHtml(c.label ?? c.key)}</th>`).join("");
  let divergedCount = 0;
  const body = table.rows
    .map((row) => {
      const diverged = row[divergedKey] === true;
      if (diverged) divergedCount += 1;
      const cells = columns
        .map((c, i) => {
          const value = row[c.key] ?? null;
          const numeric = typeof value === "number";
          const text = escapeHtml(formatCell(value, c.digits));
          // The first cell carries the badge, so a diverged row reads as such in grey print too.
          const badge = diverged && i === 0 ? ' <span class="badge">diverged</span>' : "";
          return `<td${numeric ? ' class="num"' : ""}>${text}${badge}</td>`;
        })
        .join("");
      return `<tr${diverged ? ' class="diverged"' : ""}>${cells}</tr>`;
    })
    .join("\n");
  const caption = table.caption ? `<caption>${escapeHtml(table.caption)}</caption>` : "";
  const note =
    divergedCount > 0
      ? `<p class="table-note">${divergedCount} of ${table.rows.length} rows diverged (loss became NaN/Inf); their values are those at the moment training was frozen.</p>`
      : "";
  return `<div class="table-wrap"><table class="metrics">${caption}<thead><tr>${head}</tr></thead>\n<tbody>\n${body}\n</tbody></table></div>${note}`;
}

export function formatCell(value: MetricValue, digits?: number): string {
  if (value === null) return "—";
  if (typeof value === "boolean") return value ? "yes" : "no";
  if (typeof value === "number") return formatNumber(value, { digits });
  return value;
}

export function provenanceTableHtml(provenance: Provenance): string {
  const row = (label: string, valueHtml: string) => `<tr><th scope="row">${escapeHtml(label)}</th><td>${valueHtml}</td></tr>`;
  const versions = Object.entries(provenance.packageVersions)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([name, version]) => `${escapeHtml(name)} ${escapeHtml(version)}`)
    .join("<br>");
  const totalSeconds = provenance.stageTimings.reduce((s, t) => s + t.seconds, 0);
  const timings = provenance.stageTimings
    .map(
      (t) =>
        `<tr><td>${escapeHtml(t.stage)}</td><td class="num">${escapeHtml(formatSeconds(t.seconds))}</td><td>${t.cached ? "cached" : "ran"}</td></tr>`,
    )
    .join("");
  const rows = [
    provenance.experiment === undefined ? "" : row("Experiment", escapeHtml(provenance.experiment)),
    row("Config hash", `<code>${escapeHtml(provenance.configHash)}</code>`),
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

/** "0.42 s", "12.3 s", "4 min 05 s". */
export function formatSeconds(seconds: number): string {
  if (!Number.isFinite(seconds)) return "—";
  if (seconds < 60) return `${seconds < 10 ? seconds.toFixed(2) : seconds.toFixed(1)} s`;
  const whole = Math.round(seconds);
  const minutes = Math.floor(whole / 60);
  const rest = whole % 60;
  return `${minutes} min ${String(rest).padStart(2, "0")} s`;
}
