/**
 * Arrow artifact IO: the files stages hand each other (spec.arrow, saes.arrow, metrics.arrow, …).
 *
 * - One Arrow IPC *file* (not stream) per artifact: the file format ends with a footer, so a
 *   truncated file cannot be read as a shorter valid table.
 * - Written to `<path>.tmp-<pid>-<random>` and renamed, so an interrupted stage never leaves a
 *   half-written file that a later run or the Nx cache would take for complete.
 * - Provenance (experiment, config hash, seeds, versions, backend) lives in the schema metadata;
 *   see `provenance.ts`.
 * - Every file carries a content checksum (metadata `contentSha256`, see `checksum.ts`) over its
 *   other metadata and all column data; `readArtifact` refuses a file whose content does not match
 *   it, so bytes changed on disk or in a cache never flow downstream as numbers.
 * - Vectors and matrices per row are FixedSizeList<Float32>, built with `makeData` directly:
 *   `vectorFromArray` fails on FixedSizeList ("Unrecognized type 'NONE'", apache/arrow#45453).
 */
import { randomBytes } from "node:crypto";
import { mkdir, open, readFile, rename, rm } from "node:fs/promises";
import { dirname } from "node:path";
import {
  Bool,
  DataType,
  Field,
  FixedSizeList,
  Float32,
  List,
  Null,
  Precision,
  type RecordBatch,
  RecordBatchReader,
  Schema,
  Table,
  Utf8,
  makeData,
  makeVector,
  tableFromIPC,
  tableToIPC,
  vectorFromArray,
  type Vector,
} from "apache-arrow";
import { fromArrow, toArrowIPC, type ColumnTable } from "arquero";
import { checkArrowFileBounds } from "./arrow-file-bounds.ts";
import { CONTENT_CHECKSUM_KEY, contentChecksum } from "./checksum.ts";

export { CONTENT_CHECKSUM_KEY } from "./checksum.ts";

/** One vector (or flattened matrix) of `size` float32 values per row; `values.length = rows · size`. */
export interface FixedSizeListColumn {
  type: "fixedSizeList";
  size: number;
  values: Float32Array;
}

/** One float32 vector per row, of varying length: row r is `values[offsets[r] .. offsets[r + 1])`. */
export interface ListColumn {
  type: "list";
  offsets: Int32Array;
  values: Float32Array;
}

/**
 * What a column may be given as. Typed arrays keep their Arrow type (Float32/Float64/Int32);
 * `number[]` becomes Float64, `string[]` Utf8 (plain, not dictionary-encoded, so readers see one
 * type), `boolean[]` Bool. An empty plain array carries no element type and is stored as the
 * Arrow Null type; every typed reader accepts an empty Null column as an empty column of its kind.
 */
export type ColumnInput = Float32Array | Float64Array | Int32Array | string[] | number[] | boolean[] | FixedSizeListColumn | ListColumn;

export type ArtifactColumns = Record<string, ColumnInput>;

/** A read artifact: the Arrow table, its schema metadata, and a checked column lookup. */
export interface Artifact {
  readonly path: string;
  readonly table: Table;
  /** Schema metadata (provenance and the like), without the `contentSha256` entry. */
  readonly metadata: Readonly<Record<string, string>>;
  /** The verified content checksum (`readArtifact`), or the stored one / null for a table built in memory. */
  readonly contentSha256: string | null;
  readonly numRows: number;
  /** Names of the columns, in schema order. */
  readonly columnNames: readonly string[];
  /** True when the artifact has a column of that name. */
  has(name: string): boolean;
  /** The column's Arrow vector; throws `ArtifactError` naming the file and column when missing. */
  column(name: string): Vector;
}

/**
 * What is wrong with an artifact. Everything but "content" (a missing or mistyped column, a
 * missing metadata key) means the file itself cannot be trusted and must be rebuilt; callers that
 * know the stage add the exact command.
 */
export type ArtifactProblem =
  | "missing" // no such file, or it cannot be opened
  | "empty" // zero bytes
  | "not-arrow" // does not start with the Arrow file signature
  | "truncated" // starts like an Arrow file but lacks its footer
  | "unreadable" // Arrow-shaped but does not decode
  | "no-checksum" // decodes, but carries no content checksum to verify it by
  | "corrupt" // decodes, but its content does not match its checksum
  | "content"; // a verified file without the column or metadata the reader needs

/** How to get a trustworthy file back, said by every error about a damaged artifact. */
export const REBUILD_HINT = "to rebuild it, delete the file and rerun the stage that writes it";

/** Every error about an artifact's content names the file, and the column or key when there is one. */
export class ArtifactError extends Error {
  constructor(
    readonly file: string,
    readonly column: string | null,
    detail: string,
    readonly problem: ArtifactProblem = "content",
  ) {
    super(`${file}: ${column === null ? "" : `column "${column}": `}${detail}`);
    this.name = "ArtifactError";
  }
}

// ---------------------------------------------------------------------------------------------
// Writing

function isFixedSizeList(c: ColumnInput): c is FixedSizeListColumn {
  return !ArrayBuffer.isView(c) && !Array.isArray(c) && c.type === "fixedSizeList";
}

function isList(c: ColumnInput): c is ListColumn {
  return !ArrayBuffer.isView(c) && !Array.isArray(c) && c.type === "list";
}

function columnLength(name: string, c: ColumnInput): number {
  if (isList(c)) {
    const n = c.offsets.length - 1;
    if (n < 0 || c.offsets[0] !== 0 || c.offsets[n] !== c.values.length) {
      throw new Error(`column "${name}": list offsets must start at 0 and end at values.length (${c.values.length})`);
    }
    let previous = 0;
    for (const [k, offset] of c.offsets.entries()) {
      if (offset < previous) throw new Error(`column "${name}": list offsets decrease at row ${k - 1}`);
      previous = offset;
    }
    return n;
  }
  if (!isFixedSizeList(c)) return c.length;
  if (!Number.isInteger(c.size) || c.size <= 0) {
    throw new Error(`column "${name}": fixedSizeList size must be a positive integer, got ${c.size}`);
  }
  if (!(c.values instanceof Float32Array)) {
    throw new Error(`column "${name}": fixedSizeList values must be a Float32Array`);
  }
  if (c.values.length % c.size !== 0) {
    throw new Error(`column "${name}": fixedSizeList has ${c.values.length} values, not a multiple of size ${c.size}`);
  }
  return c.values.length / c.size;
}

/**
 * One float32 vector per row: a FixedSizeList column when every row has the same length
 * (the usual case, cheap to read), a List column otherwise (e.g. toy models of several sizes).
 */
export function vectorsColumn(rows: readonly Float32Array[]): FixedSizeListColumn | ListColumn {
  const size = rows[0]?.length ?? 0;
  if (size > 0 && rows.every((v) => v.length === size)) {
    const values = new Float32Array(rows.length * size);
    for (const [r, v] of rows.entries()) values.set(v, r * size);
    return { type: "fixedSizeList", size, values };
  }
  return { type: "list", ...concatRows(rows) };
}

/** Row r of a column read with `readListColumn`. */
export function listRow(list: { offsets: Int32Array; values: Float32Array }, r: number): Float32Array {
  const start = list.offsets[r];
  const end = list.offsets[r + 1];
  if (start === undefined || end === undefined) throw new RangeError(`listRow: no row ${r} in a list column of ${list.offsets.length - 1} rows`);
  return list.values.subarray(start, end);
}

/** Plain arrays are checked element by element: a stray `undefined` or number in a string column is a bug upstream. */
function plainArrayVector(name: string, values: readonly unknown[]): Vector {
  if (values.length === 0) return makeVector(makeData({ type: new Null(), length: 0 }));
  const kind = typeof values[0];
  if (kind !== "number" && kind !== "string" && kind !== "boolean") {
    throw new Error(`column "${name}": element 0 is ${describe(values[0])}; expected number, string or boolean`);
  }
  for (let i = 1; i < values.length; i++) {
    if (typeof values[i] !== kind) {
      throw new Error(`column "${name}": element ${i} is ${describe(values[i])}; the column holds ${kind}s`);
    }
  }
  if (kind === "number") return makeVector(Float64Array.from(values as number[]));
  if (kind === "string") return vectorFromArray(values as string[], new Utf8());
  return vectorFromArray(values as boolean[], new Bool());
}

function describe(v: unknown): string {
  return v === null ? "null" : Array.isArray(v) ? "an array" : `${typeof v} ${JSON.stringify(v) ?? String(v)}`;
}

function fixedSizeListVector(c: FixedSizeListColumn): Vector {
  const rows = c.values.length / c.size;
  const child = makeData({ type: new Float32(), length: c.values.length, nullCount: 0, data: c.values });
  const type = new FixedSizeList(c.size, new Field("item", new Float32(), false));
  return makeVector(makeData({ type, length: rows, nullCount: 0, child }));
}

function listVector(c: ListColumn): Vector {
  const child = makeData({ type: new Float32(), length: c.values.length, nullCount: 0, data: c.values });
  const type = new List(new Field("item", new Float32(), false));
  return makeVector(makeData({ type, length: c.offsets.length - 1, nullCount: 0, valueOffsets: c.offsets, child }));
}

function columnVector(name: string, c: ColumnInput): Vector {
  if (isFixedSizeList(c)) return fixedSizeListVector(c);
  if (isList(c)) return listVector(c);
  if (c instanceof Float32Array || c instanceof Float64Array || c instanceof Int32Array) return makeVector(c);
  if (Array.isArray(c)) return plainArrayVector(name, c);
  throw new Error(`column "${name}": unsupported column value ${describe(c)}`);
}

/**
 * Build the in-memory table of an artifact: checks every column first (equal lengths, element
 * types), so a bad column throws before anything is written.
 */
export function buildTable(columns: ArtifactColumns, metadata: Record<string, string> = {}): Table {
  const entries = Object.entries(columns);
  const [first, ...rest] = entries.map(([name, c]) => ({ name, rows: columnLength(name, c) }));
  if (!first) throw new Error("an artifact needs at least one column");
  for (const c of rest) {
    if (c.rows !== first.rows) {
      throw new Error(`column "${c.name}" has ${c.rows} rows but column "${first.name}" has ${first.rows}; all columns must have the same length`);
    }
  }
  for (const [key, value] of Object.entries(metadata)) {
    if (typeof value !== "string") throw new Error(`metadata "${key}" must be a string, got ${describe(value)}`);
  }
  const vectors: Record<string, Vector> = {};
  for (const [n, c] of entries) vectors[n] = columnVector(n, c);
  const plain = new Table(vectors);
  const schema = new Schema(plain.schema.fields, new Map(Object.entries(metadata)));
  return new Table(schema, plain.batches);
}

/**
 * Write an artifact atomically: validate and serialise in memory, write to a temporary sibling,
 * fsync, rename over `path`. Creates parent folders. On any failure the temporary file is
 * removed and an existing file at `path` is left as it was.
 */
export async function writeArtifact(path: string, columns: ArtifactColumns, metadata: Record<string, string> = {}): Promise<void> {
  if (CONTENT_CHECKSUM_KEY in metadata) {
    throw new Error(`metadata "${CONTENT_CHECKSUM_KEY}" is reserved: writeArtifact computes it from the content`);
  }
  const bytes = tableToIPC(withContentChecksum(buildTable(columns, metadata)), "file");
  await mkdir(dirname(path), { recursive: true });
  const tmp = `${path}.tmp-${process.pid}-${randomBytes(6).toString("hex")}`;
  try {
    const handle = await open(tmp, "wx");
    try {
      await handle.writeFile(bytes);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(tmp, path);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
}

// ---------------------------------------------------------------------------------------------
// Reading

/** The table with its content checksum added as the last schema-metadata entry. */
function withContentChecksum(table: Table): Table {
  const metadata = new Map(table.schema.metadata);
  metadata.set(CONTENT_CHECKSUM_KEY, contentChecksum(table));
  return new Table(new Schema(table.schema.fields, metadata), table.batches);
}

/**
 * Wrap an Arrow table read from `path` (or built in memory; `path` then only labels errors).
 * Does not verify the checksum: `readArtifact` does, before it calls this.
 */
export function artifactFromTable(path: string, table: Table): Artifact {
  const metadata: Record<string, string> = Object.fromEntries(table.schema.metadata);
  const contentSha256 = metadata[CONTENT_CHECKSUM_KEY] ?? null;
  delete metadata[CONTENT_CHECKSUM_KEY];
  const columnNames = table.schema.fields.map((f) => f.name);
  return {
    path,
    table,
    metadata,
    contentSha256,
    numRows: table.numRows,
    columnNames,
    has: (name) => columnNames.includes(name),
    column(name) {
      const v = columnNames.includes(name) ? table.getChild(name) : null;
      if (v === null) {
        throw new ArtifactError(path, name, `missing; columns present: ${columnNames.join(", ") || "(none)"}`);
      }
      return v;
    },
  };
}

/**
 * Read an artifact file and verify it: a missing, empty, non-Arrow, truncated, undecodable or
 * unchecksummed file, or one whose content does not match its checksum, gives an ArtifactError
 * naming the file, saying what is wrong and how to rebuild it.
 */
export async function readArtifact(path: string): Promise<Artifact> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(path);
  } catch (err) {
    const why = (err as NodeJS.ErrnoException).code === "ENOENT" ? "it does not exist" : (err as Error).message;
    throw new ArtifactError(path, null, `cannot read the file (${why})`, "missing");
  }
  return verifiedArtifact(path, bytes);
}

/** "ARROW1": the Arrow IPC file format starts (padded to 8 bytes) and ends with it. */
const ARROW_MAGIC = new TextEncoder().encode("ARROW1");
/** Magic + padding to 8 bytes; the file ends with its footer, the footer's length and the magic. */
const LEADING_BYTES = 8;

function hasMagicAt(bytes: Uint8Array, at: number): boolean {
  if (at < 0 || at + ARROW_MAGIC.length > bytes.length) return false;
  return ARROW_MAGIC.every((b, i) => bytes[at + i] === b);
}

/** The first bytes of a file in hex, so "not Arrow" errors show what the file looks like instead. */
function leadingHex(bytes: Uint8Array): string {
  return Array.from(bytes.subarray(0, 8), (b) => b.toString(16).padStart(2, "0")).join(" ");
}

/**
 * Verify the bytes of an artifact file and wrap them (what `readArtifact` does after reading);
 * `path` names the file in errors.
 */
export function verifiedArtifact(path: string, bytes: Uint8Array): Artifact {
  const fail: (problem: ArtifactProblem, detail: string) => never = (problem, detail) => {
    throw new ArtifactError(path, null, `${detail}; ${REBUILD_HINT}`, problem);
  };
  if (bytes.length === 0) fail("empty", "is empty (0 bytes), not an Arrow file: an interrupted write or a failed copy");
  if (!hasMagicAt(bytes, 0)) {
    fail("not-arrow", `not a readable Arrow file: it does not start with the Arrow file signature "ARROW1" (first bytes: ${leadingHex(bytes)})`);
  }
  if (!hasMagicAt(bytes, bytes.length - ARROW_MAGIC.length) || bytes.length < LEADING_BYTES + ARROW_MAGIC.length) {
    fail("truncated", `is incomplete (${bytes.length} bytes): it starts like an Arrow file but does not end with the Arrow footer, so it was truncated or partly overwritten`);
  }
  let table: Table;
  try {
    table = decodeArrowFile(bytes);
  } catch (err) {
    fail("unreadable", `not a readable Arrow file (${(err as Error).message})`);
  }
  const stored = table.schema.metadata.get(CONTENT_CHECKSUM_KEY);
  if (stored === undefined) {
    fail(
      "no-checksum",
      `has no content checksum (schema metadata "${CONTENT_CHECKSUM_KEY}"), so its content cannot be verified: it was written by another tool or by a version of this project before checksums`,
    );
  }
  let actual: string;
  try {
    actual = contentChecksum(table);
  } catch (err) {
    fail("unreadable", `not a readable Arrow file (${(err as Error).message})`);
  }
  if (actual !== stored) {
    fail(
      "corrupt",
      `content does not match its checksum (stored ${CONTENT_CHECKSUM_KEY} ${short(stored)}, content hashes to ${short(actual)}): the file was corrupted or edited after it was written`,
    );
  }
  return artifactFromTable(path, table);
}

/**
 * Decode an Arrow IPC file batch by batch at the offsets its footer lists, after checking that
 * every length in its metadata fits the file (`arrow-file-bounds.ts`). Not `tableFromIPC`: its
 * reader retries a block that does not hold a record batch forever, so one flipped byte in a
 * message prefix would hang the stage instead of failing it.
 */
function decodeArrowFile(bytes: Uint8Array): Table {
  checkArrowFileBounds(bytes);
  const reader = RecordBatchReader.from(bytes);
  if (!reader.isFile()) throw new Error("not in the Arrow file format");
  reader.open();
  const count = reader.numRecordBatches;
  // Every batch takes at least a message prefix (8 bytes) in the file; more is a corrupted footer.
  if (!Number.isInteger(count) || count < 0 || count > bytes.length / 8) {
    throw new Error(`its footer lists ${count} record batches, impossible in ${bytes.length} bytes`);
  }
  const batches: RecordBatch[] = [];
  for (let i = 0; i < count; i++) {
    const batch = reader.readRecordBatch(i);
    if (batch === null) throw new Error(`record batch ${i + 1} of ${count} is not where the footer says it is`);
    batches.push(batch);
  }
  return new Table(reader.schema, batches);
}

function short(hex: string): string {
  return hex.length > 12 ? `${hex.slice(0, 12)}…` : JSON.stringify(hex);
}

/** A schema-metadata value that must be there, e.g. `requireMetadata(art, "configHash")`. */
export function requireMetadata(art: Artifact, key: string): string {
  const v = art.metadata[key];
  if (v === undefined) {
    throw new ArtifactError(art.path, null, `metadata key "${key}" is missing; keys present: ${Object.keys(art.metadata).join(", ") || "(none)"}`);
  }
  return v;
}

/** Look a column up and check its type; the error says what was expected and what was found. */
function typedColumn(art: Artifact, name: string, expected: string, ok: (t: DataType) => boolean): Vector | null {
  if (!art.has(name)) {
    throw new ArtifactError(art.path, name, `missing (expected ${expected}); columns present: ${art.columnNames.join(", ") || "(none)"}`);
  }
  const v = art.column(name);
  if (DataType.isNull(v.type) && v.length === 0) return null; // an empty column written without element type
  if (!ok(v.type)) throw new ArtifactError(art.path, name, `expected ${expected}, found ${String(v.type)}`);
  return v;
}

/**
 * A numeric column as Float64Array: Float32/Float64, or an integer of at most 32 bits (arquero
 * narrows integer-valued results such as a mean of 2 to Int8 when it writes Arrow). Nulls read as
 * NaN (arquero writes missing numbers as nulls).
 */
export function readFloatColumn(art: Artifact, name: string): Float64Array {
  const v = typedColumn(
    art,
    name,
    "Float32 or Float64 (or an integer of ≤ 32 bits)",
    (t) => (DataType.isFloat(t) && (t.precision === Precision.SINGLE || t.precision === Precision.DOUBLE)) || (DataType.isInt(t) && t.bitWidth <= 32),
  );
  if (v === null) return new Float64Array(0);
  if (v.nullCount === 0) return Float64Array.from(v.toArray() as ArrayLike<number>);
  const out = new Float64Array(v.length);
  for (let i = 0; i < v.length; i++) {
    const x: unknown = v.get(i);
    out[i] = typeof x === "number" ? x : NaN;
  }
  return out;
}

/** An integer column of at most 32 bits (Int8/16/32, Uint8/16) as Int32Array; nulls are an error. */
export function readIntColumn(art: Artifact, name: string): Int32Array {
  const v = typedColumn(art, name, "Int32 (or a narrower integer)", (t) => DataType.isInt(t) && (t.bitWidth < 32 || (t.bitWidth === 32 && t.isSigned)));
  if (v === null) return new Int32Array(0);
  if (v.nullCount > 0) throw new ArtifactError(art.path, name, `expected no nulls, found ${v.nullCount}`);
  return Int32Array.from(v.toArray() as ArrayLike<number>);
}

/** A Utf8 column (plain or dictionary-encoded, as arquero/tableFromArrays write strings) as string[]. */
export function readStringColumn(art: Artifact, name: string): string[] {
  const v = typedColumn(art, name, "Utf8 strings", (t) => DataType.isUtf8(t) || DataType.isLargeUtf8(t) || (DataType.isDictionary(t) && DataType.isUtf8(t.dictionary)));
  if (v === null) return [];
  if (v.nullCount > 0) throw new ArtifactError(art.path, name, `expected no nulls, found ${v.nullCount}`);
  return Array.from(v as Iterable<string>);
}

/** A Bool column as boolean[]; nulls are an error. */
export function readBoolColumn(art: Artifact, name: string): boolean[] {
  const v = typedColumn(art, name, "Bool", (t) => DataType.isBool(t));
  if (v === null) return [];
  if (v.nullCount > 0) throw new ArtifactError(art.path, name, `expected no nulls, found ${v.nullCount}`);
  return Array.from(v as Iterable<boolean>);
}

/** Rows of a FixedSizeList<Float32> column, flattened row-major: `values.length = rows · size`. */
export interface MatrixColumn {
  rows: number;
  size: number;
  values: Float32Array;
}

/**
 * A FixedSizeList<Float32> column as one flat Float32Array. `expectedSize`, when given, is
 * checked, so a reader that needs d_in-long vectors fails on the file rather than on the math.
 */
export function readMatrixColumn(art: Artifact, name: string, expectedSize?: number): MatrixColumn {
  const what = `FixedSizeList<Float32>${expectedSize === undefined ? "" : ` of size ${expectedSize}`}`;
  const v = typedColumn(art, name, what, (t) => DataType.isFixedSizeList(t) && hasFloat32Elements(t));
  if (v === null) return { rows: 0, size: expectedSize ?? 0, values: new Float32Array(0) };
  const size = (v.type as FixedSizeList).listSize;
  if (expectedSize !== undefined && size !== expectedSize) {
    throw new ArtifactError(art.path, name, `expected ${what}, found size ${size}`);
  }
  if (v.nullCount > 0) throw new ArtifactError(art.path, name, `expected no null rows, found ${v.nullCount}`);
  const values = new Float32Array(v.length * size);
  let row = 0;
  for (const chunk of v.data) {
    // arrow-js slices a chunk's child by the list stride and its value buffers with it (`offset`
    // then only indexes the validity bitmap), so the chunk's values start at child.values[0].
    const child = chunk.children[0];
    if (!child) throw new ArtifactError(art.path, name, "a chunk of the list column has no child data");
    const flat = child.values as Float32Array;
    if (child.length === chunk.length * size && child.nullCount === 0 && flat.length >= chunk.length * size) {
      values.set(flat.subarray(0, chunk.length * size), row * size);
    } else {
      for (let i = 0; i < chunk.length; i++) {
        const item = v.get(row + i) as Vector | null;
        if (item === null) throw new ArtifactError(art.path, name, `row ${row + i} is null`);
        values.set(item.toArray() as Float32Array, (row + i) * size);
      }
    }
    row += chunk.length;
  }
  return { rows: v.length, size, values };
}

/** A List<Float32> column (or a FixedSizeList<Float32> one, read as equal-length rows) as offsets + values. */
export function readListColumn(art: Artifact, name: string): { offsets: Int32Array; values: Float32Array } {
  if (art.has(name) && DataType.isFixedSizeList(art.column(name).type)) {
    const m = readMatrixColumn(art, name);
    return { offsets: Int32Array.from({ length: m.rows + 1 }, (_, r) => r * m.size), values: m.values };
  }
  const v = typedColumn(art, name, "List<Float32>", (t) => DataType.isList(t) && hasFloat32Elements(t));
  if (v === null) return { offsets: new Int32Array(1), values: new Float32Array(0) };
  if (v.nullCount > 0) throw new ArtifactError(art.path, name, `expected no null rows, found ${v.nullCount}`);
  const parts: Float32Array[] = [];
  for (let r = 0; r < v.length; r++) parts.push((v.get(r) as Vector).toArray() as Float32Array);
  return concatRows(parts);
}

/** A list type whose elements are Float32. */
function hasFloat32Elements(t: DataType): boolean {
  const element = t.children[0]?.type;
  return element !== undefined && DataType.isFloat(element) && element.precision === Precision.SINGLE;
}

/** Rows of different lengths as one values array and the offsets of each row's start (and the end). */
function concatRows(rows: readonly Float32Array[]): { offsets: Int32Array; values: Float32Array } {
  const offsets = new Int32Array(rows.length + 1);
  let end = 0;
  for (const [r, v] of rows.entries()) {
    end += v.length;
    offsets[r + 1] = end;
  }
  const values = new Float32Array(end);
  let at = 0;
  for (const v of rows) {
    values.set(v, at);
    at += v.length;
  }
  return { offsets, values };
}

// ---------------------------------------------------------------------------------------------
// arquero interop

/**
 * An arquero table for relational work (joins, group-bys across runs). arquero 8 reads Arrow
 * through flechette, not apache-arrow, so the boundary is IPC bytes. Schema metadata does not
 * cross it; read provenance from the artifact first.
 */
export function toArquero(table: Table): ColumnTable {
  return fromArrow(tableToIPC(table, "stream"));
}

/** Back from arquero to an apache-arrow Table (via IPC bytes, the safe boundary). */
export function fromArquero(dt: ColumnTable): Table {
  return tableFromIPC(toArrowIPC(dt, { format: "file" }));
}
