/**
 * Runs you can compare (issue 11), in a workspace of its own that is a git repository: lr-l1-grid
 * on the smoke profile at a clean commit (run a), then with one learning rate edited and not
 * committed (run b), then once more unedited, every stage replayed from the Nx cache. The
 * registry records each with its commit and dirty flag, every run's outputs are kept, and
 * `pipelines:compare` shows the one changed field and per-cell metric deltas that equal the
 * difference of the per-cell means computed here, with arquero, from the two metrics.arrow files.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { readArtifact, readFloatColumn, toArquero } from "@toy-sae/core/artifact/arrow";
import type { JsonValue } from "@toy-sae/core/artifact/provenance";
import { formatDelta } from "../../src/framework/compare-format.ts";
import { readRegistry, type RunRecord } from "../../src/framework/run-registry.ts";
import { taskStatus, tempWorkspace, type TempWorkspace } from "../workspace.ts";

const EXPERIMENT_FILE = "packages/pipelines/experiments/lr-l1-grid.json";
const LATEST = "artifacts/lr-l1-grid-smoke";
const STAGES = ["config", "generate", "train-model", "train-saes", "metrics", "plots", "report"];
/** The scalar metrics of lr-l1-grid's metrics.arrow, as the README lists them (not the key, index or per-cell flag columns). */
const METRICS = ["loss", "fvu", "l1_term", "l0", "dead", "monosemanticity", "mmcs", "mmcs_sae_to_true", "mcc", "off_axis_latents", "composed_latents", "diverged"];
const CELL = ["condition", "lr_index", "l1_index"];

interface ComparisonJson {
  a: RunRecord;
  b: RunRecord;
  config: Array<{ path: string; a?: JsonValue; b?: JsonValue }>;
  metrics: Array<{ metric: string; cell: Array<string | number>; a: { mean: number | null } | null; b: { mean: number | null } | null; delta: number | null }>;
}

let ws: TempWorkspace;
let head: string;
let original: string;
let compareOutput: { status: number; output: string };

function git(...args: string[]): string {
  const r = spawnSync("git", ["-C", ws.root, "-c", "user.name=test", "-c", "user.email=test@example.com", ...args], { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`git ${args.join(" ")}: ${r.stderr}`);
  return r.stdout.trim();
}

function runChain(): string {
  const r = ws.nx(["run", "pipelines:lr-l1-grid:smoke"]);
  if (r.status !== 0) console.error(r.output.slice(-4000));
  expect(r.status).toBe(0);
  return r.output;
}

/** The stage CLI as Nx runs it (the bundle the chain built): starts faster than the TypeScript source. */
function compareCli(args: string[]): { status: number; output: string } {
  const r = spawnSync(process.execPath, ["packages/pipelines/dist/cli.mjs", "compare", ...args], { cwd: ws.root, encoding: "utf8" });
  return { status: r.status ?? -1, output: `${r.stdout}\n${r.stderr}` };
}

const records = (): RunRecord[] => readRegistry(ws.root).records.filter((r) => r.experiment === "lr-l1-grid");
const kept = (r: RunRecord, file: string) => join(ws.root, r.path, file);

/** Per (condition, lr_index, l1_index) cell: the mean of every metric over the cell's realisations, by arquero. */
async function cellMeans(path: string): Promise<Map<string, Record<string, number>>> {
  const dt = toArquero((await readArtifact(path)).table);
  const rolled = dt.groupby(...CELL).rollup(Object.fromEntries(METRICS.map((m) => [m, `d => op.mean(d["${m}"])`])));
  const out = new Map<string, Record<string, number>>();
  for (const row of rolled.objects() as Array<Record<string, number | string>>) {
    out.set(JSON.stringify(CELL.map((c) => row[c])), Object.fromEntries(METRICS.map((m) => [m, Number(row[m])])));
  }
  return out;
}

async function lrs(path: string): Promise<number[]> {
  return [...new Set(readFloatColumn(await readArtifact(path), "lr"))].sort();
}

beforeAll(() => {
  ws = tempWorkspace();
  // a repository of the workspace copy, so runs have a commit; outputs and caches are not source
  writeFileSync(join(ws.root, ".gitignore"), "artifacts/\n.nx/\ndist/\nnode_modules\n");
  git("init", "-q");
  git("add", "-A");
  git("commit", "-q", "-m", "workspace");
  head = git("rev-parse", "HEAD");
  original = readFileSync(join(ws.root, EXPERIMENT_FILE), "utf8");
  runChain(); // run a: clean tree
  ws.editConfig("lr-l1-grid", (c) => {
    (c.profiles as Record<string, Record<string, Record<string, unknown>>>).smoke.sae.lr = [1e-3, 2e-3];
  });
  runChain(); // run b: one learning rate edited, not committed
  compareOutput = ws.nx(["run", "pipelines:compare", "--", "--experiment", "lr-l1-grid"]);
});
afterAll(() => ws?.dispose());

describe("the run registry", () => {
  it("records two runs of lr-l1-grid with distinct config hashes, the commit, and the dirty flag", () => {
    const [a, b] = records();
    expect(records()).toHaveLength(2);
    expect(a.configHash).toMatch(/^[0-9a-f]{64}$/);
    expect(b.configHash).not.toBe(a.configHash);
    expect(a).toMatchObject({ experiment: "lr-l1-grid", profile: "smoke", kind: "composed-grid", commit: head, dirty: false });
    expect(b).toMatchObject({ experiment: "lr-l1-grid", profile: "smoke", kind: "composed-grid", commit: head, dirty: true });
    expect(a.runId).toBe(`smoke-${a.configHash.slice(0, 12)}-${head.slice(0, 8)}`);
    expect(b.runId).toMatch(new RegExp(`^smoke-${b.configHash.slice(0, 12)}-${head.slice(0, 8)}-dirty-[0-9a-f]{8}$`));
    for (const r of [a, b]) {
      expect(r.stages.map((s) => s.stage)).toEqual(STAGES);
      expect(Date.parse(r.finishedAt)).toBeGreaterThan(Date.parse(r.startedAt));
      expect(r.backend).not.toBe("unknown");
    }
    // b's learning-rate edit reran train-saes onward; generate and train-model came from the cache, made by run a
    expect(a.stages.map((s) => s.replayed)).toEqual([false, false, false, false, false, false, false]);
    expect(b.stages.map((s) => s.replayed)).toEqual([false, true, true, false, false, false, false]);
    expect(b.stages.map((s) => s.dirty)).toEqual([true, false, false, true, true, true, true]);
  });

  it("keeps each run's outputs, with its git state in every artifact; artifacts/<name> is the latest run", async () => {
    const [a, b] = records();
    expect(await lrs(kept(a, "metrics/metrics.arrow"))).toEqual([1e-3, 3e-3]);
    expect(await lrs(kept(b, "metrics/metrics.arrow"))).toEqual([1e-3, 2e-3]);
    const meta = async (r: RunRecord, file: string) => (await readArtifact(kept(r, file))).metadata;
    expect(await meta(a, "metrics/metrics.arrow")).toMatchObject({ gitCommit: head, gitDirty: "false" });
    expect(await meta(b, "metrics/metrics.arrow")).toMatchObject({ gitCommit: head, gitDirty: "true" });
    // a replayed artifact carries the git state of the run that produced it
    expect(await meta(b, "generate/spec.arrow")).toMatchObject({ gitCommit: head, gitDirty: "false" });
    expect(readFileSync(join(ws.root, LATEST, "metrics/metrics.arrow")).equals(readFileSync(kept(b, "metrics/metrics.arrow")))).toBe(true);
    for (const r of [a, b]) expect(existsSync(kept(r, "report/index.html")), r.runId).toBe(true);
  });
});

describe("pipelines:compare", () => {
  const comparison = (r: ComparisonJson["a"], s: ComparisonJson["b"]) =>
    JSON.parse(readFileSync(join(ws.root, "artifacts/runs/lr-l1-grid", `compare-${r.runId}-${s.runId}.json`), "utf8")) as ComparisonJson;

  it("compares the last two runs and lists exactly the changed field", () => {
    if (compareOutput.status !== 0) console.error(compareOutput.output.slice(-4000));
    expect(compareOutput.status).toBe(0);
    const [a, b] = records();
    const lines = compareOutput.output.split("\n");
    expect(lines).toContain(`a = ${a.runId}: profile smoke, commit ${head.slice(0, 12)} (clean), finished ${a.finishedAt}, backend ${a.backend}`);
    const at = lines.indexOf("Config fields that differ");
    const table = lines.slice(at + 1, lines.indexOf("", at)).map((l) => l.split(/ {2,}/));
    expect(table).toEqual([
      ["field", "a", "b"],
      [expect.stringMatching(/^-+$/), expect.stringMatching(/^-+$/), expect.stringMatching(/^-+$/)],
      ["sae.lr[1]", "0.003", "0.002"],
    ]);
    expect(comparison(a, b).config).toEqual([{ path: "sae.lr[1]", a: 0.003, b: 0.002 }]);
  });

  it("gives every metric per cell, with deltas equal to the difference of the per-cell means of the two metrics.arrow files", async () => {
    const [a, b] = records();
    const c = comparison(a, b);
    const [ma, mb] = [await cellMeans(kept(a, "metrics/metrics.arrow")), await cellMeans(kept(b, "metrics/metrics.arrow"))];
    expect([...new Set(c.metrics.map((m) => m.metric))]).toEqual(METRICS);
    expect(c.metrics).toHaveLength(METRICS.length * ma.size); // 3 conditions × 2 × 2 grid positions, in both runs
    expect(ma.size).toBe(12);
    const printed = compareOutput.output.split("\n").map((l) => l.split(/ {2,}/));
    let changed = 0;
    for (const m of c.metrics) {
      const id = JSON.stringify(m.cell);
      const [ea, eb] = [ma.get(id)?.[m.metric], mb.get(id)?.[m.metric]];
      expect(ea, `${m.metric} ${id}`).toBeDefined();
      const expected = (eb as number) - (ea as number);
      expect(m.delta, `${m.metric} ${id}`).not.toBeNull();
      expect(Math.abs((m.delta as number) - expected), `${m.metric} ${id}: ${m.delta} vs ${expected}`).toBeLessThanOrEqual(1e-12 * Math.max(1, Math.abs(expected)));
      if (m.cell[1] === 0) expect(m.delta, `${m.metric} ${id}: an unedited cell reproduces bit for bit`).toBe(0);
      else if (m.delta !== 0) changed += 1;
      // the terminal table prints the same delta: metric, condition, lr_index, l1_index, lr, l1, a, b, delta
      const row = printed.find((p) => p[0] === m.metric && p[1] === m.cell[0] && p[2] === String(m.cell[1]) && p[3] === String(m.cell[2]));
      expect(row, `${m.metric} ${id} printed`).toBeDefined();
      expect(row?.[4]).toBe(m.cell[1] === 0 ? "0.001" : "0.003 → 0.002");
      expect(row?.[8]).toBe(formatDelta(expected));
    }
    expect(changed).toBeGreaterThan(METRICS.length); // the edited learning rate changes numbers
  });

  it("writes a self-contained HTML page with the tables and both runs' figures side by side", () => {
    const [a, b] = records();
    const html = readFileSync(join(ws.root, "artifacts/runs/lr-l1-grid", `compare-${a.runId}-${b.runId}.html`), "utf8");
    expect(html).not.toMatch(/<script|<link[^>]+href="http|src="http/);
    expect(html).toContain("<td>sae.lr[1]</td><td>0.003</td><td>0.002</td>");
    const ids = (r: RunRecord) => (JSON.parse(readFileSync(kept(r, "plots/figures.json"), "utf8")) as { figures: Array<{ id: string }> }).figures.map((f) => f.id);
    const figures = [...new Set([...ids(a), ...ids(b)])];
    expect(figures.length).toBeGreaterThan(5);
    expect((html.match(/<section class="pair"/g) ?? []).length).toBe(figures.length);
    expect((html.match(/<svg/g) ?? []).length).toBeGreaterThanOrEqual(2 * figures.length);
  });

  it("says what is missing: an unknown experiment, an experiment without two runs, an unknown run", () => {
    const fails = (args: string[], message: string) => {
      const r = compareCli(args);
      expect(r.status, r.output).not.toBe(0);
      expect(r.output).toContain(message);
      expect(r.output).not.toMatch(/\n\s+at /); // one line, no stack trace
    };
    fails(["--experiment", "no-such"], 'error: unknown experiment "no-such": no packages/pipelines/experiments/no-such.json');
    fails(["--experiment", "toy-l0-small"], "error: toy-l0-small has no runs recorded in artifacts/runs/runs.jsonl; compare needs two");
    fails(["--experiment", "lr-l1-grid", "--a", "smoke-nosuch"], 'error: --a "smoke-nosuch" is not a run of lr-l1-grid; its runs:');
    fails(["--experiment", "lr-l1-grid", "--profile", "paper"], "error: lr-l1-grid has no runs of profile paper recorded");
  });
});

describe("a rerun replayed from the cache", () => {
  it("is recorded as the run it reproduces, and leaves every kept run as it was", async () => {
    const [a, b] = records();
    writeFileSync(join(ws.root, EXPERIMENT_FILE), original); // back to the committed file: a clean tree again
    const output = runChain();
    for (const s of STAGES) expect(taskStatus(output, `lr-l1-grid:${s}:smoke`), s).toBe("cached");
    const all = records();
    expect(all).toHaveLength(3);
    const again = all[2];
    expect(again).toMatchObject({ runId: a.runId, configHash: a.configHash, commit: head, dirty: false });
    expect(again.stages.every((s) => s.replayed === true)).toBe(true);
    // Nx restored run a's files over the folder b's outputs were linked from: b's kept copy is untouched
    expect(await lrs(kept(b, "metrics/metrics.arrow"))).toEqual([1e-3, 2e-3]);
    expect(readFileSync(join(ws.root, LATEST, "metrics/metrics.arrow")).equals(readFileSync(kept(a, "metrics/metrics.arrow")))).toBe(true);
    // the last two runs recorded are now b, then a
    const r = compareCli(["--experiment", "lr-l1-grid"]);
    expect(r.status, r.output).toBe(0);
    expect(r.output).toContain(`a = ${b.runId}:`);
    expect(r.output).toContain(`b = ${a.runId}:`);
    expect(r.output).toMatch(/sae\.lr\[1\] {2}0\.002 {2}0\.003/);
  });
});
