/**
 * What every stage gets: its part of the config (behind a guard, see config-fields.ts), where
 * artifacts live, and readers and writers that keep the stage honest about its inputs — `read`
 * refuses an upstream file the stage did not declare, `loadArchitecture` a name its config does
 * not give — and stamp provenance (experiment, stage, profile, config hash, seeds, versions,
 * backend, git commit and dirty flag) on every Arrow file it writes.
 *
 * The git state is the one the stage ran with. Nx restores a cached stage's outputs without
 * running it, so a replayed artifact carries the commit of the run that produced it, not the
 * current one; that is the truth about the file, and Nx replays only when every source file the
 * stage runs is unchanged since, so the current commit would give the same numbers.
 *
 * Artifacts: artifacts/<experiment>/<stage>/… for the default profile, and
 * artifacts/<experiment>-<profile>/<stage>/… for the others, so a smoke run never overwrites the
 * main job's report.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { ArtifactError, readArtifact, writeArtifact, type Artifact, type ArtifactColumns } from "@toy-sae/core/artifact/arrow";
import { configHash, packageVersions, provenanceMetadata, type JsonValue, type SourceState } from "@toy-sae/core/artifact/provenance";
import type { BackendName } from "@toy-sae/core/backend-choice";
import type { AnyArchitecture } from "@toy-sae/core/sae/architecture";
import { loadArchitecture } from "@toy-sae/core/sae/load";
import type { Recipe } from "@toy-sae/core/train/recipes/recipe";
import { loadRecipe } from "@toy-sae/core/train/recipes/load";
import { sourceState } from "./git-state.ts";
import type { StageDeclaration } from "./kind.ts";
import type { AnyStage, Profile } from "./stages.ts";

export function artifactRoot(workspaceRoot: string, experiment: string, profile: Profile): string {
  return join(workspaceRoot, "artifacts", profile === "default" ? experiment : `${experiment}-${profile}`);
}

/** The command that rebuilds one stage, for error messages. */
export function stageCommand(experiment: string, stage: string, profile: Profile): string {
  return `npx nx run ${experiment}:${stage}${profile === "default" ? "" : ":" + profile}`;
}

export interface WriteOptions {
  /** What the file's config hash covers; by default everything the stage reads of the config. */
  configPart?: unknown;
  seeds: JsonValue;
  engine?: string;
  extra?: Record<string, string>;
}

export interface StageContext<C> {
  experiment: string;
  profile: Profile;
  stage: AnyStage;
  config: C;
  /** The experiment's artifact folder (all stages). */
  root: string;
  /** This stage's output folder. */
  dir: string;
  /** Tensor backend recorded in artifacts and started by stages that run tfjs. */
  backend: BackendName;
  /** Worker threads this stage may use (not part of any cache key: it never changes numbers). */
  threads: number;
  log(line: string): void;
  /** Write an Arrow file into this stage's folder, with provenance. */
  write(file: string, columns: ArtifactColumns, options: WriteOptions): Promise<string>;
  /** Read an Arrow file an upstream stage wrote; the stage must declare it in its `reads`. */
  read(stage: AnyStage, file: string): Promise<Artifact>;
  /** Read a text file an upstream stage wrote (declared like `read`). */
  readText(stage: AnyStage, file: string): string;
  /** Write a text file atomically into this stage's folder. */
  writeText(file: string, text: string | Uint8Array): string;
  /** Path of a declared upstream file (for files read by other means). */
  pathOf(stage: AnyStage, file: string): string;
  /** A registered architecture; its name must appear in the config this stage reads. */
  loadArchitecture(name: string): Promise<AnyArchitecture>;
  /** A registered recipe; its name must appear in the config this stage reads. */
  loadRecipe(name: string): Promise<Recipe>;
}

export function writeFileAtomic(path: string, data: string | Uint8Array): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.tmp-${process.pid}-${Math.random().toString(16).slice(2)}`;
  writeFileSync(tmp, data);
  renameSync(tmp, path);
}

/** "plots/*.svg" matches "plots/grid.svg". */
function matchesRead(pattern: string, ref: string): boolean {
  const re = new RegExp(
    `^${pattern
      .split("*")
      .map((p) => p.replace(/[.+?^${}()|[\]\\]/g, "\\$&"))
      .join("[^/]*")}$`,
  );
  return re.test(ref);
}

/** Every string under a key named `key` anywhere in `value` (how configs name architectures and recipes). */
export function namesUnder(value: unknown, key: string, out = new Set<string>()): Set<string> {
  if (Array.isArray(value)) for (const v of value) namesUnder(v, key, out);
  else if (typeof value === "object" && value !== null) {
    for (const [k, v] of Object.entries(value)) {
      if (k === key && typeof v === "string") out.add(v);
      else namesUnder(v, key, out);
    }
  }
  return out;
}

export function createStageContext<C>(options: {
  workspaceRoot: string;
  experiment: string;
  profile: Profile;
  stage: AnyStage;
  config: C;
  /** The stage's declaration (fields, reads); the config stage has none. */
  declaration: StageDeclaration | null;
  backend: BackendName;
  threads: number;
  out?: string;
}): StageContext<C> {
  const root = options.out ? join(options.workspaceRoot, options.out) : artifactRoot(options.workspaceRoot, options.experiment, options.profile);
  const dir = join(root, options.stage);
  mkdirSync(dir, { recursive: true });
  const versions = packageVersions();
  const source = sourceState(options.workspaceRoot);
  const where = `stage ${options.stage} of ${options.experiment}`;
  const declared = (stage: AnyStage, file: string): string => {
    const ref = `${stage}/${file}`;
    const reads = options.declaration?.reads ?? [];
    if (!reads.some((r) => matchesRead(r, ref))) {
      throw new Error(`${where} reads ${ref}, which it does not declare (reads: ${reads.join(", ") || "none"}); add it so the cache sees it`);
    }
    const path = join(root, stage, file);
    if (!existsSync(path)) throw new Error(`${path} is missing: run the ${stage} stage first (${stageCommand(options.experiment, stage, options.profile)})`);
    return path;
  };
  const named = (kind: "architecture" | "recipe", name: string) => {
    if (!namesUnder(options.config, kind).has(name)) {
      throw new Error(`${where} loads ${kind} "${name}", which the config fields it reads do not name; the Nx cache hashes only the ${kind}s a config names`);
    }
  };
  return {
    experiment: options.experiment,
    profile: options.profile,
    stage: options.stage,
    config: options.config,
    root,
    dir,
    backend: options.backend,
    threads: options.threads,
    log: (line) => process.stderr.write(`[${options.experiment}:${options.stage}] ${line}\n`),
    async write(file, columns, { configPart, seeds, engine, extra }) {
      const path = join(dir, file);
      const metadata = {
        ...provenanceMetadata({
          experiment: options.experiment,
          stage: options.stage,
          profile: options.profile,
          configHash: configHash(configPart ?? options.config),
          seeds,
          versions,
          backend: options.backend,
          createdBy: `pipelines/${options.stage}`,
          source,
        }),
        ...(engine ? { engine } : {}),
        ...(extra ?? {}),
      };
      await writeArtifact(path, columns, metadata);
      return path;
    },
    async read(stage, file) {
      const path = declared(stage, file);
      try {
        return await readArtifact(path);
      } catch (e) {
        if (!(e instanceof ArtifactError)) throw e;
        // a damaged file came from a run of that stage or from the Nx cache: say how to redo both
        throw new Error(
          `${e.message}\n  rebuild it with: ${stageCommand(options.experiment, stage, options.profile)} --skip-nx-cache` +
            `\n  (a copy restored from the Nx cache can be damaged too: \`npx nx reset\` clears the cache)`,
        );
      }
    },
    readText: (stage, file) => readFileSync(declared(stage, file), "utf8"),
    writeText(file, text) {
      const path = join(dir, file);
      writeFileAtomic(path, text);
      return path;
    },
    pathOf: (stage, file) => declared(stage, file),
    async loadArchitecture(name) {
      named("architecture", name);
      return loadArchitecture(name);
    },
    async loadRecipe(name) {
      named("recipe", name);
      return loadRecipe(name);
    },
  };
}

/**
 * A stage's timing.json, written by the stage CLI beside its outputs (never inside an artifact, so
 * artifacts stay byte-identical across reruns; no stage hashes it). It is an Nx output, so a
 * replayed stage brings back the timing of the run that produced it. Fields after `seconds` are
 * absent in folders written before they were recorded.
 */
export interface StageTiming {
  stage: AnyStage;
  seconds: number;
  /** ISO 8601 times the stage process started and finished. */
  startedAt?: string;
  finishedAt?: string;
  /** The tensor backend (every stage but config). */
  backend?: string;
  /** The git state the stage ran with. */
  source?: SourceState;
}

/** A stage's timing.json, or null when the stage has not run. */
export function readTiming(root: string, stage: AnyStage): StageTiming | null {
  const path = join(root, stage, "timing.json");
  if (!existsSync(path)) return null;
  return JSON.parse(readFileSync(path, "utf8")) as StageTiming;
}
