/**
 * The run registry: one JSON line per completed chain in `artifacts/runs/runs.jsonl`, beside the
 * kept outputs of every run in `artifacts/runs/<experiment>/<run-id>/`. It lives outside the
 * experiments' folders, so no stage clears it and no Nx output restores over it.
 *
 * A run is one experiment, profile, config and source tree: its id is
 * `<profile>-<config hash, 12>-<commit, 8>`, plus `-dirty-<hash of the uncommitted changes, 8>`
 * when the tree was dirty. Recording the same run again (a rerun replayed from the Nx cache)
 * appends another line with the same id; "the runs" of an experiment are its distinct ids, in
 * the order each was last recorded.
 *
 * Lines are appended with one write() on a file opened with O_APPEND, so concurrent recorders
 * (pipelines:reproduce records experiments in parallel) never interleave within a line; a line
 * that does not parse (a disk filled mid-write) is skipped with a warning, not fatal.
 */
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, writeSync } from "node:fs";
import { join } from "node:path";
import { Type, type Static } from "@sinclair/typebox";
import { oneOf, schemaProblems } from "@toy-sae/core/schema/index";
import { ALL_STAGES, PROFILES, type Profile } from "./stages.ts";

export const RUNS_DIR = "artifacts/runs";
export const REGISTRY_FILE = `${RUNS_DIR}/runs.jsonl`;

const Dirty = Type.Union([Type.Boolean(), Type.Literal("unknown")]);

const StageRecordSchema = Type.Object({
  stage: oneOf(ALL_STAGES),
  seconds: Type.Number(),
  startedAt: Type.Union([Type.String(), Type.Null()]),
  finishedAt: Type.Union([Type.String(), Type.Null()]),
  /** True when its outputs predate this chain (restored from the Nx cache or left from an earlier run); null when unknown. */
  replayed: Type.Union([Type.Boolean(), Type.Null()]),
  /** The git state its process ran with (what its artifacts carry). */
  commit: Type.String(),
  dirty: Dirty,
});

const RunRecordSchema = Type.Object({
  format: Type.Literal(1),
  runId: Type.String({ minLength: 1 }),
  experiment: Type.String({ minLength: 1 }),
  profile: oneOf(PROFILES),
  kind: Type.String(),
  /** sha256 of the resolved config as the stages read it (see run-config.ts). */
  configHash: Type.String(),
  /** The tree the chain was run from (every stage's cache key matched its sources). */
  commit: Type.String(),
  dirty: Dirty,
  /** When the Nx command that completed the chain started, and when the chain was recorded. */
  startedAt: Type.String(),
  finishedAt: Type.String(),
  /** The tensor backend train-saes ran with. */
  backend: Type.String(),
  stages: Type.Array(StageRecordSchema),
  /** The kept outputs, relative to the workspace root. */
  path: Type.String(),
});

export type StageRecord = Static<typeof StageRecordSchema>;
export type RunRecord = Static<typeof RunRecordSchema>;

/** The id of a run (see the module comment); `changes` is git-state.ts's fingerprint of a dirty tree. */
export function runId(profile: Profile, configHash: string, commit: string, changes: string | null): string {
  const tree = commit === "unknown" ? "nogit" : commit.slice(0, 8);
  return `${profile}-${configHash.slice(0, 12)}-${tree}${changes ? `-dirty-${changes.slice(0, 8)}` : ""}`;
}

export function runFolder(workspaceRoot: string, experiment: string, id: string): string {
  return join(workspaceRoot, RUNS_DIR, experiment, id);
}

/** Append one record as one line, in one write. */
export function appendRunRecord(workspaceRoot: string, record: RunRecord): void {
  const problems = schemaProblems(RunRecordSchema, record);
  if (problems.length) throw new Error(`run record for ${record.experiment} is invalid:\n  - ${problems.join("\n  - ")}`);
  const path = join(workspaceRoot, REGISTRY_FILE);
  mkdirSync(join(workspaceRoot, RUNS_DIR), { recursive: true });
  const line = Buffer.from(JSON.stringify(record) + "\n", "utf8");
  const fd = openSync(path, "a");
  try {
    const written = writeSync(fd, line);
    if (written !== line.length) throw new Error(`${path}: wrote ${written} of ${line.length} bytes of a run record (disk full?)`);
  } finally {
    closeSync(fd);
  }
}

export interface Registry {
  records: RunRecord[];
  /** "runs.jsonl line N: why" for lines that were skipped. */
  skipped: string[];
}

/** Every record in the registry, in the order appended; an absent registry is empty. */
export function readRegistry(workspaceRoot: string): Registry {
  const path = join(workspaceRoot, REGISTRY_FILE);
  if (!existsSync(path)) return { records: [], skipped: [] };
  const records: RunRecord[] = [];
  const skipped: string[] = [];
  readFileSync(path, "utf8")
    .split("\n")
    .forEach((text, k) => {
      if (!text.trim()) return;
      let value: unknown;
      try {
        value = JSON.parse(text);
      } catch (e) {
        skipped.push(`${REGISTRY_FILE} line ${k + 1}: not JSON (${(e as Error).message})`);
        return;
      }
      const problems = schemaProblems(RunRecordSchema, value);
      if (problems.length) skipped.push(`${REGISTRY_FILE} line ${k + 1}: not a run record (${problems[0]})`);
      else records.push(value as RunRecord);
    });
  return { records, skipped };
}

/**
 * The runs of an experiment (optionally of one profile): one entry per run id, its latest record,
 * oldest first — so the last two are the two most recently recorded runs.
 */
export function runsOf(records: readonly RunRecord[], experiment: string, profile?: Profile): RunRecord[] {
  const latest = new Map<string, RunRecord>();
  for (const r of records) {
    if (r.experiment !== experiment || (profile && r.profile !== profile)) continue;
    latest.delete(r.runId); // re-insert: a Map iterates in insertion order
    latest.set(r.runId, r);
  }
  return [...latest.values()];
}
