/**
 * A metrics.arrow summarised per grid cell: every scalar metric as mean ± sd over the cell's
 * replicates (seeds, realisations). The kind says which columns name a cell and which label it
 * (`MetricsCells`); every other numeric or boolean column is a metric (a boolean's mean is the
 * fraction true).
 *
 * NaN values (a diverged SAE's loss) are left out of a cell's mean and counted apart (`n` is the
 * number of values used), so one diverged replicate does not hide the others; sd is the sample
 * standard deviation (n − 1), NaN for a single value.
 */
import { DataType } from "apache-arrow";
import { readBoolColumn, readFloatColumn, readStringColumn, type Artifact } from "@toy-sae/core/artifact/arrow";

/** A kind's description of its metrics.arrow (KindDeclaration.metricsCells). */
export interface MetricsCells {
  /** The table under metrics/ that compare reads (default "metrics.arrow": one row per SAE). */
  file?: string;
  /**
   * Columns whose values together name a grid cell; two runs' rows with equal values here are
   * the same cell. A grid position (lr_index) rather than a value (lr) matches an edited
   * hyperparameter with the one it replaced.
   */
  cells: readonly string[];
  /** Columns each cell fixes that an edit may change (the lr at a grid position): shown beside the cell, "a → b" where the runs differ. */
  labels: readonly string[];
  /** The column that numbers the replicates inside a cell (seed, realisation); averaged over. */
  replicate: string;
  /** Numeric or boolean columns that are not measurements: row indices, values the cell fixes. */
  ignore: readonly string[];
}

export type CellValue = string | number | boolean;

export interface Stat {
  mean: number;
  sd: number;
  /** Values averaged (NaN values are left out). */
  n: number;
}

export interface CellSummary {
  /** The cell's value of each cell column, in `MetricsSummary.cellColumns` order. */
  key: CellValue[];
  /** Its value of each label column, in `MetricsSummary.labelColumns` order. */
  labels: CellValue[];
  /** Rows in the cell. */
  rows: number;
  metrics: Record<string, Stat>;
}

export interface MetricsSummary {
  /** The table summarised (its file name under metrics/). */
  file: string;
  cellColumns: string[];
  labelColumns: string[];
  replicate: string;
  metrics: string[];
  cells: CellSummary[];
}

/** A string that tells cells apart (NaN keys, as sparse-but-wrong's ρ of random-matrix runs, are equal to each other). */
export function cellId(key: readonly CellValue[]): string {
  return JSON.stringify(key.map((v) => (typeof v === "number" && !Number.isFinite(v) ? String(v) : v)));
}

export function stat(values: readonly number[]): Stat {
  const used = values.filter((v) => !Number.isNaN(v));
  const n = used.length;
  const mean = n ? used.reduce((s, v) => s + v, 0) / n : NaN;
  const sd = n > 1 ? Math.sqrt(used.reduce((s, v) => s + (v - mean) ** 2, 0) / (n - 1)) : NaN;
  return { mean, sd, n };
}

type ColumnKind = "number" | "boolean" | "string" | "other";

function kindOf(art: Artifact, name: string): ColumnKind {
  const t = art.column(name).type;
  if (DataType.isFloat(t) || DataType.isInt(t)) return "number";
  if (DataType.isBool(t)) return "boolean";
  if (DataType.isUtf8(t) || DataType.isLargeUtf8(t) || (DataType.isDictionary(t) && DataType.isUtf8(t.dictionary))) return "string";
  return "other";
}

function readValues(art: Artifact, name: string): CellValue[] {
  const kind = kindOf(art, name);
  if (kind === "number") return Array.from(readFloatColumn(art, name));
  if (kind === "boolean") return readBoolColumn(art, name);
  if (kind === "string") return readStringColumn(art, name);
  throw new Error(`${art.path}: column "${name}" names grid cells but is a ${String(art.column(name).type)}, not a number, boolean or string`);
}

export function summariseMetrics(art: Artifact, declaration: MetricsCells): MetricsSummary {
  const missing = [...declaration.cells, ...declaration.labels, declaration.replicate].filter((c) => !art.has(c));
  if (missing.length)
    throw new Error(
      `${art.path}: no column ${missing.map((c) => `"${c}"`).join(", ")}, which the kind names as cell, label or replicate columns; columns present: ${art.columnNames.join(", ")}`,
    );
  const notMetrics = new Set([...declaration.cells, ...declaration.labels, declaration.replicate, ...declaration.ignore]);
  const metrics = art.columnNames.filter((c) => !notMetrics.has(c) && (kindOf(art, c) === "number" || kindOf(art, c) === "boolean"));
  const keys = declaration.cells.map((c) => readValues(art, c));
  const labels = declaration.labels.map((c) => readValues(art, c));
  const values = metrics.map((m) => [m, kindOf(art, m) === "boolean" ? readBoolColumn(art, m).map(Number) : Array.from(readFloatColumn(art, m))] as const);
  // every column read from the artifact holds art.numRows values, and each cell has at least one row
  const rowsOf = new Map<string, { key: CellValue[]; rows: [number, ...number[]] }>();
  for (let r = 0; r < art.numRows; r++) {
    const key = keys.map((column) => column[r]!);
    const id = cellId(key);
    const cell = rowsOf.get(id);
    if (cell) cell.rows.push(r);
    else rowsOf.set(id, { key, rows: [r] });
  }
  const cells = [...rowsOf.values()].map(({ key, rows }) => ({
    key,
    labels: labels.map((column, k) => {
      const seen = new Set(rows.map((r) => cellId([column[r]!])));
      if (seen.size > 1) throw new Error(`${art.path}: column "${declaration.labels[k]}" takes ${seen.size} values in the cell ${cellId(key)}, so it cannot label the cell`);
      return column[rows[0]]!;
    }),
    rows: rows.length,
    metrics: Object.fromEntries(values.map(([m, column]) => [m, stat(rows.map((r) => column[r]!))])),
  }));
  return {
    file: art.path.split(/[\\/]/).pop() ?? art.path,
    cellColumns: [...declaration.cells],
    labelColumns: [...declaration.labels],
    replicate: declaration.replicate,
    metrics,
    cells,
  };
}
