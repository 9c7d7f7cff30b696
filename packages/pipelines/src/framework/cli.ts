/**
 * The stage CLI. Nx runs it for every stage target (see nx-plugin.cjs):
 *   node --import tsx packages/pipelines/src/framework/cli.ts <stage> --experiment <name>
 *        [--profile smoke|default|paper] [--backend tensorflow|wasm|cpu] [--out artifacts/<dir>]
 *   node --import tsx packages/pipelines/src/framework/cli.ts reproduce [--profile …]
 *   node --import tsx packages/pipelines/src/framework/cli.ts record-run --experiment <name> [--profile …] [--out …]
 *        (keep the completed chain's outputs and append it to the run registry; see record-run.ts)
 *   node --import tsx packages/pipelines/src/framework/cli.ts compare --experiment <name> [--a <run>] [--b <run>] [--profile …]
 *   node --import tsx packages/pipelines/src/framework/cli.ts schemas      (rewrite packages/pipelines/schemas/*.schema.json)
 *
 * `config` validates the experiment file and writes each stage's part of it; every other stage
 * reads only its own part (config/<stage>.json), never the file.
 */
import { createHash } from "node:crypto";
import { readFileSync, existsSync } from "node:fs";
import { availableParallelism } from "node:os";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { chooseBackend, type BackendName } from "@toy-sae/core/backend-choice";
import { artifactRoot, createStageContext, stageCommand, writeFileAtomic, type StageTiming } from "./context.ts";
import { sourceState } from "./git-state.ts";
import { guardConfig, pickFields } from "./config-fields.ts";
import { StageError } from "./stage-error.ts";
import { ConfigError, kindOf, mergeProfile, readJsonFile, registered, resolveProfile, type JsonObject } from "./experiment-config.ts";
import type { ExperimentConfigBase, KindDeclaration } from "./kind.ts";
import { judgeEstimate } from "./estimate.ts";
import { stageWork, type WorkByProfile } from "./run-length.ts";
import { acquireOutputLock } from "./output-lock.ts";
import { ALL_STAGES, PROFILES, STAGES, isAnyStage, isProfile, type Profile, type StageName } from "./stages.ts";
import { resetOutputFolder } from "./temp-files.ts";
import { KINDS } from "../kinds/registry.ts";

const WORKSPACE = workspaceRootAbove(dirname(fileURLToPath(import.meta.url)));
export const EXPERIMENTS_DIR = join(WORKSPACE, "packages/pipelines/experiments");

function fail(message: string): never {
  process.stderr.write(`error: ${message}\n`);
  process.exit(1);
}

/** What the config stage writes for a stage: its part of the resolved config. */
export interface ConfigSnapshot {
  experiment: string;
  kind: string;
  profile: Profile;
  stage: StageName;
  fields: string[];
  config: JsonObject;
  /** Report stage only: every profile's estimated seconds per stage, for the run's length against the original's (run-length.ts). */
  work?: WorkByProfile;
}

/** Settings that change how fast a stage runs, never its numbers: kept out of every cache key. */
interface Runtime {
  threads: number;
  /** The configured thread count, when it was more than this machine has. */
  requestedThreads?: number;
}

/** The thread count a config asks for: `sae.threads`, else the `threads` of another top-level section (a kind without SAEs). */
function runtimeOf(resolved: JsonObject): Runtime {
  const holder = [resolved.sae, ...Object.values(resolved)].find((v) => typeof v === "object" && v !== null && !Array.isArray(v) && typeof v.threads === "number");
  const asked = holder && typeof holder === "object" && !Array.isArray(holder) && typeof holder.threads === "number" ? holder.threads : 1;
  const cores = Math.max(1, availableParallelism());
  return asked > cores ? { threads: cores, requestedThreads: asked } : { threads: asked };
}

/** The sha256 Nx saw for the experiment file when the run started (nx-plugin.cjs preTasksExecution), if run by Nx. */
function shaAtStart(experiment: string): string | undefined {
  const all = process.env.TOY_SAE_EXPERIMENT_SHAS;
  return all ? (JSON.parse(all) as Record<string, string>)[experiment] : undefined;
}

/** Fail, before anything is touched, when the file is not the one Nx computed this run's cache keys from. */
function checkUnchangedSinceStart(experiment: string): void {
  const file = join(EXPERIMENTS_DIR, `${experiment}.json`);
  const atStart = shaAtStart(experiment);
  if (!atStart) return;
  const now = existsSync(file) ? createHash("sha256").update(readFileSync(file)).digest("hex") : "(missing)";
  if (now !== atStart) {
    fail(
      `${file} changed after this run started (sha256 ${atStart.slice(0, 12)}… then, ${now.slice(0, 12)}… now), so its cache key no longer matches it; nothing was written — run the command again`,
    );
  }
}

async function configStage(experiment: string, profile: Profile, out: string | undefined, yes: boolean): Promise<void> {
  const file = join(EXPERIMENTS_DIR, `${experiment}.json`);
  const raw = readJsonFile(file);
  const kind = await kindOf(file, raw);
  const resolved = resolveProfile(file, raw, kind, profile, await registered()) as unknown as JsonObject;
  // before anything is written: a config that cannot fit fails here, one far beyond the profile's time asks first
  const verdict = judgeEstimate(kind.estimate(resolved as unknown as ExperimentConfigBase), profile);
  if (verdict.refused.length)
    throw new ConfigError(
      file,
      verdict.refused.map((line) => (profile === "default" ? line : `(profile ${profile}) ${line}`)),
    );
  if (verdict.confirm && !yes) fail(`${file}: ${verdict.confirm}`);
  if (verdict.confirm) process.stderr.write(`[${experiment}:config] note: ${verdict.confirm.replace(/; rerun with.*$/, "")}; running it (confirmed)\n`);
  const dir = join(out ? join(WORKSPACE, out) : artifactRoot(WORKSPACE, experiment, profile), "config");
  // resolveProfile validated every profile; one the file does not override is the default config
  const work: WorkByProfile = Object.fromEntries(PROFILES.map((p) => [p, stageWork(kind.estimate(mergeProfile(raw, p) as unknown as ExperimentConfigBase))]));
  for (const stage of STAGES) {
    const fields = [...kind.stages[stage].fields];
    const snapshot: ConfigSnapshot = { experiment, kind: kind.name, profile, stage, fields, config: pickFields(resolved, fields), ...(stage === "report" ? { work } : {}) };
    writeFileAtomic(join(dir, `${stage}.json`), JSON.stringify(snapshot, null, 2) + "\n");
  }
  const runtime = runtimeOf(resolved);
  writeFileAtomic(join(dir, "runtime.json"), JSON.stringify(runtime, null, 2) + "\n");
  if (runtime.requestedThreads)
    process.stderr.write(`[${experiment}:config] note: sae.threads is ${runtime.requestedThreads} but this machine has ${runtime.threads} cores; using ${runtime.threads}\n`);
  process.stderr.write(`[${experiment}:config] ${kind.name} config valid for profile ${profile}; wrote ${STAGES.length} stage snapshots → ${dir}\n`);
}

function readSnapshot(root: string, experiment: string, stage: StageName, profile: Profile): ConfigSnapshot {
  const path = join(root, "config", `${stage}.json`);
  if (!existsSync(path)) fail(`${path} is missing: run the config stage first (${stageCommand(experiment, "config", profile)})`);
  return JSON.parse(readFileSync(path, "utf8")) as ConfigSnapshot;
}

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      experiment: { type: "string" },
      // no default here: compare looks at every profile unless one is named
      profile: { type: "string" },
      backend: { type: "string" },
      out: { type: "string" },
      // the reproduce target's output base (Nx passes it; the index derives it from the profile)
      index: { type: "string" },
      yes: { type: "boolean" },
      // compare: the two runs (ids or unique prefixes)
      a: { type: "string" },
      b: { type: "string" },
    },
  });
  const [stage] = positionals;
  const profile = values.profile ?? "default";
  if (!isProfile(profile)) fail(`--profile: got "${profile}", expected one of ${PROFILES.join(", ")}`);
  if (stage === "schemas") {
    const { kindSchemas, schemaFile } = await import("./json-schema.ts");
    for (const { kind, text } of await kindSchemas()) {
      writeFileAtomic(schemaFile(WORKSPACE, kind), text);
      process.stderr.write(`wrote ${schemaFile(WORKSPACE, kind)}\n`);
    }
    return;
  }
  if (stage === "reproduce") {
    const { buildReproductionIndex } = await import("./reproduce.ts");
    await buildReproductionIndex(WORKSPACE, profile);
    return;
  }
  if (stage === "record-run") {
    const experiment = values.experiment ?? fail("record-run: --experiment <name> is required");
    const { recordRun, RecordRunError } = await import("./record-run.ts");
    try {
      await recordRun({ workspaceRoot: WORKSPACE, experiment, profile, out: values.out, log: (line) => process.stderr.write(`[${experiment}:record-run] ${line}\n`) });
    } catch (e) {
      if (e instanceof RecordRunError) fail(e.message);
      throw e;
    }
    return;
  }
  if (stage === "compare") {
    const { compareCommand, CompareError } = await import("./compare.ts");
    const explicit = values.profile === undefined ? undefined : profile;
    try {
      await compareCommand({ workspaceRoot: WORKSPACE, experiment: values.experiment, a: values.a, b: values.b, profile: explicit });
    } catch (e) {
      if (e instanceof CompareError) fail(e.message);
      throw e;
    }
    return;
  }
  if (!stage || !isAnyStage(stage)) fail(`first argument must be a stage (${ALL_STAGES.join(", ")}), reproduce, record-run or compare (got ${stage ?? "nothing"})`);
  const experiment = values.experiment ?? fail("--experiment <name> is required");
  const started = performance.now();
  const startedAt = new Date().toISOString();
  let backendName: BackendName | undefined;
  if (stage === "config") checkUnchangedSinceStart(experiment);
  const root = values.out ? join(WORKSPACE, values.out) : artifactRoot(WORKSPACE, experiment, profile);
  // One stage of an experiment at a time: a second run of the same experiment waits here (and
  // says so) rather than rewriting files the first one is reading.
  const lock = await acquireOutputLock(root, { ifLocked: "wait", log: (line) => process.stderr.write(`[${experiment}:${stage}] ${line}\n`) });
  // The stage rewrites all of its folder: nothing of an earlier (or killed) run stays to be read or cached.
  await resetOutputFolder(join(root, stage));
  if (stage === "config") {
    await configStage(experiment, profile, values.out, values.yes === true || process.env.TOY_SAE_YES === "1");
  } else {
    const snapshot = readSnapshot(root, experiment, stage, profile);
    const kind = (await KINDS[snapshot.kind as keyof typeof KINDS]()).kind as KindDeclaration;
    const runtime = JSON.parse(readFileSync(join(root, "config", "runtime.json"), "utf8")) as Runtime;
    const backend = chooseBackend(values.backend);
    backendName = backend.name;
    process.stderr.write(`[${experiment}:${stage}] profile ${profile}, tensor backend ${backend.name} (${backend.source})\n`);
    for (const why of backend.skipped) process.stderr.write(`[${experiment}:${stage}] note: ${why}\n`);
    const declaration = kind.stages[stage];
    const config = guardConfig<ExperimentConfigBase>(snapshot.config, declaration.fields, Object.keys(kind.config.properties), `stage ${stage} of ${experiment}`);
    const ctx = createStageContext({ workspaceRoot: WORKSPACE, experiment, profile, stage, config, declaration, backend: backend.name, threads: runtime.threads, out: values.out });
    // loaded here, not at the top, so only train-saes has the trainer among its source inputs
    const run =
      stage === "train-saes"
        ? await (async () => {
            const { runTrainSaes } = await import("./train-saes.ts");
            const module = await kind.modules["train-saes"]();
            return () => runTrainSaes(ctx, snapshot.kind, module, snapshot.config);
          })()
        : await (async () => {
            const module = await kind.modules[stage]();
            return () => module.run(ctx);
          })();
    // tfjs costs half a second to load, so the backend starts only if the stage's code imported it
    if (tfjsLoaded()) await selectBackend(backend.name);
    await run();
  }
  const seconds = (performance.now() - started) / 1000;
  // Timings live beside the Arrow files, not inside them, so artifacts stay byte-identical across reruns.
  const timing: StageTiming = { stage, seconds, startedAt, finishedAt: new Date().toISOString(), ...(backendName ? { backend: backendName } : {}), source: sourceState(WORKSPACE) };
  writeFileAtomic(join(root, stage, "timing.json"), JSON.stringify(timing, null, 2) + "\n");
  await lock.release();
  process.stderr.write(`[${experiment}:${stage}] done in ${seconds.toFixed(1)} s → ${join(root, stage)}\n`);
}

/** The folder holding nx.json above this file (src/framework/ when run from source, dist/ when bundled). */
function workspaceRootAbove(dir: string): string {
  for (let at = dir; ; at = dirname(at)) {
    if (existsSync(join(at, "nx.json"))) return at;
    if (dirname(at) === at) throw new Error(`no nx.json above ${dir}: the stage CLI runs inside the workspace`);
  }
}

/** tfjs-core creates its engine in this global when it is first imported. */
function tfjsLoaded(): boolean {
  return (globalThis as { _tfengine?: unknown })._tfengine !== undefined;
}

async function selectBackend(name: BackendName): Promise<void> {
  await (await import("@toy-sae/core/backend")).selectBackend(name);
}

main().catch((e: unknown) => {
  if (e instanceof ConfigError || e instanceof StageError) fail(e.message);
  fail(e instanceof Error ? (e.stack ?? e.message) : String(e));
});
