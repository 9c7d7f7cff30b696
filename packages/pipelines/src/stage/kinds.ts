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
  stage: (name: StageName) => Promise<StageModule<unknown>>;
}

const kind = (folder: string): ExperimentKind => ({
  folder,
  schema: async () => (await import(`../${folder}/config.ts`)).schema as Schema,
  stage: async (name) => (await import(`../${folder}/${name}.ts`)) as StageModule<unknown>,
});

export const KINDS: Record<string, ExperimentKind> = {
  "composed-grid": kind("composed"),
};
