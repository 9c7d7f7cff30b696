/**
 * The stage CLI. Nx runs it for every stage target (see nx-plugin.cjs):
 *   node --import tsx packages/pipelines/src/framework/cli.ts <stage> --experiment <name>
 *        [--profile smoke|default|paper] [--backend tensorflow|wasm|cpu] [--out artifacts/<dir>]
 *   node --import tsx packages/pipelines/src/framework/cli.ts reproduce [--profile …]
 *   node --import tsx packages/pipelines/src/framework/cli.ts schemas      (rewrite packages/pipelines/schemas/*.schema.json)
 *
 * `config` validates the experiment file and writes each stage's part of it; every other stage
 * reads only its own part (config/<stage>.json), never the file.
 */
import { createHash } from "node:crypto";
import { readFileSync, existsSync } from "node:fs";
import { availableParallelism } from "node:os";
import { join, resolve, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { selectBackend } from "@toy-sae/core/backend";
import { artifactRoot, createStageContext, stageCommand, writeFileAtomic } from "./context.ts";
import { guardConfig, pickFields } from "./config-fields.ts";
import { ConfigError, kindOf, readJsonFile, registered, resolveProfile, type JsonObject } from "./experiment-config.ts";
import type { ExperimentConfigBase, KindDeclaration } from "./kind.ts";
import { ALL_STAGES, PROFILES, STAGES, isAnyStage, isProfile, type Profile, type StageName } from "./stages.ts";
import { KINDS } from "../kinds/registry.ts";

const WORKSPACE = resolve(dirname(fileURLToPath(import.meta.url)), "../../../..");
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

async function configStage(experiment: string, profile: Profile, out: string | undefined): Promise<void> {
  const file = join(EXPERIMENTS_DIR, `${experiment}.json`);
  const atStart = shaAtStart(experiment);
  if (atStart) {
    const now = existsSync(file) ? createHash("sha256").update(readFileSync(file)).digest("hex") : "(missing)";
    if (now !== atStart) {
      fail(`${file} changed after this run started (sha256 ${atStart.slice(0, 12)}… then, ${now.slice(0, 12)}… now), so its cache key no longer matches it; nothing was written — run the command again`);
    }
  }
  const raw = readJsonFile(file);
  const kind = await kindOf(file, raw);
  const resolved = resolveProfile(file, raw, kind, profile, await registered()) as unknown as JsonObject;
  const dir = join(out ? join(WORKSPACE, out) : artifactRoot(WORKSPACE, experiment, profile), "config");
  for (const stage of STAGES) {
    const fields = [...kind.stages[stage].fields];
    const snapshot: ConfigSnapshot = { experiment, kind: kind.name, profile, stage, fields, config: pickFields(resolved, fields) };
    writeFileAtomic(join(dir, `${stage}.json`), JSON.stringify(snapshot, null, 2) + "\n");
  }
  const runtime = runtimeOf(resolved);
  writeFileAtomic(join(dir, "runtime.json"), JSON.stringify(runtime, null, 2) + "\n");
  if (runtime.requestedThreads) process.stderr.write(`[${experiment}:config] note: sae.threads is ${runtime.requestedThreads} but this machine has ${runtime.threads} cores; using ${runtime.threads}\n`);
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
      profile: { type: "string", default: "default" },
      backend: { type: "string" },
      out: { type: "string" },
      // the reproduce target's output base (Nx passes it; the index derives it from the profile)
      index: { type: "string" },
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
  if (!stage || !isAnyStage(stage)) fail(`first argument must be a stage (${ALL_STAGES.join(", ")}) or reproduce (got ${stage ?? "nothing"})`);
  const experiment = values.experiment ?? fail("--experiment <name> is required");
  const started = performance.now();
  const root = values.out ? join(WORKSPACE, values.out) : artifactRoot(WORKSPACE, experiment, profile);
  if (stage === "config") {
    await configStage(experiment, profile, values.out);
  } else {
    const snapshot = readSnapshot(root, experiment, stage, profile);
    const kind = (await KINDS[snapshot.kind as keyof typeof KINDS]()).kind as KindDeclaration;
    const runtime = JSON.parse(readFileSync(join(root, "config", "runtime.json"), "utf8")) as Runtime;
    const backend = await selectBackend(values.backend);
    process.stderr.write(`[${experiment}:${stage}] profile ${profile}, tensor backend ${backend.name} (${backend.source})\n`);
    for (const why of backend.skipped) process.stderr.write(`[${experiment}:${stage}] note: ${why}\n`);
    const declaration = kind.stages[stage];
    const config = guardConfig<ExperimentConfigBase>(snapshot.config, declaration.fields, Object.keys(kind.config.properties), `stage ${stage} of ${experiment}`);
    const ctx = createStageContext({ workspaceRoot: WORKSPACE, experiment, profile, stage, config, declaration, backend: backend.name, threads: runtime.threads, out: values.out });
    // loaded here, not at the top, so only train-saes has the trainer among its source inputs
    if (stage === "train-saes") await (await import("./train-saes.ts")).runTrainSaes(ctx, await kind.modules["train-saes"](), snapshot.config);
    else await (await kind.modules[stage]()).run(ctx);
  }
  const seconds = (performance.now() - started) / 1000;
  // Timings live beside the Arrow files, not inside them, so artifacts stay byte-identical across reruns.
  writeFileAtomic(join(root, stage, "timing.json"), JSON.stringify({ stage, seconds }, null, 2) + "\n");
  process.stderr.write(`[${experiment}:${stage}] done in ${seconds.toFixed(1)} s → ${join(root, stage)}\n`);
}

main().catch((e: unknown) => {
  if (e instanceof ConfigError) fail(e.message);
  fail(e instanceof Error ? (e.stack ?? e.message) : String(e));
});
