/**
 * The run registry and the kept runs (framework/run-registry.ts, run-config.ts, run-snapshot.ts)
 * on files made here: ids, appending and reading lines (a torn line is skipped, concurrent
 * appends never interleave), "the runs" of an experiment, a run's config and its differences,
 * and a kept folder that survives the experiment folder being rewritten.
 */
import { afterEach, describe, expect, it } from "vitest";
import { spawn } from "node:child_process";
import { appendFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { configHash } from "@toy-sae/core/artifact/provenance";
import { configChanges, flattenConfig, readRunConfig } from "../src/framework/run-config.ts";
import { appendRunRecord, readRegistry, REGISTRY_FILE, runId, runsOf, type RunRecord } from "../src/framework/run-registry.ts";
import { snapshotFolder } from "../src/framework/run-snapshot.ts";
import { STAGES } from "../src/framework/stages.ts";

const made: string[] = [];
afterEach(() => {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
});
function folder(): string {
  const dir = mkdtempSync(join(tmpdir(), "toy-sae-runs-"));
  made.push(dir);
  return dir;
}

function record(id: string, experiment = "lr-l1-grid", profile: RunRecord["profile"] = "smoke"): RunRecord {
  return {
    format: 1,
    runId: id,
    experiment,
    profile,
    kind: "composed-grid",
    configHash: "ab".repeat(32),
    commit: "unknown",
    dirty: "unknown",
    startedAt: "2025-01-01T00:00:00.000Z",
    finishedAt: "2025-01-01T00:01:00.000Z",
    backend: "cpu",
    stages: [{ stage: "config", seconds: 0.1, startedAt: null, finishedAt: null, replayed: null, commit: "unknown", dirty: "unknown" }],
    path: `artifacts/runs/${experiment}/${id}`,
  };
}

describe("run ids", () => {
  it("name the profile, config hash and commit, and the changes of a dirty tree", () => {
    const hash = "0123456789abcdef".repeat(4);
    const commit = "fedcba9876543210".repeat(2) + "01234567";
    expect(runId("smoke", hash, commit, null)).toBe("smoke-0123456789ab-fedcba98");
    expect(runId("default", hash, commit, "c0ffee".repeat(10))).toBe("default-0123456789ab-fedcba98-dirty-c0ffeec0");
    expect(runId("paper", hash, "unknown", null)).toBe("paper-0123456789ab-nogit");
  });
});

describe("the registry", () => {
  it("appends one line per record and reads them back in order; an absent registry is empty", () => {
    const root = folder();
    expect(readRegistry(root)).toEqual({ records: [], skipped: [] });
    appendRunRecord(root, record("r1"));
    appendRunRecord(root, record("r2"));
    const text = readFileSync(join(root, REGISTRY_FILE), "utf8");
    expect(text.split("\n")).toHaveLength(3); // two lines and the final newline
    expect(readRegistry(root).records.map((r) => r.runId)).toEqual(["r1", "r2"]);
  });

  it("skips a torn or foreign line with a reason, keeping the others", () => {
    const root = folder();
    appendRunRecord(root, record("r1"));
    appendFileSync(join(root, REGISTRY_FILE), '{"format":1,"runId":"cut sh\n{"something":"else"}\n');
    appendRunRecord(root, record("r2"));
    const { records, skipped } = readRegistry(root);
    expect(records.map((r) => r.runId)).toEqual(["r1", "r2"]);
    expect(skipped).toHaveLength(2);
    expect(skipped[0]).toMatch(/runs\.jsonl line 2: not JSON/);
    expect(skipped[1]).toMatch(/runs\.jsonl line 3: not a run record/);
  });

  it("refuses to append an invalid record", () => {
    expect(() => appendRunRecord(folder(), { ...record("r"), profile: "fast" } as unknown as RunRecord)).toThrow(/run record for lr-l1-grid is invalid/);
  });

  it("keeps every line whole when many processes append at once", async () => {
    const root = folder();
    const writers = 4;
    const each = 40;
    // long lines (~8 kB), so a non-atomic append would show as interleaved or cut lines
    const script = `
      import { appendRunRecord } from ${JSON.stringify(join(import.meta.dirname, "../src/framework/run-registry.ts"))};
      const base = JSON.parse(process.argv[1]);
      for (let i = 0; i < ${each}; i++) appendRunRecord(${JSON.stringify(root)}, { ...base, runId: process.argv[2] + "-" + i, backend: "x".repeat(8000) });`;
    const run = (w: number) =>
      new Promise<number>((resolve) =>
        spawn(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script, JSON.stringify(record("base")), `w${w}`], { stdio: "inherit" }).on("close", (code) =>
          resolve(code ?? -1),
        ),
      );
    expect(await Promise.all(Array.from({ length: writers }, (_, w) => run(w)))).toEqual(Array(writers).fill(0));
    const { records, skipped } = readRegistry(root);
    expect(skipped).toEqual([]);
    expect(records).toHaveLength(writers * each);
    expect(new Set(records.map((r) => r.runId)).size).toBe(writers * each);
  });

  it("lists an experiment's runs once each, in the order each was last recorded, optionally of one profile", () => {
    const records = [record("a"), record("b"), record("x", "toy-l0-small"), record("d", "lr-l1-grid", "default"), record("a")];
    expect(runsOf(records, "lr-l1-grid").map((r) => r.runId)).toEqual(["b", "d", "a"]);
    expect(runsOf(records, "lr-l1-grid", "smoke").map((r) => r.runId)).toEqual(["b", "a"]);
    expect(runsOf(records, "nothing")).toEqual([]);
  });
});

describe("a run's config", () => {
  function writeSnapshots(root: string, sae: Record<string, unknown>): void {
    for (const stage of STAGES) {
      const config = stage === "train-saes" ? { seed: 0, sae } : stage === "metrics" ? { seed: 0, sae: { architecture: "relu-l1" }, metrics: { t: 0.9 } } : { seed: 0 };
      mkdirSync(join(root, "config"), { recursive: true });
      writeFileSync(join(root, "config", `${stage}.json`), JSON.stringify({ experiment: "e", kind: "composed-grid", profile: "smoke", stage, fields: [], config }));
    }
  }

  it("is the union of the stages' snapshots, hashed", () => {
    const root = folder();
    writeSnapshots(root, { architecture: "relu-l1", lr: [1e-3, 3e-3] });
    const run = readRunConfig(root);
    expect(run.kind).toBe("composed-grid");
    expect(run.config).toEqual({ seed: 0, sae: { architecture: "relu-l1", lr: [1e-3, 3e-3] }, metrics: { t: 0.9 } });
    expect(run.hash).toBe(configHash(run.config));
  });

  it("fails naming the missing snapshot", () => {
    const root = folder();
    writeSnapshots(root, {});
    rmSync(join(root, "config", "plots.json"));
    expect(() => readRunConfig(root)).toThrow(/config\/plots\.json is missing/);
  });

  it("differs field by field at dot paths with array indices", () => {
    expect([...flattenConfig({ a: { b: [1, { c: 2 }], e: [] }, d: "x" })]).toEqual([
      ["a.b[0]", 1],
      ["a.b[1].c", 2],
      ["a.e", []],
      ["d", "x"],
    ]);
    expect(configChanges({ sae: { lr: [1e-3, 3e-3], l1: [0.1] }, seed: 0 }, { sae: { lr: [1e-3, 2e-3], l1: [0.1] }, seed: 0, extra: true })).toEqual([
      { path: "sae.lr[1]", a: 3e-3, b: 2e-3 },
      { path: "extra", a: undefined, b: true },
    ]);
    expect(configChanges({ a: [1, 2] }, { a: [1] })).toEqual([{ path: "a[1]", a: 2, b: undefined }]);
  });
});

describe("keeping a run's folder", () => {
  it("links every file but the lock and temporaries, and keeps the old content when the source is rewritten", () => {
    const root = folder();
    const from = join(root, "artifacts/exp");
    mkdirSync(join(from, "metrics"), { recursive: true });
    writeFileSync(join(from, "metrics/metrics.arrow"), "run 1");
    writeFileSync(join(from, "metrics/metrics.arrow.tmp-123-abc"), "half");
    writeFileSync(join(from, ".lock"), "{}");
    const to = join(root, "artifacts/runs/exp/r1");
    expect(snapshotFolder(from, to)).toEqual({ linked: 1, copied: 0 });
    expect(statSync(join(to, "metrics/metrics.arrow")).ino).toBe(statSync(join(from, "metrics/metrics.arrow")).ino);
    expect(existsSync(join(to, ".lock"))).toBe(false);
    expect(existsSync(join(to, "metrics/metrics.arrow.tmp-123-abc"))).toBe(false);
    // a stage writes a new file and renames it over the old one (a new inode): the kept run is untouched
    writeFileSync(join(from, "metrics/new"), "run 2");
    rmSync(join(from, "metrics/metrics.arrow"));
    writeFileSync(join(from, "metrics/metrics.arrow"), "run 2");
    expect(readFileSync(join(to, "metrics/metrics.arrow"), "utf8")).toBe("run 1");
  });

  it("replaces an earlier copy of the same run whole, leaving no temporary folder", () => {
    const root = folder();
    const from = join(root, "a");
    mkdirSync(join(from, "x"), { recursive: true });
    writeFileSync(join(from, "x/one"), "1");
    const to = join(root, "runs/r");
    snapshotFolder(from, to);
    rmSync(join(from, "x/one"));
    writeFileSync(join(from, "x/two"), "2");
    snapshotFolder(from, to);
    expect(existsSync(join(to, "x/one"))).toBe(false);
    expect(readFileSync(join(to, "x/two"), "utf8")).toBe("2");
    expect(readdirSync(join(root, "runs"))).toEqual(["r"]);
  });
});
