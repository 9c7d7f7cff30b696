/** Pieces shared by the tms-superposition stages: the trained models read back from model.arrow. */
import { listRow, readFloatColumn, readIntColumn, readListColumn, readStringColumn, type Artifact } from "@toy-sae/core/artifact/arrow";

export interface TrainedToyModel {
  experiment: string;
  instance: number;
  featureProbability: number;
  nFeatures: number;
  dHidden: number;
  /** [dHidden, nFeatures]: column f is feature f's direction. */
  w: Float32Array;
  b: Float32Array;
  finalLoss: number;
}

export function readModels(model: Artifact): TrainedToyModel[] {
  const experiment = readStringColumn(model, "experiment");
  const instance = readIntColumn(model, "instance");
  const p = readFloatColumn(model, "feature_probability");
  const nF = readIntColumn(model, "n_features");
  const dH = readIntColumn(model, "d_hidden");
  const w = readListColumn(model, "w");
  const b = readListColumn(model, "b");
  const loss = readFloatColumn(model, "final_loss");
  return experiment.map((e, r) => ({
    experiment: e,
    instance: instance[r],
    featureProbability: p[r],
    nFeatures: nF[r],
    dHidden: dH[r],
    w: listRow(w, r).slice(),
    b: listRow(b, r).slice(),
    finalLoss: loss[r],
  }));
}

/** cos(W_a, W_b) of two feature columns (NaN when either is zero). */
export function featureCos(m: Pick<TrainedToyModel, "w" | "nFeatures" | "dHidden">, a: number, b: number): number {
  let dot = 0,
    na = 0,
    nb = 0;
  for (let k = 0; k < m.dHidden; k++) {
    const x = m.w[k * m.nFeatures + a];
    const y = m.w[k * m.nFeatures + b];
    dot += x * y;
    na += x * x;
    nb += y * y;
  }
  return na > 0 && nb > 0 ? dot / Math.sqrt(na * nb) : NaN;
}

/** Which kind of pair features a and b form in a configuration (pairs are adjacent: correlated first, then anticorrelated). */
export function pairRelation(a: number, b: number, nCorrelatedPairs: number, nAnticorrelatedPairs: number): "correlated" | "anticorrelated" | "none" {
  if (Math.floor(a / 2) !== Math.floor(b / 2) || a === b) return "none";
  const pair = Math.floor(a / 2);
  if (pair < nCorrelatedPairs) return "correlated";
  if (pair < nCorrelatedPairs + nAnticorrelatedPairs) return "anticorrelated";
  return "none";
}
