/**
 * compare's parts on data made here (the pipelines test `runs.test.ts` runs it on two real smoke
 * runs): the per-cell summary of a metrics table, which runs it picks and how it refuses, and
 * how it writes numbers.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { readArtifact, writeArtifact, type Artifact, type ArtifactColumns } from "@toy-sae/core/artifact/arrow";
import { cellId, stat, summariseMetrics, type MetricsCells } from "../src/framework/cell-metrics.ts";
import { formatDelta, formatLabels, formatStat, formatValue, textTable } from "../src/framework/compare-format.ts";
import { CompareError, pickRuns } from "../src/framework/compare.ts";
import type { RunRecord } from "../src/framework/run-registry.ts";
import { kind as composed } from "../src/kinds/composed/kind.ts";

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "toy-sae-compare-"));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function artifact(name: string, columns: ArtifactColumns): Promise<Artifact> {
  await writeArtifact(join(dir, name), columns);
  return readArtifact(join(dir, name));
}

const GRID: MetricsCells = { cells: ["condition", "lr_index"], labels: ["lr"], replicate: "instance", ignore: ["d_sae"] };

describe("summariseMetrics", () => {
  it("averages every numeric and boolean column per cell over its replicates, leaving out cells, labels, replicate and ignored columns", async () => {
    const art = await artifact("m.arrow", {
      condition: ["c", "c", "c", "u", "u"],
      lr_index: Int32Array.from([0, 0, 1, 0, 0]),
      lr: [1e-3, 1e-3, 3e-3, 1e-3, 1e-3],
      instance: Int32Array.from([0, 1, 0, 0, 1]),
      d_sae: Int32Array.from([4, 4, 4, 4, 4]),
      loss: [1, 3, 5, NaN, 2],
      diverged: [false, true, false, true, false],
      note: ["x", "y", "z", "w", "v"],
    });
    const s = summariseMetrics(art, GRID);
    expect(s.metrics).toEqual(["loss", "diverged"]);
    expect(s.cells.map((c) => [c.key, c.labels, c.rows])).toEqual([
      [["c", 0], [1e-3], 2],
      [["c", 1], [3e-3], 1],
      [["u", 0], [1e-3], 2],
    ]);
    expect(s.cells[0].metrics.loss).toEqual({ mean: 2, sd: Math.SQRT2, n: 2 });
    expect(s.cells[0].metrics.diverged).toEqual({ mean: 0.5, sd: Math.SQRT1_2, n: 2 });
    expect(s.cells[1].metrics.loss.n).toBe(1);
    expect(s.cells[1].metrics.loss.sd).toBeNaN();
    // a NaN (diverged) value is left out of its cell's mean, and counted
    expect(s.cells[2].metrics.loss).toMatchObject({ mean: 2, n: 1 });
  });

  it("refuses a label that varies within a cell, and names missing key columns", async () => {
    const art = await artifact("bad.arrow", { condition: ["c", "c"], lr_index: Int32Array.from([0, 0]), lr: [1e-3, 2e-3], instance: Int32Array.from([0, 1]), loss: [1, 2] });
    expect(() => summariseMetrics(art, GRID)).toThrow(/column "lr" takes 2 values in the cell \["c",0\], so it cannot label the cell/);
    expect(() => summariseMetrics(art, { ...GRID, replicate: "seed" })).toThrow(/no column "seed", which the kind names/);
  });

  it("treats NaN keys as one cell (sparse-but-wrong's ρ of random-matrix runs)", () => {
    expect(cellId(["r", NaN])).toBe(cellId(["r", NaN]));
    expect(cellId(["r", NaN])).not.toBe(cellId(["r", 0]));
  });

  it("computes the sample standard deviation", () => {
    expect(stat([2, 4, 4, 4, 5, 5, 7, 9])).toEqual({ mean: 5, sd: Math.sqrt(32 / 7), n: 8 });
  });

  it("matches the composed kind's cells by grid position, so an edited lr meets the one it replaced", () => {
    expect(composed.metricsCells.cells).toEqual(["condition", "lr_index", "l1_index"]);
    expect(composed.metricsCells.labels).toEqual(["lr", "l1"]);
  });
});

function record(id: string, profile: RunRecord["profile"] = "smoke"): RunRecord {
  return {
    format: 1,
    runId: id,
    experiment: "lr-l1-grid",
    profile,
    kind: "composed-grid",
    configHash: "h",
    commit: "unknown",
    dirty: "unknown",
    startedAt: "t0",
    finishedAt: "t1",
    backend: "cpu",
    stages: [],
    path: `artifacts/runs/lr-l1-grid/${id}`,
  };
}

describe("pickRuns", () => {
  const known = ["lr-l1-grid", "toy-l0-small"];
  const records = [record("smoke-aaa1"), record("smoke-bbb2"), record("default-ccc3", "default"), record("smoke-aaa9")];
  const pick = (options: { a?: string; b?: string; profile?: RunRecord["profile"]; experiment?: string }, from = records) => {
    const { a, b } = pickRuns(from, { experiment: "lr-l1-grid", known, ...options });
    return [a.runId, b.runId];
  };

  it("takes the last two runs recorded, the older as a", () => {
    expect(pick({})).toEqual(["default-ccc3", "smoke-aaa9"]);
    expect(pick({ profile: "smoke" })).toEqual(["smoke-bbb2", "smoke-aaa9"]);
    // recording a run again makes it the latest
    expect(pick({}, [...records, record("smoke-bbb2")])).toEqual(["smoke-aaa9", "smoke-bbb2"]);
  });

  it("takes --a and --b by id or unique prefix, and the latest other run for the one not given", () => {
    expect(pick({ a: "smoke-aaa1", b: "smoke-bbb2" })).toEqual(["smoke-aaa1", "smoke-bbb2"]);
    expect(pick({ a: "smoke-b" })).toEqual(["smoke-bbb2", "smoke-aaa9"]);
    expect(pick({ b: "smoke-aaa9" })).toEqual(["default-ccc3", "smoke-aaa9"]);
    expect(pick({ a: "smoke-aaa9" })).toEqual(["smoke-aaa9", "default-ccc3"]);
  });

  it("says what is missing: an unknown experiment, fewer than two runs, an unknown or ambiguous run, the same run twice", () => {
    const fails = (options: Parameters<typeof pick>[0], from = records) => {
      try {
        pick(options, from);
      } catch (e) {
        expect(e).toBeInstanceOf(CompareError);
        return (e as Error).message;
      }
      throw new Error("did not fail");
    };
    expect(fails({ experiment: "nope" })).toBe(
      'unknown experiment "nope": no packages/pipelines/experiments/nope.json and no runs of it in artifacts/runs/runs.jsonl; experiments: lr-l1-grid, toy-l0-small',
    );
    expect(fails({ experiment: "toy-l0-small" })).toMatch(
      /^toy-l0-small has no runs recorded in artifacts\/runs\/runs\.jsonl; compare needs two: run npx nx run pipelines:toy-l0-small, change a field/,
    );
    expect(fails({ profile: "default" })).toMatch(
      /^lr-l1-grid has only one run of profile default \(default-ccc3 \(default, finished t1\)\); compare needs two: run npx nx run pipelines:lr-l1-grid, change/,
    );
    expect(fails({ profile: "paper" })).toMatch(/has no runs of profile paper recorded.*npx nx run pipelines:lr-l1-grid:paper/);
    expect(fails({ a: "smoke-zzz" })).toMatch(/^--a "smoke-zzz" is not a run of lr-l1-grid; its runs:\n {2}smoke-aaa1 \(smoke, finished t1\)/);
    expect(fails({ b: "smoke-aaa" })).toMatch(/^--b "smoke-aaa" matches 2 runs of lr-l1-grid; give more of the id/);
    expect(fails({ a: "smoke-aaa1", b: "smoke-aaa1" })).toBe("--a and --b name the same run (smoke-aaa1); compare needs two different runs");
  });
});

describe("formatting", () => {
  it("writes values with 4 significant digits, deltas signed, stats as mean ± sd", () => {
    expect([0, 1.23456, 0.000123456, 123456, -0.5, NaN].map(formatValue)).toEqual(["0", "1.235", "1.235e-4", "1.235e+5", "-0.5", "—"]);
    expect([0.01, -0.01, 0, NaN].map(formatDelta)).toEqual(["+0.01", "-0.01", "0", "—"]);
    expect(formatStat({ mean: 1, sd: 0.5, n: 2 }, 2)).toBe("1 ± 0.5");
    expect(formatStat({ mean: 1, sd: NaN, n: 1 }, 2)).toBe("1 (n=1)");
    expect(formatStat(null, 0)).toBe("—");
    expect(formatLabels({ labels: { a: [3e-3, 0.1], b: [2e-3, 0.1] } })).toEqual(["0.003 → 0.002", "0.1"]);
    expect(formatLabels({ labels: { a: null, b: [2e-3] } })).toEqual(["0.002"]);
    expect(textTable(["a", "bb"], [["xxx", "y"]])).toBe("a    bb\n---  --\nxxx  y");
  });
});
