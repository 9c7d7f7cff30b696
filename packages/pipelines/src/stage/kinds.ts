/**
 * Experiment kinds: each kind has a config schema and one module per stage, loaded on
 * demand so a training stage never loads the plotting code (and vice versa).
 */
import type { Schema } from "../config/schema.ts";
import type { StageContext, StageName } from "./context.ts";

export interface StageModule<C> {
  run(ctx: StageContext<C>): Promise<void>;
}

export interface ExperimentKind {
  /** Folder under packages/pipelines/src holding config.ts and one <stage>.ts per stage. */
  folder: string;
  schema: () => Promise<Schema>;
  /** Checks across fields that the schema cannot express; "path: got …, expected …" lines. */
  validate: (config: unknown) => Promise<string[]>;
  stage: (name: StageName) => Promise<StageModule<unknown>>;
}

const kind = (folder: string): ExperimentKind => ({
  folder,
  schema: async () => (await import(`../${folder}/config.ts`)).schema as Schema,
  validate: async (config) => {
    const module = (await import(`../${folder}/config.ts`)) as { validate?: (c: unknown) => string[] };
    return module.validate ? module.validate(config) : [];
  },
  stage: async (name) => (await import(`../${folder}/${name}.ts`)) as StageModule<unknown>,
});

export const KINDS: Record<string, ExperimentKind> = {
  "composed-grid": kind("composed"),
  "sparse-but-wrong": kind("sparse-but-wrong"),
};
