/**
 * saes.arrow and curves.arrow, the same for every kind.
 *
 * saes.arrow, one row per SAE, in the kind's plan order:
 *   <key columns of the kind>, sae (row index), architecture, recipe, architecture_options (JSON),
 *   d_in, d_sae, steps, diverged, diverged_reason ("non-finite", "exploded", "collapsed" or ""),
 *   diverged_at, input_scale,
 *   final_<hyper> for every hyperparameter (its value after training; NaN where the
 *   architecture has no such hyperparameter), the architectures' summary values (e.g.
 *   topk_threshold), and one column per parameter tensor (w_enc, b_enc, w_dec, b_dec,
 *   log_threshold, …): FixedSizeList<Float32> when every row has the same size, else List<Float32>.
 * curves.arrow, one row per SAE and logged step: <key columns>, sae, step, loss, reconstruction,
 *   sparsity, auxiliary, l0, dead, lr_factor, grad_norm, step_<hyper>, and frac_active (a list
 *   per row, each latent's share of the batch it fired in) when the trainer records it.
 */
import { DataType } from "apache-arrow";
import {
  listRow,
  readBoolColumn,
  readFloatColumn,
  readIntColumn,
  readListColumn,
  readStringColumn,
  type Artifact,
  type ArtifactColumns,
  vectorsColumn,
} from "@toy-sae/core/artifact/arrow";
import type { JsonValue } from "@toy-sae/core/artifact/provenance";
import { valueAt } from "@toy-sae/core/checked";
import type { AnyArchitecture } from "@toy-sae/core/sae/architecture";
import { emptySaeParams, paramTensor, specSize, type ParamSpec, type SaeParams } from "@toy-sae/core/sae/types";
import type { CurvePoint } from "@toy-sae/core/train/trainer";
import type { PlannedSae, SaeKey } from "./kind.ts";

/** The type of each key column (so integers are written as Int32 and read back as numbers). */
export type KeyType = "int" | "float" | "string" | "bool";

export function snakeCase(name: string): string {
  return name.replace(/([a-z0-9])([A-Z])/g, "$1_$2").toLowerCase();
}

export function keyColumns(keyTypes: Record<string, KeyType>, keys: readonly SaeKey[]): ArtifactColumns {
  const columns: ArtifactColumns = {};
  for (const [name, type] of Object.entries(keyTypes)) {
    const values = keys.map((k, r) => {
      const v = k[name];
      const ok = type === "string" ? typeof v === "string" : type === "bool" ? typeof v === "boolean" : typeof v === "number" && (type === "float" || Number.isInteger(v));
      if (!ok) throw new Error(`SAE ${r}: key "${name}" is ${JSON.stringify(v)}, expected ${type}`);
      return v;
    });
    columns[name] =
      type === "int"
        ? Int32Array.from(values as number[])
        : type === "float"
          ? Float64Array.from(values as number[])
          : type === "string"
            ? (values as string[])
            : (values as boolean[]);
  }
  return columns;
}

export function readKeys(art: Artifact, keyTypes: Record<string, KeyType>): SaeKey[] {
  const cols = Object.entries(keyTypes).map(([name, type]) => {
    const values: ArrayLike<string | number | boolean> =
      type === "int" ? readIntColumn(art, name) : type === "float" ? readFloatColumn(art, name) : type === "string" ? readStringColumn(art, name) : readBoolColumn(art, name);
    return [name, values] as const;
  });
  return Array.from({ length: art.numRows }, (_, r) => Object.fromEntries(cols.map(([name, values]) => [name, valueAt(values, r, `${art.path}: column "${name}"`)])));
}

/** One SAE's trained parameters and what the trainer reports about it. */
export interface TrainedSae {
  planned: PlannedSae;
  arch: AnyArchitecture;
  options: Record<string, JsonValue>;
  /** A single-instance SaeParams. */
  params: SaeParams;
  diverged: boolean;
  /** "non-finite", "exploded" or "collapsed" (see DivergenceReason), "" when it did not diverge. */
  divergedReason: string;
  divergedAt: number;
  inputScale: number;
  finalHyper: Record<string, number>;
  summary: Record<string, number>;
}

export function saesColumns(keyTypes: Record<string, KeyType>, saes: readonly TrainedSae[]): ArtifactColumns {
  const hyperNames = [...new Set(saes.flatMap((s) => s.arch.hyper))];
  const summaryNames = [...new Set(saes.flatMap((s) => Object.keys(s.summary)))];
  const specs = new Map<string, ParamSpec>();
  for (const s of saes) for (const spec of s.arch.params) if (!specs.has(spec.name)) specs.set(spec.name, spec);
  const columns: ArtifactColumns = {
    ...keyColumns(
      keyTypes,
      saes.map((s) => s.planned.key),
    ),
    sae: Int32Array.from(saes, (_, r) => r),
    architecture: saes.map((s) => s.arch.name),
    recipe: saes.map((s) => s.planned.recipe),
    architecture_options: saes.map((s) => JSON.stringify(s.options)),
    d_in: Int32Array.from(saes, (s) => s.params.dIn),
    d_sae: Int32Array.from(saes, (s) => s.params.dSae),
    steps: Int32Array.from(saes, (s) => s.planned.steps),
    diverged: saes.map((s) => s.diverged),
    diverged_reason: saes.map((s) => s.divergedReason),
    diverged_at: Int32Array.from(saes, (s) => s.divergedAt),
    input_scale: Float64Array.from(saes, (s) => s.inputScale),
  };
  for (const h of hyperNames) columns[`final_${snakeCase(h)}`] = Float64Array.from(saes, (s) => s.finalHyper[h] ?? NaN);
  for (const name of summaryNames) columns[name] = Float64Array.from(saes, (s) => s.summary[name] ?? NaN);
  for (const [name, spec] of specs) {
    columns[snakeCase(name)] = vectorsColumn(
      saes.map((s) => (s.arch.params.some((p) => p.name === name) ? paramTensor(s.params, name) : new Float32Array(specSize(spec, s.params)).fill(NaN))),
    );
  }
  return columns;
}

export function curvesColumns(keyTypes: Record<string, KeyType>, keys: readonly SaeKey[], curves: ReadonlyArray<{ sae: number; c: CurvePoint }>): ArtifactColumns {
  const hyperNames = [...new Set(curves.flatMap(({ c }) => Object.keys(c.hyper)))];
  const columns: ArtifactColumns = {
    ...keyColumns(
      keyTypes,
      curves.map(({ sae }) => valueAt(keys, sae, "curve points' SAE keys")),
    ),
    sae: Int32Array.from(curves, ({ sae }) => sae),
    step: Int32Array.from(curves, ({ c }) => c.step),
    loss: Float64Array.from(curves, ({ c }) => c.loss),
    reconstruction: Float64Array.from(curves, ({ c }) => c.reconstruction),
    sparsity: Float64Array.from(curves, ({ c }) => c.sparsity),
    auxiliary: Float64Array.from(curves, ({ c }) => c.auxiliary),
    l0: Float64Array.from(curves, ({ c }) => c.l0),
    dead: Int32Array.from(curves, ({ c }) => c.dead),
    lr_factor: Float64Array.from(curves, ({ c }) => c.lrFactor),
    grad_norm: Float64Array.from(curves, ({ c }) => c.gradNorm),
  };
  for (const h of hyperNames) columns[`step_${snakeCase(h)}`] = Float64Array.from(curves, ({ c }) => c.hyper[h] ?? NaN);
  if (curves.some(({ c }) => c.fracActive)) columns.frac_active = vectorsColumn(curves.map(({ c }) => Float32Array.from(c.fracActive ?? [])));
  return columns;
}

/** One row of saes.arrow, read back. */
export interface SaeRecord {
  index: number;
  key: SaeKey;
  architecture: string;
  recipe: string;
  options: Record<string, JsonValue>;
  dIn: number;
  dSae: number;
  steps: number;
  diverged: boolean;
  divergedReason: string;
  divergedAt: number;
  inputScale: number;
  /** Final value of each hyperparameter of its architecture (e.g. { k: 11 }). */
  hyper: Record<string, number>;
}

export interface SaeSet {
  records: SaeRecord[];
  /**
   * Every SAE's parameters as one instance axis (row r = instance r), for sets whose SAEs all
   * have one shape; tensors a row's architecture lacks are NaN there. Throws for mixed shapes
   * (use `paramsOf`).
   */
  stacked(): SaeParams;
  /** One SAE's parameters as a single-instance SaeParams. */
  paramsOf(index: number): SaeParams;
}

export function readSaes(art: Artifact, keyTypes: Record<string, KeyType>): SaeSet {
  const keys = readKeys(art, keyTypes);
  const architecture = readStringColumn(art, "architecture");
  const recipe = readStringColumn(art, "recipe");
  const options = readStringColumn(art, "architecture_options");
  const dIn = readIntColumn(art, "d_in");
  const dSae = readIntColumn(art, "d_sae");
  const steps = readIntColumn(art, "steps");
  const diverged = readBoolColumn(art, "diverged");
  const divergedReason = readStringColumn(art, "diverged_reason");
  const divergedAt = readIntColumn(art, "diverged_at");
  const inputScale = readFloatColumn(art, "input_scale");
  const finals = art.columnNames.filter((c) => c.startsWith("final_")).map((c) => [c, readFloatColumn(art, c)] as const);
  const camel = (snake: string) => snake.replace(/_([a-z0-9])/g, (_, ch: string) => ch.toUpperCase());
  const records: SaeRecord[] = keys.map((key, r) => {
    const at = <T>(column: ArrayLike<T>, name: string): T => valueAt(column, r, `${art.path}: column "${name}"`);
    return {
      index: r,
      key,
      architecture: at(architecture, "architecture"),
      recipe: at(recipe, "recipe"),
      options: JSON.parse(at(options, "architecture_options")) as Record<string, JsonValue>,
      dIn: at(dIn, "d_in"),
      dSae: at(dSae, "d_sae"),
      steps: at(steps, "steps"),
      diverged: at(diverged, "diverged"),
      divergedReason: at(divergedReason, "diverged_reason"),
      divergedAt: at(divergedAt, "diverged_at"),
      inputScale: at(inputScale, "input_scale"),
      hyper: Object.fromEntries(finals.map(([c, v]) => [camel(c.slice("final_".length)), at(v, c)] as const).filter(([, value]) => !Number.isNaN(value))),
    };
  });
  const standard = ["w_enc", "b_enc", "w_dec", "b_dec"];
  const known = new Set([
    "sae",
    "architecture",
    "recipe",
    "architecture_options",
    "d_in",
    "d_sae",
    "steps",
    "diverged",
    "diverged_reason",
    "diverged_at",
    "input_scale",
    ...Object.keys(keyTypes),
  ]);
  // parameter tensors are the list columns (the kind's key columns are scalars)
  const tensorNames = art.columnNames.filter((c) => !known.has(c) && (DataType.isList(art.column(c).type) || DataType.isFixedSizeList(art.column(c).type)));
  const tensors = new Map(tensorNames.map((c) => [c, readListColumn(art, c)] as const));
  const row = (name: string, r: number) => {
    const t = tensors.get(name);
    if (!t) throw new Error(`${art.path}: column "${name}" is missing`);
    return listRow(t, r);
  };
  const extraNames = tensorNames.filter((c) => !standard.includes(c));
  const paramsOf = (r: number): SaeParams => {
    const p = emptySaeParams({ instances: 1, dIn: valueAt(dIn, r, "d_in"), dSae: valueAt(dSae, r, "d_sae") });
    p.wEnc.set(row("w_enc", r));
    p.bEnc.set(row("b_enc", r));
    p.wDec.set(row("w_dec", r));
    p.bDec.set(row("b_dec", r));
    for (const c of extraNames) p.extra[camel(c)] = row(c, r).slice();
    return p;
  };
  return {
    records,
    paramsOf,
    stacked() {
      const n = records.length;
      if (records.some((r) => r.dIn !== dIn[0] || r.dSae !== dSae[0]))
        throw new Error(`${art.path}: SAEs of different shapes cannot be stacked; read them one at a time (paramsOf)`);
      const p = emptySaeParams({ instances: n, dIn: dIn[0] ?? 0, dSae: dSae[0] ?? 0 });
      for (let r = 0; r < n; r++) {
        const one = paramsOf(r);
        p.wEnc.set(one.wEnc, r * one.wEnc.length);
        p.bEnc.set(one.bEnc, r * one.bEnc.length);
        p.wDec.set(one.wDec, r * one.wDec.length);
        p.bDec.set(one.bDec, r * one.bDec.length);
        for (const [name, t] of Object.entries(one.extra)) {
          if (!p.extra[name]) p.extra[name] = new Float32Array(n * t.length);
          p.extra[name].set(t, r * t.length);
        }
      }
      return p;
    },
  };
}
