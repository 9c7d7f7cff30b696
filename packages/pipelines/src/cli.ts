/**
 * Run one stage of one experiment:
 *   node --import tsx packages/pipelines/src/cli.ts <stage> --experiment <name> [--profile smoke|default|paper] [--backend tensorflow|wasm|cpu] [--out artifacts/<dir>]
 * Nx calls this for every stage target (see nx-plugin.cjs).
 */
import { join, resolve, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { selectBackend } from "@toy-sae/core/backend";
import { isProfile, readJsonFile, resolveProfile, PROFILES } from "./config/experiment.ts";
import { ConfigError } from "./config/schema.ts";
import { createStageContext, isStage, STAGES, writeFileAtomic } from "./stage/context.ts";
import { KINDS } from "./stage/kinds.ts";

const WORKSPACE = resolve(dirname(fileURLToPath(import.meta.url)), "../../..");

function fail(message: string): never {
  process.stderr.write(`error: ${message}\n`);
  process.exit(1);
}

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      experiment: { type: "string" },
      profile: { type: "string", default: "default" },
      backend: { type: "string" },
      out: { type: "string" },
    },
  });
  const [stage] = positionals;
  if (!stage || !isStage(stage)) fail(`first argument must be a stage: ${STAGES.join(", ")} (got ${stage ?? "nothing"})`);
  const experiment = values.experiment ?? fail("--experiment <name> is required");
  const profile = values.profile ?? "default";
  if (!isProfile(profile)) fail(`--profile: got "${profile}", expected one of ${PROFILES.join(", ")}`);

  const file = join(WORKSPACE, "packages/pipelines/experiments", `${experiment}.json`);
  const raw = readJsonFile(file);
  const kindName = raw.kind;
  const kind = typeof kindName === "string" ? KINDS[kindName] : undefined;
  if (!kind) throw new ConfigError(file, [`kind: got ${JSON.stringify(kindName)}, expected one of ${Object.keys(KINDS).map((k) => JSON.stringify(k)).join(", ")}`]);
  const config = resolveProfile(file, raw, await kind.schema(), profile);
  const crossField = await kind.validate(config);
  if (crossField.length) throw new ConfigError(file, crossField.map((p) => (profile === "default" ? p : `(profile ${profile}) ${p}`)));

  const backend = await selectBackend(values.backend);
  process.stderr.write(`[${experiment}:${stage}] profile ${profile}, tensor backend ${backend.name} (${backend.source})\n`);
  for (const why of backend.skipped) process.stderr.write(`[${experiment}:${stage}] note: ${why}\n`);

  const ctx = createStageContext({ workspaceRoot: WORKSPACE, experiment, profile, stage, config, backend: backend.name, out: values.out });
  const started = performance.now();
  const module = await kind.stage(stage);
  await module.run(ctx);
  const seconds = (performance.now() - started) / 1000;
  // Timings live beside the Arrow files, not inside them, so artifacts stay byte-identical across reruns.
  writeFileAtomic(join(ctx.dir, "timing.json"), JSON.stringify({ stage, seconds, backend: backend.name }, null, 2) + "\n");
  process.stderr.write(`[${experiment}:${stage}] done in ${seconds.toFixed(1)} s → ${ctx.dir}\n`);
}

main().catch((e: unknown) => {
  if (e instanceof ConfigError) fail(e.message);
  fail(e instanceof Error ? (e.stack ?? e.message) : String(e));
});
