/**
 * The reproduction index (`nx run pipelines:reproduce`): one row per figure of the source
 * documents (framework/catalogue.ts, 1–36) with its title, a thumbnail, the experiments whose
 * runs draw it with links into their reports, the finding the original reports, and whether
 * this run shows it — collected from every experiment's plots/figures.json, where each kind
 * records the figures it drew and the findings that decide them. Written as
 * artifacts/index.html, index.json and index.pdf (index-<profile>.* for smoke and paper).
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { basename, join } from "node:path";
import { REPORT_CSS, escapeHtml, scopeSvgIds } from "@toy-sae/report";
import { CATALOGUE } from "./catalogue.ts";
import { artifactRoot, stageCommand, writeFileAtomic } from "./context.ts";
import { parseManifest, type FigureManifest } from "./manifest.ts";
import { printPdf } from "./report-output.ts";
import type { Profile } from "./stages.ts";

export type IndexStatus = "shows" | "does-not-show" | "not-implemented";

export interface IndexEntry {
  figure: number;
  title: string;
  /** The first experiment that draws it (null when none does). */
  experiment: string | null;
  status: IndexStatus;
  /** Every experiment that draws it, with its own status, report link and measured findings. */
  experiments: Array<{ experiment: string; status: "shows" | "does-not-show"; link: string; measured: string[] }>;
  source: string;
  finding: string;
}

export function indexName(profile: Profile): string {
  return profile === "default" ? "index" : `index-${profile}`;
}

/** Each experiment's manifest for the profile; an experiment whose plots stage has not run is an error. */
export function readManifests(workspaceRoot: string, profile: Profile): Array<{ experiment: string; dir: string; manifest: FigureManifest }> {
  const experimentsDir = join(workspaceRoot, "packages/pipelines/experiments");
  const names = readdirSync(experimentsDir)
    .filter((f) => f.endsWith(".json"))
    .map((f) => basename(f, ".json"))
    .sort();
  return names.map((experiment) => {
    const root = artifactRoot(workspaceRoot, experiment, profile);
    const path = join(root, "plots", "figures.json");
    if (!existsSync(path)) throw new Error(`${path} is missing: run ${stageCommand(experiment, "report", profile)} (nx run pipelines:reproduce runs every experiment first)`);
    return { experiment, dir: basename(root), manifest: parseManifest(readFileSync(path, "utf8"), path) };
  });
}

export function indexEntries(manifests: ReturnType<typeof readManifests>): IndexEntry[] {
  return CATALOGUE.map((c) => {
    const experiments = manifests.flatMap(({ experiment, dir, manifest }) =>
      manifest.reproduces
        .filter((r) => r.figure === c.figure)
        .map((r) => ({
          experiment,
          status: r.status,
          link: `${dir}/report/index.html#${r.figures[0]}`,
          measured: r.findings
            .map((id) => manifest.findings.find((f) => f.id === id))
            .flatMap((f) => (f ? [`${f.holds === null ? "not tested" : f.holds ? "shows" : "does not show"}: ${f.text}`] : [])),
        })),
    );
    const status: IndexStatus = experiments.length === 0 ? "not-implemented" : experiments.every((e) => e.status === "shows") ? "shows" : "does-not-show";
    return { figure: c.figure, title: c.title, experiment: experiments[0]?.experiment ?? null, status, experiments, source: c.source, finding: c.finding };
  });
}

function thumbnail(workspaceRoot: string, manifests: ReturnType<typeof readManifests>, entry: IndexEntry): string {
  const first = entry.experiments[0];
  if (!first) return "";
  const found = manifests.find((m) => m.experiment === first.experiment) ?? manifests[0];
  if (!found) return "";
  const { manifest, dir } = found;
  const id = first.link.split("#")[1];
  const figure = manifest.figures.find((f) => f.id === id);
  if (!figure) return "";
  const svg = readFileSync(join(workspaceRoot, "artifacts", dir, "plots", figure.file), "utf8");
  return `<a href="${escapeHtml(first.link)}" class="thumb">${scopeSvgIds(svg.trim(), `fig${entry.figure}`)}</a>`;
}

const STATUS_TEXT: Record<IndexStatus, string> = { shows: "shows", "does-not-show": "does not show", "not-implemented": "not implemented yet" };

export function indexHtml(workspaceRoot: string, profile: Profile, manifests: ReturnType<typeof readManifests>, entries: IndexEntry[]): string {
  const count = (s: IndexStatus) => entries.filter((e) => e.status === s).length;
  const rows = entries
    .map(
      (e) => `<tr class="${e.status}">
<td class="num">${e.figure}</td>
<td><strong>${escapeHtml(e.title)}</strong><br><span class="source">${escapeHtml(e.source)}</span></td>
<td class="thumb-cell">${thumbnail(workspaceRoot, manifests, e)}</td>
<td>${e.experiments.map((x) => `<a href="${escapeHtml(x.link)}">${escapeHtml(x.experiment)}</a>`).join("<br>") || "—"}</td>
<td>${escapeHtml(e.finding)}</td>
<td><span class="status ${e.status}">${STATUS_TEXT[e.status]}</span>${e.experiments
        .flatMap((x) => x.measured)
        .map((m) => `<div class="measured">${escapeHtml(m)}</div>`)
        .join("")}</td>
</tr>`,
    )
    .join("\n");
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Reproduction index (${escapeHtml(profile)} profile)</title>
<style>${REPORT_CSS}
body { max-width: 1200px; }
td.thumb-cell { width: 190px; }
a.thumb svg { display: block; width: 180px; height: auto; max-height: 180px; }
.source { color: var(--muted); font-size: .78rem; }
.status { font-weight: bold; padding: 0 .3rem; border-radius: 3px; }
.status.shows { background: #d8f0dc; color: #17602a; }
.status.does-not-show { background: var(--alert-bg); color: var(--alert); }
.status.not-implemented { background: #eceff1; color: var(--muted); }
.measured { color: var(--muted); font-size: .75rem; margin-top: .2rem; }
tr { break-inside: avoid; page-break-inside: avoid; }
</style>
</head>
<body>
<header>
<h1>Reproduction index — profile ${escapeHtml(profile)}</h1>
<p class="summary">Every figure of the source documents (../shared/reference/seed-experiments.md, figures 1–26; arena-toy-models.md, 27–36): which experiment draws it, what the original reports, and whether this run shows it, as each report computes it from its metrics.
${count("shows")} show, ${count("does-not-show")} do not show, ${count("not-implemented")} are not implemented yet.</p>
</header>
<main>
<table>
<thead><tr><th class="num">#</th><th>Figure</th><th>Thumbnail</th><th>Experiment</th><th>The original reports</th><th>This run</th></tr></thead>
<tbody>
${rows}
</tbody>
</table>
</main>
</body>
</html>
`;
}

export async function buildReproductionIndex(workspaceRoot: string, profile: Profile): Promise<void> {
  const manifests = readManifests(workspaceRoot, profile);
  const entries = indexEntries(manifests);
  const base = join(workspaceRoot, "artifacts", indexName(profile));
  writeFileAtomic(`${base}.json`, JSON.stringify(entries, null, 2) + "\n");
  writeFileAtomic(`${base}.html`, indexHtml(workspaceRoot, profile, manifests, entries));
  const pdf = await printPdf(`${base}.html`, `${base}.pdf`);
  const tally = (s: IndexStatus) => entries.filter((e) => e.status === s).length;
  process.stderr.write(
    `[reproduce] ${tally("shows")} figures show, ${tally("does-not-show")} do not, ${tally("not-implemented")} not implemented → ${base}.html${pdf.ok ? `, ${base}.pdf` : ` (${pdf.message})`}\n`,
  );
}
