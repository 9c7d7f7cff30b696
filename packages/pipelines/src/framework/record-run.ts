/**
 * The last step of a chain (`pipelines:<name>`, and every experiment of `pipelines:reproduce`):
 * keep the run's outputs in artifacts/runs/<experiment>/<run-id>/ and append it to the run
 * registry (run-registry.ts). `artifacts/<name>/` stays the latest run.
 *
 * Nx never caches this step, so it runs even when every stage was replayed from the cache: it
 * reads what is in the experiment's folder now — whether a stage just ran or Nx restored it —
 * and each stage's timing.json says when and at which commit that stage really ran. The run's
 * own commit is the tree's now: every stage's cache key matched its sources in this tree, so
 * these are the outputs this tree gives.
 */
import { existsSync } from "node:fs";
import { join, relative } from "node:path";
import { artifactRoot, readTiming } from "./context.ts";
import { changesFingerprint, sourceState } from "./git-state.ts";
import { acquireOutputLock } from "./output-lock.ts";
import { readRunConfig } from "./run-config.ts";
import { appendRunRecord, runFolder, runId, type RunRecord, type StageRecord } from "./run-registry.ts";
import { snapshotFolder } from "./run-snapshot.ts";
import { ALL_STAGES, type Profile } from "./stages.ts";

/** Set by the Nx plugin before any task runs (nx-plugin.cjs preTasksExecution): when this Nx command started. */
export const INVOCATION_STARTED_ENV = "TOY_SAE_INVOCATION_STARTED";

export interface RecordRunOptions {
  workspaceRoot: string;
  experiment: string;
  profile: Profile;
  /** The experiment's artifact folder relative to the workspace, as the stages got it (--out). */
  out?: string;
  log(line: string): void;
}

function chainCommand(experiment: string, profile: Profile): string {
  return `npx nx run pipelines:${experiment}${profile === "default" ? "" : ":" + profile}`;
}

/** The folder holds no completed chain: said in one line, with the command that makes one. */
export class RecordRunError extends Error {}

export async function recordRun(options: RecordRunOptions): Promise<RunRecord> {
  const { workspaceRoot, experiment, profile, log } = options;
  const root = options.out ? join(workspaceRoot, options.out) : artifactRoot(workspaceRoot, experiment, profile);
  // A stage of another run of this experiment must not rewrite the folder while it is read and
  // kept; every stage leaves its folder complete (timing.json last) before it releases the lock,
  // so the folder is looked at only under it.
  const lock = await acquireOutputLock(root, { ifLocked: "wait", log });
  try {
    if (!existsSync(join(root, "report", "timing.json"))) {
      throw new RecordRunError(`${root} holds no completed run of ${experiment} (no report/timing.json): run the chain with ${chainCommand(experiment, profile)}`);
    }
    const invocation = process.env[INVOCATION_STARTED_ENV];
    const invocationMs = invocation ? Date.parse(invocation) : NaN;
    const stages: StageRecord[] = ALL_STAGES.map((stage) => {
      const t = readTiming(root, stage);
      if (!t)
        throw new RecordRunError(`${join(root, stage, "timing.json")} is missing: the ${stage} stage did not complete; run the chain with ${chainCommand(experiment, profile)}`);
      const started = t.startedAt ? Date.parse(t.startedAt) : NaN;
      return {
        stage,
        seconds: t.seconds,
        startedAt: t.startedAt ?? null,
        finishedAt: t.finishedAt ?? null,
        replayed: Number.isNaN(invocationMs) || Number.isNaN(started) ? null : started < invocationMs,
        commit: t.source?.commit ?? "unknown",
        dirty: t.source?.dirty ?? "unknown",
      };
    });
    const config = readRunConfig(root);
    const source = sourceState(workspaceRoot);
    const id = runId(profile, config.hash, source.commit, changesFingerprint(workspaceRoot));
    const folder = runFolder(workspaceRoot, experiment, id);
    const kept = snapshotFolder(root, folder);
    const finishedAt = new Date().toISOString();
    const firstStart = stages
      .map((s) => s.startedAt)
      .filter((t): t is string => t !== null)
      .sort()[0];
    const record: RunRecord = {
      format: 1,
      runId: id,
      experiment,
      profile,
      kind: config.kind,
      configHash: config.hash,
      commit: source.commit,
      dirty: source.dirty,
      startedAt: invocation ?? firstStart ?? finishedAt,
      finishedAt,
      backend: readTiming(root, "train-saes")?.backend ?? "unknown",
      stages,
      path: relative(workspaceRoot, folder),
    };
    appendRunRecord(workspaceRoot, record);
    const replayed = stages.filter((s) => s.replayed === true).length;
    log(`run ${id}: ${stages.length - replayed} stages ran, ${replayed} replayed; kept ${kept.linked + kept.copied} files (${kept.copied} copied) → ${record.path}`);
    return record;
  } finally {
    lock.release();
  }
}
