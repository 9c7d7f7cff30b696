/** Pieces shared by the tms-sae stages: the trained TMS model from its artifact, the SAE keys. */
import { listRow, readFloatColumn, readIntColumn, readListColumn, type Artifact } from "@toy-sae/core/artifact/arrow";
import type { ArenaTmsModel } from "@toy-sae/core/models/arena-tms-model";
import type { KeyType } from "../../framework/saes-io.ts";

/** The key columns of every SAE in saes.arrow, curves.arrow, resampling.arrow and snapshots.arrow. */
export const KEY_TYPES: Record<string, KeyType> = { run: "string", architecture: "string", resampling: "string", instance: "int" };

/** One instance of the trained model as a single-instance ArenaTmsModel (W [dHidden, nFeatures]). */
export function modelInstance(model: Artifact, instance: number): ArenaTmsModel {
  const nFeatures = Number(model.metadata.n_features);
  const dHidden = Number(model.metadata.d_hidden);
  const instances = readIntColumn(model, "instance");
  const row = Array.from(instances).indexOf(instance);
  if (row < 0) throw new Error(`${model.path}: no model instance ${instance}`);
  const p = readFloatColumn(model, "feature_probability")[row];
  return {
    kind: "tms",
    instances: 1,
    nFeatures,
    dHidden,
    w: listRow(readListColumn(model, "w"), row).slice(),
    b: listRow(readListColumn(model, "b"), row).slice(),
    importance: new Float32Array(nFeatures).fill(1),
    featureProbability: Float64Array.of(p),
  };
}

/** The model's feature directions as rows [nFeatures, dHidden] (column f of W). */
export function featureRows(m: ArenaTmsModel): Float64Array {
  const out = new Float64Array(m.nFeatures * m.dHidden);
  for (let f = 0; f < m.nFeatures; f++) for (let k = 0; k < m.dHidden; k++) out[f * m.dHidden + k] = m.w[k * m.nFeatures + f];
  return out;
}
