/**
 * What the trainer records beside the weights, written by train-saes when a recipe or plan asks
 * for it, the same for every kind:
 *
 * resampling.arrow — every dead-latent resampling event (trainer setting `resampling`; written,
 *   possibly empty, when any SAE's recipe or overrides carry that setting):
 *   <key columns>, sae, step, latent.
 * snapshots.arrow — parameter copies during training (trainer setting `snapshotEvery`):
 *   <key columns>, sae, step, and one list column per parameter tensor as in saes.arrow (NaN where
 *   an SAE's architecture lacks it).
 */
import { DataType } from "apache-arrow";
import { listRow, readIntColumn, readListColumn, vectorsColumn, type Artifact, type ArtifactColumns } from "@toy-sae/core/artifact/arrow";
import { valueAt } from "@toy-sae/core/checked";
import type { AnyArchitecture } from "@toy-sae/core/sae/architecture";
import { emptySaeParams, paramTensor, specSize, type ParamSpec, type SaeParams } from "@toy-sae/core/sae/types";
import type { SaeKey } from "./kind.ts";
import { keyColumns, readKeys, snakeCase, type KeyType } from "./saes-io.ts";

export interface ResamplingRecord {
  /** Row of saes.arrow. */
  sae: number;
  step: number;
  latent: number;
}

export function resamplingColumns(keyTypes: Record<string, KeyType>, keys: readonly SaeKey[], events: readonly ResamplingRecord[]): ArtifactColumns {
  return {
    ...keyColumns(
      keyTypes,
      events.map((e) => valueAt(keys, e.sae, "resampling events' SAE keys")),
    ),
    sae: Int32Array.from(events, (e) => e.sae),
    step: Int32Array.from(events, (e) => e.step),
    latent: Int32Array.from(events, (e) => e.latent),
  };
}

export function readResampling(art: Artifact, keyTypes: Record<string, KeyType>): Array<ResamplingRecord & { key: SaeKey }> {
  const keys = readKeys(art, keyTypes);
  const sae = readIntColumn(art, "sae");
  const step = readIntColumn(art, "step");
  const latent = readIntColumn(art, "latent");
  const at = (column: Int32Array, name: string, r: number) => valueAt(column, r, `${art.path}: column "${name}"`);
  return keys.map((key, r) => ({ key, sae: at(sae, "sae", r), step: at(step, "step", r), latent: at(latent, "latent", r) }));
}

export interface SnapshotRecord {
  sae: number;
  step: number;
  arch: AnyArchitecture;
  /** A single-instance SaeParams. */
  params: SaeParams;
}

export function snapshotsColumns(keyTypes: Record<string, KeyType>, keys: readonly SaeKey[], snapshots: readonly SnapshotRecord[]): ArtifactColumns {
  const specs = new Map<string, ParamSpec>();
  for (const s of snapshots) for (const spec of s.arch.params) if (!specs.has(spec.name)) specs.set(spec.name, spec);
  const columns: ArtifactColumns = {
    ...keyColumns(
      keyTypes,
      snapshots.map((s) => valueAt(keys, s.sae, "snapshots' SAE keys")),
    ),
    sae: Int32Array.from(snapshots, (s) => s.sae),
    step: Int32Array.from(snapshots, (s) => s.step),
  };
  for (const [name, spec] of specs) {
    columns[snakeCase(name)] = vectorsColumn(
      snapshots.map((s) => (s.arch.params.some((p) => p.name === name) ? paramTensor(s.params, name) : new Float32Array(specSize(spec, s.params)).fill(NaN))),
    );
  }
  return columns;
}

/** Snapshots read back: per row its SAE, step and parameters (dIn, dSae from saes.arrow's record of that SAE). */
export function readSnapshots(art: Artifact, shapeOf: (sae: number) => { dIn: number; dSae: number }): Array<{ sae: number; step: number; params: SaeParams }> {
  const sae = readIntColumn(art, "sae");
  const step = readIntColumn(art, "step");
  const standard = new Set(["w_enc", "b_enc", "w_dec", "b_dec"]);
  // parameter tensors are the list columns (key columns are scalars)
  const lists = art.columnNames.filter((c) => DataType.isList(art.column(c).type) || DataType.isFixedSizeList(art.column(c).type)).map((c) => [c, readListColumn(art, c)] as const);
  const camel = (snake: string) => snake.replace(/_([a-z0-9])/g, (_, ch: string) => ch.toUpperCase());
  return Array.from(sae, (s, r) => {
    const params = emptySaeParams({ instances: 1, ...shapeOf(s) });
    for (const [c, list] of lists) {
      const values = listRow(list, r);
      if (standard.has(c)) paramTensor(params, camel(c)).set(values);
      else if (!values.every(Number.isNaN)) params.extra[camel(c)] = values.slice();
    }
    return { sae: s, step: valueAt(step, r, `${art.path}: column "step"`), params };
  });
}
