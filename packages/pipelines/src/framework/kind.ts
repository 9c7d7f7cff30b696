/**
 * What an experiment kind declares (one folder under `kinds/`, one line in `kinds/registry.ts`):
 * its config (one TypeBox declaration → the TypeScript type, the validator, the JSON Schema
 * file), the cross-field rules the schema cannot say, and for every stage the config fields it
 * reads, the upstream files it reads and the module that runs it. The Nx plugin reads the same
 * declaration, so a stage's cache inputs are exactly what it declares (and the stage context
 * refuses anything else).
 *
 * The framework runs train-saes itself (worker chunking, the one trainer, saes.arrow and
 * curves.arrow); a kind only plans the SAEs and builds their data (`TrainSaesModule`).
 */
import type { TObject } from "@sinclair/typebox";
import type { SaeParams } from "@toy-sae/core/sae/types";
import type { HyperSchedule } from "@toy-sae/core/train/hyper-schedule";
import type { TrainerSettings } from "@toy-sae/core/train/trainer";
import type { Rng } from "@toy-sae/core/random";
import type { JsonValue } from "@toy-sae/core/artifact/provenance";
import type { StageContext } from "./context.ts";
import type { StageName } from "./stages.ts";
import type { KeyType } from "./saes-io.ts";
import type { Estimate } from "./estimate.ts";
import type { MetricsCells } from "./cell-metrics.ts";

/** Fields every experiment config has, whatever its kind. */
export interface ExperimentConfigBase {
  name: string;
  kind: string;
  description: string;
  seed: number;
}

/**
 * What validation may know of the registries: every architecture's hyperparameters and options
 * schema (so a config that gives architecture options is checked in the config stage), every
 * recipe's name.
 */
export interface Registered {
  architectures: ReadonlyMap<string, { hyper: readonly string[]; options?: TObject }>;
  recipes: ReadonlySet<string>;
}

export interface StageDeclaration {
  /**
   * Config fields the stage reads: top-level sections or dot paths ("seed", "data"), and
   * "!path" to leave a field out ("!sae.threads": the thread count does not change numbers).
   */
  fields: readonly string[];
  /** Upstream files it reads, "<stage>/<file>" ("generate/spec.arrow", "plots/*.svg"). */
  reads: readonly string[];
}

export interface StageModule<C> {
  run(ctx: StageContext<C>): Promise<void>;
}

export interface KindDeclaration<C extends ExperimentConfigBase = ExperimentConfigBase> {
  /** The `kind` value of its configs. */
  name: string;
  /** One line for the reproduction index and reports. */
  title: string;
  /** The experiment config without `$schema` and `profiles`. */
  config: TObject;
  /** Rules across fields, as "path: got …, expected …" lines. */
  validate?(config: C, registered: Registered): string[];
  stages: Record<StageName, StageDeclaration>;
  /** The stage modules, loaded only by the stage that runs them. */
  modules: {
    generate(): Promise<StageModule<C>>;
    "train-model"(): Promise<StageModule<C>>;
    "train-saes"(): Promise<TrainSaesModule<C>>;
    metrics(): Promise<StageModule<C>>;
    plots(): Promise<StageModule<C>>;
    report(): Promise<StageModule<C>>;
  };
  /** Catalogue numbers of the figures this kind can draw (see framework/catalogue.ts). */
  figures: readonly number[];
  /** Which columns of its metrics/metrics.arrow name a grid cell, for comparing runs per cell (cell-metrics.ts). */
  metricsCells: MetricsCells;
  /** Memory and time the config needs, checked by the config stage before anything runs. */
  estimate(config: C): Estimate;
}

/** Scalar columns that identify an SAE in saes.arrow, curves.arrow (and the kind's metrics). */
export type SaeKey = Record<string, string | number | boolean>;

/** One SAE as a kind plans it; the framework trains it and saves it with its key. */
export interface PlannedSae {
  key: SaeKey;
  architecture: string;
  /** Architecture options as the config gives them (defaults are filled in). */
  options: Record<string, JsonValue>;
  recipe: string;
  dIn: number;
  dSae: number;
  /** Training steps; 0 keeps the SAE as initialised (e.g. the untrained ground-truth SAE). */
  steps: number;
  batch: number;
  lr: number;
  /** Adam β1; the recipe's when absent. */
  beta1?: number;
  /** Target value of each of the architecture's hyperparameters. */
  hyper: Record<string, number>;
  schedules?: Record<string, HyperSchedule>;
  /** Overrides of the recipe's trainer settings. */
  settings?: Partial<Omit<TrainerSettings, "engine">>;
  /** Log the curves every this many steps (default: steps / 200). */
  logEvery?: number;
  /** Label of the Rng stream of its initialisation (forked from the experiment seed). */
  initStream: string;
  /** Its data: the Rng stream label (instances with one stream share every batch) and what to sample. */
  data: { stream: string; source: string };
  /** Kind-private data for `prepare` (e.g. a ground-truth start); not saved. */
  setup?: JsonValue;
}

/** What a kind's train-saes module gives the framework. */
export interface TrainPlan<S> {
  saes: PlannedSae[];
  /** The type of each key column; every SAE's key must have exactly these (saes-io.ts). */
  keyTypes: Record<string, KeyType>;
  /** Plain data every training chunk needs (samplers' options, toy-model weights…); sent to workers. */
  shared: S;
  /** Recorded in provenance: how the Rng streams are named. */
  seeds: JsonValue;
}

/**
 * The kind's side of train-saes. `plan` runs in the stage's main thread; `sampler` and
 * `prepare` run wherever a chunk trains (a worker thread loads the module through the kind registry).
 */
export interface TrainSaesModule<C, S = unknown> {
  plan(ctx: StageContext<C>): Promise<TrainPlan<S>>;
  /** A fresh [batch, dIn] batch of the SAE input for `source`, drawn from `rng`. */
  sampler(source: string, shared: S, batch: number): (rng: Rng) => Float32Array;
  /** After the architecture's initialisation: adjust instances (ground-truth start, b_dec init). */
  prepare?(params: SaeParams, saes: readonly PlannedSae[], shared: S, root: Rng): void;
}
