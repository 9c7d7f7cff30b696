/**
 * `compare`: two kept runs of one experiment side by side (`npx nx run pipelines:compare --
 * --experiment <name> [--a <run>] [--b <run>] [--profile <p>]`).
 *
 * Prints the config fields that differ (dot paths, a → b) and every scalar metric of
 * metrics/metrics.arrow per grid cell (mean ± sd over replicates, cell-metrics.ts) with its
 * delta b − a, and writes the same tables with the two runs' figures side by side to
 * artifacts/runs/<experiment>/compare-<a>-<b>.html (and the numbers, unrounded, to .json).
 * Cells are matched by their key values: a cell only one run has shows "—" on the other side.
 * Without --a/--b it compares the last two runs recorded (a the older).
 */
import { existsSync, readdirSync } from "node:fs";
import { join, relative } from "node:path";
import { ArtifactError, readArtifact } from "@toy-sae/core/artifact/arrow";
import type { JsonValue } from "@toy-sae/core/artifact/provenance";
import { cellId, summariseMetrics, type CellValue, type MetricsSummary, type Stat } from "./cell-metrics.ts";
import { formatConfigValue, formatDelta, formatKey, formatLabels, formatStat, textTable } from "./compare-format.ts";
import { writeFileAtomic } from "./context.ts";
import type { KindDeclaration } from "./kind.ts";
import { configChanges, readRunConfig, type ConfigChange } from "./run-config.ts";
import { readRegistry, REGISTRY_FILE, runsOf, RUNS_DIR, type RunRecord } from "./run-registry.ts";
import type { Profile } from "./stages.ts";
import { KINDS } from "../kinds/registry.ts";

/** A mistake in what was asked (unknown experiment or run, too few runs): one line, no stack. */
export class CompareError extends Error {}

export interface MetricRow {
  metric: string;
  cell: CellValue[];
  /** The cell's label values in each run (null where the run lacks the cell). */
  labels: { a: CellValue[] | null; b: CellValue[] | null };
  /** Rows of the cell in each run (0 where the run lacks the cell). */
  rows: { a: number; b: number };
  a: Stat | null;
  b: Stat | null;
  /** b.mean − a.mean; NaN where either is missing. */
  delta: number;
}

export interface Comparison {
  experiment: string;
  a: RunRecord;
  b: RunRecord;
  config: ConfigChange[];
  /** The metrics table compared (metrics.arrow unless the kind names another). */
  file: string;
  cellColumns: string[];
  labelColumns: string[];
  replicate: string;
  metrics: MetricRow[];
}

export interface CompareOptions {
  workspaceRoot: string;
  experiment: string | undefined;
  a: string | undefined;
  b: string | undefined;
  /** Only runs of this profile; every profile when absent. */
  profile: Profile | undefined;
}

function experimentFiles(workspaceRoot: string): string[] {
  const dir = join(workspaceRoot, "packages/pipelines/experiments");
  return existsSync(dir)
    ? readdirSync(dir)
        .filter((f) => f.endsWith(".json"))
        .map((f) => f.slice(0, -5))
        .sort()
    : [];
}

function describeRun(r: RunRecord): string {
  return `${r.runId} (${r.profile}, finished ${r.finishedAt})`;
}

function chainCommand(experiment: string, profile: Profile | undefined): string {
  return `npx nx run pipelines:${experiment}${profile && profile !== "default" ? ":" + profile : ""}`;
}

/** A run by id or unique id prefix. */
function findRun(runs: readonly RunRecord[], asked: string, flag: string, experiment: string): RunRecord {
  const exact = runs.find((r) => r.runId === asked);
  if (exact) return exact;
  const [only, ...more] = runs.filter((r) => r.runId.startsWith(asked));
  const matches = only ? [only, ...more] : [];
  if (only && more.length === 0) return only;
  const list = runs.map(describeRun).join("\n  ");
  if (matches.length > 1)
    throw new CompareError(`${flag} "${asked}" matches ${matches.length} runs of ${experiment}; give more of the id:\n  ${matches.map(describeRun).join("\n  ")}`);
  throw new CompareError(`${flag} "${asked}" is not a run of ${experiment}; its runs:\n  ${list}`);
}

export interface RunChoice {
  experiment: string;
  a?: string;
  b?: string;
  profile?: Profile;
  /** The experiments that have a file, for "unknown experiment". */
  known: readonly string[];
}

/** The two runs to compare: as asked, else the last two recorded (a the older). */
export function pickRuns(records: readonly RunRecord[], options: RunChoice): { a: RunRecord; b: RunRecord } {
  const { experiment, profile } = options;
  const all = runsOf(records, experiment);
  if (all.length === 0 && !options.known.includes(experiment)) {
    throw new CompareError(
      `unknown experiment "${experiment}": no packages/pipelines/experiments/${experiment}.json and no runs of it in ${REGISTRY_FILE}; experiments: ${options.known.join(", ")}`,
    );
  }
  const runs = runsOf(records, experiment, profile);
  const of = profile ? ` of profile ${profile}` : "";
  if (runs.length < 2) {
    const [one] = runs;
    const have = one ? `only one run${of} (${describeRun(one)})` : `no runs${of} recorded in ${REGISTRY_FILE}`;
    throw new CompareError(
      `${experiment} has ${have}; compare needs two: run ${chainCommand(experiment, profile)}, change a field in packages/pipelines/experiments/${experiment}.json and run it again`,
    );
  }
  const a = options.a ? findRun(runs, options.a, "--a", experiment) : undefined;
  const b = options.b ? findRun(runs, options.b, "--b", experiment) : undefined;
  const latestExcept = (other: RunRecord | undefined) => [...runs].reverse().find((r) => r.runId !== other?.runId) as RunRecord;
  const second = b ?? latestExcept(a);
  const first = a ?? latestExcept(second);
  if (first.runId === second.runId) throw new CompareError(`--a and --b name the same run (${first.runId}); compare needs two different runs`);
  return { a: first, b: second };
}

async function summaryOf(workspaceRoot: string, run: RunRecord): Promise<MetricsSummary> {
  const folder = join(workspaceRoot, run.path);
  if (!existsSync(folder)) throw new CompareError(`the outputs of run ${run.runId} are gone (${run.path} is missing); rerun that config to keep them again`);
  const load = KINDS[run.kind as keyof typeof KINDS];
  if (!load) throw new CompareError(`run ${run.runId} is of kind "${run.kind}", which is not registered (kinds: ${Object.keys(KINDS).join(", ")})`);
  const kind = (await load()).kind as KindDeclaration;
  try {
    return summariseMetrics(await readArtifact(join(folder, "metrics", kind.metricsCells.file ?? "metrics.arrow")), kind.metricsCells);
  } catch (e) {
    // a damaged or foreign metrics.arrow: say which run's file and why, in one line
    if (e instanceof ArtifactError) throw new CompareError(`run ${run.runId}: ${e.message}`);
    throw e;
  }
}

/** Every metric of either run × every cell of either run, a's order first. */
function metricRows(a: MetricsSummary, b: MetricsSummary): MetricRow[] {
  const cells = new Map<string, CellValue[]>();
  for (const c of [...a.cells, ...b.cells]) if (!cells.has(cellId(c.key))) cells.set(cellId(c.key), c.key);
  const index = (s: MetricsSummary) => new Map(s.cells.map((c) => [cellId(c.key), c]));
  const ia = index(a);
  const ib = index(b);
  const metrics = [...new Set([...a.metrics, ...b.metrics])];
  return metrics.flatMap((metric) =>
    [...cells].map(([id, cell]) => {
      const sa = ia.get(id)?.metrics[metric] ?? null;
      const sb = ib.get(id)?.metrics[metric] ?? null;
      const [ca, cb] = [ia.get(id), ib.get(id)];
      return {
        metric,
        cell,
        labels: { a: ca?.labels ?? null, b: cb?.labels ?? null },
        rows: { a: ca?.rows ?? 0, b: cb?.rows ?? 0 },
        a: sa,
        b: sb,
        delta: sa && sb ? sb.mean - sa.mean : NaN,
      };
    }),
  );
}

export async function buildComparison(workspaceRoot: string, experiment: string, a: RunRecord, b: RunRecord): Promise<Comparison> {
  const [sa, sb] = [await summaryOf(workspaceRoot, a), await summaryOf(workspaceRoot, b)];
  if (sa.cellColumns.join() !== sb.cellColumns.join() || sa.labelColumns.join() !== sb.labelColumns.join()) {
    throw new CompareError(
      `runs ${a.runId} and ${b.runId} name their grid cells differently (${[...sa.cellColumns, ...sa.labelColumns].join(", ")} vs ${[...sb.cellColumns, ...sb.labelColumns].join(", ")}); they cannot be compared cell by cell`,
    );
  }
  const configOf = (r: RunRecord) => readRunConfig(join(workspaceRoot, r.path)).config;
  return {
    experiment,
    a,
    b,
    config: configChanges(configOf(a), configOf(b)),
    file: sa.file,
    cellColumns: sa.cellColumns,
    replicate: sa.replicate,
    labelColumns: sa.labelColumns,
    metrics: metricRows(sa, sb),
  };
}

/** What `compare` prints: the two runs, the config fields that differ, the metrics per cell. */
export function comparisonText(c: Comparison): string {
  const run = (label: string, r: RunRecord) =>
    `${label} = ${r.runId}: profile ${r.profile}, commit ${r.commit.slice(0, 12)}${r.dirty === true ? " (dirty)" : r.dirty === "unknown" ? "" : " (clean)"}, finished ${r.finishedAt}, backend ${r.backend}`;
  const config = c.config.length
    ? textTable(
        ["field", "a", "b"],
        c.config.map((x) => [x.path, formatConfigValue(x.a), formatConfigValue(x.b)]),
      )
    : "(none: the two runs have the same config)";
  const metrics = textTable(
    ["metric", ...c.cellColumns, ...c.labelColumns, "a", "b", "delta (b - a)"],
    c.metrics.map((m) => [m.metric, ...m.cell.map(formatKey), ...formatLabels(m), formatStat(m.a, m.rows.a), formatStat(m.b, m.rows.b), formatDelta(m.delta)]),
  );
  return [
    `Compare ${c.experiment}`,
    run("a", c.a),
    run("b", c.b),
    "",
    "Config fields that differ",
    config,
    "",
    `Metrics per cell (mean ± sd over ${c.replicate}; cells matched by ${c.cellColumns.join(", ")}; a cell only one run has shows — on the other side)`,
    metrics,
    "",
  ].join("\n");
}

/** NaN and missing values as null: JSON has no NaN. */
function jsonOf(c: Comparison): JsonValue {
  return JSON.parse(JSON.stringify(c, (_, v: unknown) => (typeof v === "number" && !Number.isFinite(v) ? null : v))) as JsonValue;
}

export function comparisonPaths(workspaceRoot: string, c: Comparison): { html: string; json: string } {
  const base = join(workspaceRoot, RUNS_DIR, c.experiment, `compare-${c.a.runId}-${c.b.runId}`);
  return { html: `${base}.html`, json: `${base}.json` };
}

export async function compareCommand(options: CompareOptions): Promise<Comparison> {
  const known = experimentFiles(options.workspaceRoot);
  if (!options.experiment) throw new CompareError(`compare: --experiment <name> is required; experiments: ${known.join(", ")}`);
  const registry = readRegistry(options.workspaceRoot);
  for (const line of registry.skipped) process.stderr.write(`[compare] skipped ${line}\n`);
  const { a, b } = pickRuns(registry.records, { experiment: options.experiment, a: options.a, b: options.b, profile: options.profile, known });
  const comparison = await buildComparison(options.workspaceRoot, options.experiment, a, b);
  process.stdout.write(comparisonText(comparison));
  const { comparisonHtml } = await import("./compare-html.ts");
  const paths = comparisonPaths(options.workspaceRoot, comparison);
  writeFileAtomic(paths.json, JSON.stringify(jsonOf(comparison), null, 2) + "\n");
  writeFileAtomic(paths.html, comparisonHtml(options.workspaceRoot, comparison));
  process.stderr.write(`[compare] ${relative(options.workspaceRoot, paths.html)} (numbers unrounded: ${relative(options.workspaceRoot, paths.json)})\n`);
  return comparison;
}
