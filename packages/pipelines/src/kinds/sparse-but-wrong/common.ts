/**
 * Pieces shared by the sparse-but-wrong stages: data conditions and their samplers from
 * spec.arrow, toy-model embeddings from model.arrow, the SAE instance columns of saes.arrow.
 */
import { readBoolColumn, readFloatColumn, readIntColumn, readMatrixColumn, readStringColumn, type Artifact } from "@toy-sae/core/artifact/arrow";
import { readSaes, type KeyType, type SaeSet } from "../../framework/saes-io.ts";
import type { CorrelatedFeatureOptions } from "@toy-sae/generators/correlated";

export interface ConditionSpec {
  name: string;
  rho: number;
  /** Plain options (structured-clonable, so they can go to a worker thread). */
  options: CorrelatedFeatureOptions;
  expectedL0: number;
}

/**
 * Re-create each data condition's sampler options from the generate stage's output: spec.arrow
 * (one row per condition), features.arrow and correlation.arrow (long Float64 tables, so the
 * correlation matrix keeps the precision its positive semi-definiteness check needs).
 */
export function conditionsFromSpec(spec: Artifact, features: Artifact, correlation: Artifact): ConditionSpec[] {
  const names = readStringColumn(spec, "condition");
  const rho = readFloatColumn(spec, "rho");
  const n = readIntColumn(spec, "n_features")[0];
  const independent = readBoolColumn(spec, "independent");
  const expected = readFloatColumn(spec, "expected_l0");
  const fCond = readStringColumn(features, "condition");
  const fIndex = readIntColumn(features, "feature");
  const p = readFloatColumn(features, "firing_probability");
  const mean = readFloatColumn(features, "magnitude_mean");
  const std = readFloatColumn(features, "magnitude_std");
  const cCond = readStringColumn(correlation, "condition");
  const ci = readIntColumn(correlation, "i");
  const cj = readIntColumn(correlation, "j");
  const cv = readFloatColumn(correlation, "value");
  return names.map((name, c) => {
    const options = { p: new Float64Array(n), mean: new Float64Array(n), std: new Float64Array(n), corr: new Float64Array(n * n) };
    fCond.forEach((v, r) => {
      if (v !== name) return;
      options.p[fIndex[r]] = p[r];
      options.mean[fIndex[r]] = mean[r];
      options.std[fIndex[r]] = std[r];
    });
    cCond.forEach((v, r) => {
      if (v === name) options.corr[ci[r] * n + cj[r]] = cv[r];
    });
    return {
      name,
      rho: rho[c],
      expectedL0: expected[c],
      options: {
        firingProbabilities: options.p,
        correlation: independent[c] ? null : options.corr,
        magnitudeMean: options.mean,
        magnitudeStd: options.std,
      },
    };
  });
}

export interface ToyModels {
  names: string[];
  nFeatures: number;
  hidden: number;
  /** Per variant: the embedding [nFeatures, hidden], row i = true feature i. */
  embedding: Map<string, Float32Array>;
}

export function modelsFromArtifact(model: Artifact): ToyModels {
  const names = readStringColumn(model, "model");
  const nFeatures = readIntColumn(model, "n_features")[0];
  const hidden = readIntColumn(model, "hidden")[0];
  const e = readMatrixColumn(model, "embedding", nFeatures * hidden).values;
  const embedding = new Map(names.map((name, m) => [name, e.slice(m * nFeatures * hidden, (m + 1) * nFeatures * hidden)] as const));
  return { names, nFeatures, hidden, embedding };
}

/** The identifying columns of one SAE, shared by saes.arrow, metrics.arrow, cos.arrow and projections.arrow. */
export interface SaeKey {
  run: string;
  architecture: string;
  k: number;
  l0Coefficient: number;
  rho: number;
  condition: string;
  model: string;
  seed: number;
  init: string;
  trained: boolean;
  /** The k the SAE holds after training (int(k) at the end of a transition); NaN for JumpReLU. */
  finalK: number;
  /** Initial k of a transition, NaN without one. */
  kFrom: number;
  diverged: boolean;
}

export function saeKeys(saes: Artifact): SaeKey[] {
  const col = {
    run: readStringColumn(saes, "run"),
    architecture: readStringColumn(saes, "architecture"),
    k: readFloatColumn(saes, "k"),
    l0Coefficient: readFloatColumn(saes, "l0_coefficient"),
    rho: readFloatColumn(saes, "rho"),
    condition: readStringColumn(saes, "condition"),
    model: readStringColumn(saes, "model"),
    seed: readIntColumn(saes, "seed"),
    init: readStringColumn(saes, "init"),
    trained: readBoolColumn(saes, "trained"),
    // final_k exists when some architecture of the file has a hyperparameter k
    finalK: saes.has("final_k") ? readFloatColumn(saes, "final_k") : new Float64Array(saes.numRows).fill(NaN),
    kFrom: readFloatColumn(saes, "k_from"),
    diverged: readBoolColumn(saes, "diverged"),
  };
  return col.run.map((run, r) => ({
    run,
    architecture: col.architecture[r],
    k: col.k[r],
    l0Coefficient: col.l0Coefficient[r],
    rho: col.rho[r],
    condition: col.condition[r],
    model: col.model[r],
    seed: col.seed[r],
    init: col.init[r],
    trained: col.trained[r],
    finalK: col.finalK[r],
    kFrom: col.kFrom[r],
    diverged: col.diverged[r],
  }));
}

/** The key columns for an Arrow file with one row per `rows[i]`, each pointing at SAE `sae(rows[i])`. */
export function keyColumns<T>(keys: SaeKey[], rows: T[], sae: (row: T) => number) {
  const at = (f: (k: SaeKey) => number) => Float64Array.from(rows, (r) => f(keys[sae(r)]));
  return {
    run: rows.map((r) => keys[sae(r)].run),
    k: at((k) => k.k),
    rho: at((k) => k.rho),
    seed: Int32Array.from(rows, (r) => keys[sae(r)].seed),
    l0_coefficient: at((k) => k.l0Coefficient),
    sae: Int32Array.from(rows, sae),
  };
}

/** The key columns train-saes writes for this kind (train-saes.ts `keyOf`). */
export const KEY_TYPES: Record<string, KeyType> = {
  run: "string",
  k: "float",
  l0_coefficient: "float",
  rho: "float",
  condition: "string",
  model: "string",
  seed: "int",
  init: "string",
  trained: "bool",
  lr: "float",
  k_from: "float",
  instance: "int",
};

/** Every SAE's parameters as one instance axis, and its architecture options and final hyperparameters. */
export function saeSetFromArtifact(saes: Artifact): SaeSet {
  return readSaes(saes, KEY_TYPES);
}

/** "ρ = +0.4", "ρ = −0.4", "ρ = 0" for captions. */
export function formatRho(rho: number): string {
  if (Number.isNaN(rho)) return "";
  return `ρ = ${rho > 0 ? "+" : rho < 0 ? "−" : ""}${Math.abs(rho)}`;
}

/** Same value, or both NaN (how a key column says "not applicable"). */
export function sameValue(a: number, b: number): boolean {
  return a === b || (Number.isNaN(a) && Number.isNaN(b));
}
