/** Pieces shared by the composed-grid stages: samplers from the spec, the TMS models from their artifact. */
import { listRow, readFloatColumn, readIntColumn, readListColumn, readStringColumn, type Artifact } from "@toy-sae/core/artifact/arrow";
import { composedFeatureSampler, type ComposedFeatureOptions, type ComposedFeatureSampler } from "@toy-sae/generators/composed";

export interface ConditionSpec {
  name: string;
  setSizes: [number, number];
  options: ComposedFeatureOptions;
  sampler: ComposedFeatureSampler;
}

/** Re-create each condition's sampler from spec.arrow (the generate stage's output). */
export function samplersFromSpec(spec: Artifact): ConditionSpec[] {
  const names = readStringColumn(spec, "condition");
  const f = readFloatColumn(spec, "set_magnitude_correlation");
  const p1h = readFloatColumn(spec, "one_hot_probability");
  const n0 = readIntColumn(spec, "set_size_0");
  const n1 = readIntColumn(spec, "set_size_1");
  const pairI = readIntColumn(spec, "correlated_pair_0");
  const pairJ = readIntColumn(spec, "correlated_pair_1");
  const boost = readFloatColumn(spec, "correlated_boost");
  return names.map((name, c) => {
    const options: ComposedFeatureOptions = {
      setSizes: [n0[c], n1[c]],
      setMagnitudeCorrelation: f[c],
      oneHotProbability: p1h[c],
      correlatedPair: pairI[c] >= 0 ? [pairI[c], pairJ[c]] : null,
      correlatedBoost: boost[c],
    };
    return { name, setSizes: [n0[c], n1[c]], options, sampler: composedFeatureSampler(options) };
  });
}

/** One condition's trained toy model: W [nIn, nHidden] (row i = feature i in the hidden space) and b [nIn]. */
export interface TrainedTms {
  condition: string;
  nIn: number;
  nHidden: number;
  w: Float32Array;
  b: Float32Array;
}

export function tmsFromArtifact(model: Artifact): TrainedTms[] {
  const conditions = readStringColumn(model, "condition");
  const nIn = readIntColumn(model, "n_in");
  const nHidden = readIntColumn(model, "n_hidden");
  const w = readListColumn(model, "w");
  const b = readListColumn(model, "b");
  return conditions.map((condition, c) => ({ condition, nIn: nIn[c], nHidden: nHidden[c], w: listRow(w, c).slice(), b: listRow(b, c).slice() }));
}

/** h = x·W for a [B, nIn] batch → [B, nHidden]: the SAE's input. */
export function hiddenOf(x: Float32Array, w: Float32Array, batch: number, nIn: number, nHidden: number): Float32Array {
  const h = new Float32Array(batch * nHidden);
  for (let s = 0; s < batch; s++) {
    for (let i = 0; i < nIn; i++) {
      const xi = x[s * nIn + i];
      if (xi === 0) continue;
      for (let k = 0; k < nHidden; k++) h[s * nHidden + k] += xi * w[i * nHidden + k];
    }
  }
  return h;
}
