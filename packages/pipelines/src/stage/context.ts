/**
 * What every stage gets: its resolved config, where artifacts live, and helpers that stamp
 * provenance (experiment, stage, profile, config hash, seeds, versions, backend) on every
 * Arrow file it writes.
 *
 * Artifacts: artifacts/<experiment>/<stage>/… for the default profile, and
 * artifacts/<experiment>-<profile>/<stage>/… for the others, so a smoke run never
 * overwrites the main job's report.
 */
import { mkdirSync, writeFileSync, renameSync, readFileSync, existsSync } from "node:fs";
import { join, dirname } from "node:path";
import {
  readArtifact,
  writeArtifact,
  type Artifact,
  type ArtifactColumns,
} from "@toy-sae/core/artifact/arrow";
import { configHash, packageVersions, provenanceMetadata, type JsonValue } from "@toy-sae/core/artifact/provenance";
import type { Profile } from "../config/experiment.ts";

export const STAGES = ["generate", "train-model", "train-saes", "metrics", "plots", "report"] as const;
export type StageName = (typeof STAGES)[number];

export function isStage(value: string): value is StageName {
  return (STAGES as readonly string[]).includes(value);
}

export function artifactRoot(workspaceRoot: string, experiment: string, profile: Profile): string {
  return join(workspaceRoot, "artifacts", profile === "default" ? experiment : `${experiment}-${profile}`);
}

export interface StageContext<C> {
  experiment: string;
  profile: Profile;
  stage: StageName;
  config: C;
  /** The experiment's artifact folder (all stages). */
  root: string;
  /** This stage's output folder. */
  dir: string;
  /** Tensor backend name recorded in artifacts ("cpu", "wasm", "tensorflow"). */
  backend: string;
  log(line: string): void;
  /** Write an Arrow file into this stage's folder, with provenance. `configPart` is what the hash covers. */
  write(file: string, columns: ArtifactColumns, options: { configPart: unknown; seeds: JsonValue; engine?: string; extra?: Record<string, string> }): Promise<string>;
  /** Read an Arrow file written by an upstream stage. */
  read(stage: StageName, file: string): Promise<Artifact>;
  /** Write a text file atomically into this stage's folder. */
  writeText(file: string, text: string | Uint8Array): string;
  /** Path of a file in another stage's folder (for non-Arrow files such as SVGs). */
  pathOf(stage: StageName, file: string): string;
}

export function writeFileAtomic(path: string, data: string | Uint8Array): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.tmp-${process.pid}-${Math.random().toString(16).slice(2)}`;
  writeFileSync(tmp, data);
  renameSync(tmp, path);
}

export function createStageContext<C>(options: {
  workspaceRoot: string;
  experiment: string;
  profile: Profile;
  stage: StageName;
  config: C;
  backend: string;
  out?: string;
}): StageContext<C> {
  const root = options.out ? join(options.workspaceRoot, options.out) : artifactRoot(options.workspaceRoot, options.experiment, options.profile);
  const dir = join(root, options.stage);
  mkdirSync(dir, { recursive: true });
  const versions = packageVersions();
  return {
    experiment: options.experiment,
    profile: options.profile,
    stage: options.stage,
    config: options.config,
    root,
    dir,
    backend: options.backend,
    log: (line) => process.stderr.write(`[${options.experiment}:${options.stage}] ${line}\n`),
    async write(file, columns, { configPart, seeds, engine, extra }) {
      const path = join(dir, file);
      const metadata = {
        ...provenanceMetadata({
          experiment: options.experiment,
          stage: options.stage,
          profile: options.profile,
          configHash: configHash(configPart),
          seeds,
          versions,
          backend: options.backend,
          createdBy: `pipelines/${options.stage}`,
        }),
        ...(engine ? { engine } : {}),
        ...(extra ?? {}),
      };
      await writeArtifact(path, columns, metadata);
      return path;
    },
    async read(stage, file) {
      const path = join(root, stage, file);
      if (!existsSync(path)) {
        throw new Error(
          `${path} is missing: run the ${stage} stage first (nx run pipelines:${options.experiment}-${stage}${options.profile === "default" ? "" : ":" + options.profile})`,
        );
      }
      return readArtifact(path);
    },
    writeText(file, text) {
      const path = join(dir, file);
      writeFileAtomic(path, text);
      return path;
    },
    pathOf(stage, file) {
      return join(root, stage, file);
    },
  };
}

export interface StageTiming {
  stage: StageName;
  seconds: number;
  backend: string;
}

export function readTiming(root: string, stage: StageName): StageTiming | null {
  const path = join(root, stage, "timing.json");
  if (!existsSync(path)) return null;
  return JSON.parse(readFileSync(path, "utf8")) as StageTiming;
}
