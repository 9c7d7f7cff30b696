/**
 * Content checksum of an Arrow table: sha256 over a canonical serialisation of its schema
 * metadata (minus the checksum entry itself), its fields, and every column's data — validity
 * bits, values, offsets, child and dictionary data — so that any change to what a reader decodes
 * (a flipped byte in a float, a string, a null bit, a provenance value) changes the checksum.
 *
 * The serialisation follows what arrow-js's writer (VectorAssembler) puts in a file, buffer by
 * buffer, but in a form that does not depend on how the table is held in memory: buffers cut to
 * their logical length (files pad them to 8 bytes), bitmaps re-packed from the data's bit offset
 * with the unused trailing bits cleared, list offsets rebased to start at 0. So the table built in
 * memory before writing and the table read back from the file hash the same.
 *
 * Record batch boundaries are part of the content (each batch is hashed with its row count):
 * `writeArtifact` writes one batch, and a reader sees the same batches the writer wrote.
 */
import { createHash, type Hash } from "node:crypto";
import { DataType, type Data, type Field, type Schema, type Table } from "apache-arrow";

/** A typed array, as flat columns hold their values in. */
interface SliceableView extends ArrayBufferView {
  subarray(begin: number, end: number): ArrayBufferView;
}

/** Schema metadata key holding the checksum (64 lower-case hex digits). */
export const CONTENT_CHECKSUM_KEY = "contentSha256";

/** Versioned prefix: a change of the serialisation below must change this tag. */
const FORMAT_TAG = "toy-sae-artifact-content/v1";

/** sha256 (hex) of the table's canonical content, ignoring any `contentSha256` metadata entry. */
export function contentChecksum(table: Table): string {
  const hash = createHash("sha256");
  const out = new CanonicalWriter(hash);
  out.text(FORMAT_TAG);
  writeSchema(out, table.schema);
  out.count(table.batches.length);
  for (const batch of table.batches) {
    out.count(batch.numRows);
    const columns = batch.data.children;
    out.count(columns.length);
    for (const [i, field] of table.schema.fields.entries()) {
      const column = columns[i];
      if (!column) throw new Error(`column "${field.name}": a record batch has no data for it`);
      writeData(out, column, field.name);
    }
  }
  return hash.digest("hex");
}

/**
 * Length-prefixed pieces, so that no two different contents serialise to the same bytes
 * (e.g. metadata {"ab": "c"} vs {"a": "bc"}).
 */
class CanonicalWriter {
  private readonly scratch = Buffer.alloc(8);
  constructor(private readonly hash: Hash) {}

  /** A non-negative integer (row counts, lengths), as a little-endian float64: exact up to 2^53. */
  count(n: number): void {
    this.scratch.writeDoubleLE(n, 0);
    this.hash.update(this.scratch);
  }

  text(s: string): void {
    this.bytes(Buffer.from(s, "utf8"));
  }

  bytes(view: ArrayBufferView): void {
    const bytes = new Uint8Array(view.buffer, view.byteOffset, view.byteLength);
    this.count(bytes.byteLength);
    this.hash.update(bytes);
  }
}

function writeStringMap(out: CanonicalWriter, map: ReadonlyMap<string, string>, skipKey: string | null): void {
  const keys = [...map.keys()].filter((k) => k !== skipKey).sort();
  out.count(keys.length);
  for (const k of keys) {
    out.text(k);
    out.text(map.get(k) ?? "");
  }
}

function writeField(out: CanonicalWriter, field: Field): void {
  out.text(field.name);
  out.text(String(field.type)); // e.g. "FixedSizeList[2]<Float32>": nested types spell their children
  out.count(field.nullable ? 1 : 0);
  writeStringMap(out, field.metadata, null);
  const children = field.type.children ?? [];
  out.count(children.length);
  for (const child of children) writeField(out, child);
}

function writeSchema(out: CanonicalWriter, schema: Schema): void {
  writeStringMap(out, schema.metadata, CONTENT_CHECKSUM_KEY);
  out.count(schema.fields.length);
  for (const field of schema.fields) writeField(out, field);
}

/** Bits [bitOffset, bitOffset + length) of a bitmap, re-packed from bit 0, unused bits cleared. */
function repackBits(bitmap: Uint8Array, bitOffset: number, length: number): Uint8Array {
  const packed = new Uint8Array((length + 7) >> 3);
  if (bitOffset % 8 === 0) {
    packed.set(bitmap.subarray(bitOffset >> 3, (bitOffset >> 3) + packed.length));
  } else {
    for (let i = 0; i < length; i++) {
      const bit = bitOffset + i;
      if (((bitmap[bit >> 3] ?? 0) >> (bit & 7)) & 1) packed[i >> 3]! |= 1 << (i & 7); // i >> 3 < packed.length
    }
  }
  if (length % 8 !== 0) packed[packed.length - 1]! &= (1 << (length % 8)) - 1; // length > 0, so packed is not empty
  return packed;
}

/** Offsets rebased to start at 0 (a sliced column and its written copy then agree). */
function rebasedOffsets(offsets: Int32Array | BigInt64Array, length: number): { rebased: Int32Array | BigInt64Array; begin: number; end: number } {
  const tooShort = () => new Error(`${offsets.length} value offsets for ${length} rows (expected ${length + 1})`);
  if (offsets instanceof BigInt64Array) {
    const first = offsets[0];
    const last = offsets[length];
    if (first === undefined || last === undefined) throw tooShort();
    const rebased = BigInt64Array.from(offsets.subarray(0, length + 1), (o) => o - first);
    return { rebased, begin: Number(first), end: Number(last) };
  }
  const first = offsets[0];
  const last = offsets[length];
  if (first === undefined || last === undefined) throw tooShort();
  const rebased = Int32Array.from(offsets.subarray(0, length + 1), (o) => o - first);
  return { rebased, begin: first, end: last };
}

function writeData(out: CanonicalWriter, data: Data, column: string): void {
  const { type, length } = data;
  out.text(String(type));
  out.count(length);
  if (DataType.isDictionary(type)) {
    // Indices here; the dictionary's own values follow (a file holds them in dictionary batches).
    writeData(out, data.clone(type.indices), column);
    const dictionary = data.dictionary;
    if (dictionary === undefined) throw new Error(`column "${column}": dictionary column without a dictionary`);
    out.count(dictionary.data.length);
    for (const chunk of dictionary.data) writeData(out, chunk, column);
    return;
  }
  const nullCount = data.nullCount;
  out.count(nullCount);
  // Null columns have no buffers; an empty column's buffers may be absent in memory and empty
  // (or a lone 0 offset) in a file: neither holds content.
  if (DataType.isNull(type) || length === 0) return;
  // Validity bits only matter when there are nulls; writers store an empty buffer otherwise.
  if (nullCount > 0) out.bytes(repackBits(data.nullBitmap ?? new Uint8Array(0), data.offset, length));

  if (DataType.isBool(type)) {
    out.bytes(repackBits(data.values as Uint8Array, data.offset, length));
  } else if (
    DataType.isInt(type) ||
    DataType.isFloat(type) ||
    DataType.isDecimal(type) ||
    DataType.isDate(type) ||
    DataType.isTime(type) ||
    DataType.isTimestamp(type) ||
    DataType.isInterval(type) ||
    DataType.isDuration(type) ||
    DataType.isFixedSizeBinary(type)
  ) {
    // A sliced Data's values already start at its first element (arrow-js slices them by stride).
    out.bytes((data.values as SliceableView).subarray(0, length * data.stride));
  } else if (DataType.isUtf8(type) || DataType.isLargeUtf8(type) || DataType.isBinary(type) || DataType.isLargeBinary(type)) {
    const { rebased, begin, end } = rebasedOffsets(data.valueOffsets as Int32Array | BigInt64Array, length);
    out.bytes(rebased);
    out.bytes((data.values as Uint8Array).subarray(begin, end));
  } else if (DataType.isList(type) || DataType.isLargeList(type) || DataType.isMap(type)) {
    const { rebased, begin, end } = rebasedOffsets(data.valueOffsets as Int32Array | BigInt64Array, length);
    out.bytes(rebased);
    const child = data.children[0];
    if (!child) throw new Error(`column "${column}": a ${type} without child data`);
    writeData(out, child.slice(begin, end - begin), column);
  } else if (DataType.isFixedSizeList(type) || DataType.isStruct(type)) {
    // Children are sliced together with their parent, so they hold exactly this data's rows.
    out.count(data.children.length);
    for (const child of data.children) writeData(out, child, column);
  } else {
    throw new Error(`column "${column}": no content checksum for Arrow type ${String(type)}`);
  }
}
