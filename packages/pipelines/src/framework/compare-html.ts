/**
 * The HTML page of `compare`: the two runs, the config fields that differ, the metrics per cell
 * (the tables the terminal shows), then every figure of either run's plots/figures.json with
 * run a's drawing beside run b's. Self-contained: SVG inline, no script, no network.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { escapeHtml, REPORT_CSS, scopeSvgIds } from "@toy-sae/report";
import type { Comparison } from "./compare.ts";
import { formatConfigValue, formatDelta, formatKey, formatLabels, formatStat } from "./compare-format.ts";
import { parseManifest, type FigureEntry } from "./manifest.ts";
import type { RunRecord } from "./run-registry.ts";

interface RunFigures {
  figures: FigureEntry[];
  svg(figure: FigureEntry): string;
}

function figuresOf(workspaceRoot: string, run: RunRecord, side: "a" | "b"): RunFigures {
  const plots = join(workspaceRoot, run.path, "plots");
  const manifestPath = join(plots, "figures.json");
  if (!existsSync(manifestPath)) return { figures: [], svg: () => "" };
  const manifest = parseManifest(readFileSync(manifestPath, "utf8"), manifestPath);
  // two drawings of one figure in one page: without scoping, b's clip paths would resolve to a's
  return { figures: manifest.figures, svg: (f) => scopeSvgIds(readFileSync(join(plots, f.file), "utf8").trim(), `${side}-${f.id}`) };
}

function table(header: readonly string[], rows: readonly (readonly string[])[], numeric: ReadonlySet<number> = new Set()): string {
  const cell = (tag: string, text: string, c: number) => `<${tag}${numeric.has(c) ? ' class="num"' : ""}>${escapeHtml(text)}</${tag}>`;
  return `<table>\n<thead><tr>${header.map((h, c) => cell("th", h, c)).join("")}</tr></thead>\n<tbody>\n${rows.map((r) => `<tr>${r.map((x, c) => cell("td", x, c)).join("")}</tr>`).join("\n")}\n</tbody>\n</table>`;
}

function runsTable(c: Comparison): string {
  const dirty = (r: RunRecord) => (r.dirty === "unknown" ? "unknown" : r.dirty ? "yes" : "no");
  const fields: Array<[string, (r: RunRecord) => string]> = [
    ["run", (r) => r.runId],
    ["profile", (r) => r.profile],
    ["config hash", (r) => r.configHash],
    ["commit", (r) => r.commit],
    ["uncommitted changes", dirty],
    ["started", (r) => r.startedAt],
    ["finished", (r) => r.finishedAt],
    ["tensor backend", (r) => r.backend],
    ["stage seconds", (r) => r.stages.map((s) => `${s.stage} ${s.seconds.toFixed(1)}${s.replayed ? " (replayed)" : ""}`).join(", ")],
  ];
  return table(
    ["", "a", "b"],
    fields.map(([label, of]) => [label, of(c.a), of(c.b)]),
  );
}

function figurePairs(workspaceRoot: string, c: Comparison): string {
  const a = figuresOf(workspaceRoot, c.a, "a");
  const b = figuresOf(workspaceRoot, c.b, "b");
  const ids = [...new Set([...a.figures, ...b.figures].map((f) => f.id))];
  if (!ids.length) return "<p>Neither run has figures.</p>";
  const side = (run: RunFigures, id: string) => {
    const f = run.figures.find((x) => x.id === id);
    return f ? `<div class="side">${run.svg(f)}</div>` : `<div class="side missing">not drawn in this run</div>`;
  };
  return ids
    .map((id) => {
      const title = (a.figures.find((f) => f.id === id) ?? b.figures.find((f) => f.id === id))?.title ?? id;
      return `<section class="pair" id="figure-${escapeHtml(id)}">\n<h3>${escapeHtml(title)}</h3>\n<div class="sides"><div class="label">a</div><div class="label">b</div>${side(a, id)}${side(b, id)}</div>\n</section>`;
    })
    .join("\n");
}

export function comparisonHtml(workspaceRoot: string, c: Comparison): string {
  const config = c.config.length
    ? table(
        ["field", "a", "b"],
        c.config.map((x) => [x.path, formatConfigValue(x.a), formatConfigValue(x.b)]),
      )
    : "<p>None: the two runs have the same config.</p>";
  const keyCount = c.cellColumns.length + c.labelColumns.length;
  const metrics = table(
    ["metric", ...c.cellColumns, ...c.labelColumns, "a", "b", "Δ (b − a)"],
    c.metrics.map((m) => [m.metric, ...m.cell.map(formatKey), ...formatLabels(m), formatStat(m.a, m.rows.a), formatStat(m.b, m.rows.b), formatDelta(m.delta)]),
    new Set([keyCount + 1, keyCount + 2, keyCount + 3]),
  );
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(`${c.experiment}: ${c.a.runId} vs ${c.b.runId}`)}</title>
<style>${REPORT_CSS}
body { max-width: 1400px; }
td.num, th.num { text-align: right; white-space: nowrap; font-variant-numeric: tabular-nums; }
.sides { display: grid; grid-template-columns: 1fr 1fr; gap: .5rem 1.5rem; align-items: start; }
.sides .label { font-weight: bold; color: var(--muted); }
.sides svg { width: 100%; height: auto; }
.missing { color: var(--muted); font-style: italic; }
.pair { break-inside: avoid; page-break-inside: avoid; }
</style>
</head>
<body>
<header>
<h1>${escapeHtml(c.experiment)}: run a vs run b</h1>
<p class="summary">${c.config.length === 1 ? "1 config field differs" : `${c.config.length} config fields differ`}; every scalar metric of ${escapeHtml(c.file)} per grid cell (${escapeHtml(c.cellColumns.join(", "))}), mean ± sd over ${escapeHtml(c.replicate)}, with the difference b − a.</p>
</header>
<main>
<h2 id="runs">The runs</h2>
${runsTable(c)}
<h2 id="config">Config fields that differ</h2>
${config}
<h2 id="metrics">Metrics per cell</h2>
<p>Cells are matched by ${escapeHtml(c.cellColumns.join(", "))}${c.labelColumns.length ? `; ${escapeHtml(c.labelColumns.join(", "))} show "a → b" where an edit changed them` : ""}. A cell only one run has shows — on the other side; "(n=k)" counts the values left after NaN ones (diverged SAEs) were left out.</p>
${metrics}
<h2 id="figures">Figures</h2>
${figurePairs(workspaceRoot, c)}
</main>
</body>
</html>
`;
}
