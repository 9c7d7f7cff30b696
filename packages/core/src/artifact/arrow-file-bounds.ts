/**
 * Bounds check of an Arrow IPC file's flatbuffer metadata — footer, schema, and the message of
 * every block the footer lists — before arrow-js decodes it.
 *
 * Why: arrow-js trusts the lengths it reads. Flipping single bytes of a small artifact one at a
 * time showed that a changed vector or string length in the footer makes it iterate over millions
 * of entries beyond the buffer (the stage hangs and grows to gigabytes instead of failing). This
 * makes the checks a flatbuffers verifier makes — every table, vtable, vector and string reached
 * lies inside its buffer — plus that every block, message and buffer lies inside the file. It
 * checks structure only; whether the content is the one that was written is the checksum's job.
 */

/** Nesting of fields (lists of structs of …) beyond this is corruption, not a real schema. */
const MAX_FIELD_DEPTH = 64;
/** Arrow's Message header types (Message.fbs). */
const HEADER_DICTIONARY_BATCH = 2;
const HEADER_RECORD_BATCH = 3;
/** Schema.fbs `Type` union tag of Union, whose table holds a vector (typeIds). */
const TYPE_UNION = 14;

/** A flatbuffer table: where it is and its vtable's extent. */
interface TableRef {
  readonly pos: number;
  readonly vtable: number;
  readonly vtableSize: number;
  readonly tableSize: number;
}

/** Reads of one flatbuffer, each checked against its bounds; errors say what was being read. */
class CheckedFlatBuffer {
  private readonly view: DataView;
  /** Tables visited: a budget, since shared references could otherwise make a small file "large". */
  private visited = 0;

  constructor(
    private readonly bytes: Uint8Array,
    private readonly what: string,
  ) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  fail(detail: string): never {
    throw new Error(`${this.what}: ${detail}`);
  }

  private at(pos: number, size: number, name: string): number {
    if (!Number.isSafeInteger(pos) || pos < 0 || pos + size > this.bytes.length) {
      this.fail(`${name} at byte ${pos} lies outside its ${this.bytes.length} bytes`);
    }
    return pos;
  }

  u8(pos: number, name: string): number {
    return this.view.getUint8(this.at(pos, 1, name));
  }
  i32(pos: number, name: string): number {
    return this.view.getInt32(this.at(pos, 4, name), true);
  }
  u32(pos: number, name: string): number {
    return this.view.getUint32(this.at(pos, 4, name), true);
  }
  /** An int64 that must be a non-negative safe integer (offsets, lengths). */
  size64(pos: number, name: string): number {
    const v = this.view.getBigInt64(this.at(pos, 8, name), true);
    if (v < 0n || v > BigInt(Number.MAX_SAFE_INTEGER)) this.fail(`${name} is ${v}`);
    return Number(v);
  }

  table(pos: number, name: string): TableRef {
    if (++this.visited > this.bytes.length / 4) this.fail(`more tables than ${this.bytes.length} bytes can hold`);
    const vtable = pos - this.i32(pos, `${name} table`);
    const vtableSize = this.view.getUint16(this.at(vtable, 4, `${name} vtable`), true);
    const tableSize = this.view.getUint16(vtable + 2, true);
    if (vtableSize < 4 || vtableSize % 2 !== 0) this.fail(`${name} vtable has size ${vtableSize}`);
    this.at(vtable, vtableSize, `${name} vtable`);
    this.at(pos, Math.max(tableSize, 4), `${name} table`);
    return { pos, vtable, vtableSize, tableSize };
  }

  root(name: string): TableRef {
    return this.table(this.u32(0, `${name} root offset`), name);
  }

  /** Position of field `slot` of a table, or null when absent (flatbuffers' default). */
  field(t: TableRef, slot: number, name: string): number | null {
    const entry = 4 + 2 * slot;
    if (entry >= t.vtableSize) return null;
    const offset = this.view.getUint16(t.vtable + entry, true);
    if (offset === 0) return null;
    if (offset >= t.tableSize) this.fail(`${name} field lies outside its table`);
    return t.pos + offset;
  }

  /** Target of an offset field (sub-table, vector, string). */
  private target(t: TableRef, slot: number, name: string): number | null {
    const pos = this.field(t, slot, name);
    return pos === null ? null : pos + this.u32(pos, `${name} offset`);
  }

  subTable(t: TableRef, slot: number, name: string): TableRef | null {
    const pos = this.target(t, slot, name);
    return pos === null ? null : this.table(pos, name);
  }

  /** A vector of `elementSize`-byte elements: where its elements start and how many. */
  vector(t: TableRef, slot: number, elementSize: number, name: string): { start: number; length: number } | null {
    const pos = this.target(t, slot, name);
    if (pos === null) return null;
    const length = this.u32(pos, `${name} length`);
    this.at(pos + 4, length * elementSize, `${name} (${length} entries)`);
    return { start: pos + 4, length };
  }

  string(t: TableRef, slot: number, name: string): void {
    this.vector(t, slot, 1, name);
  }

  tables(t: TableRef, slot: number, name: string): TableRef[] {
    const v = this.vector(t, slot, 4, name);
    if (v === null) return [];
    const out: TableRef[] = [];
    for (let i = 0; i < v.length; i++) {
      const pos = v.start + 4 * i;
      out.push(this.table(pos + this.u32(pos, name), `${name}[${i}]`));
    }
    return out;
  }
}

function checkKeyValues(fb: CheckedFlatBuffer, t: TableRef, slot: number, name: string): void {
  for (const kv of fb.tables(t, slot, name)) {
    fb.string(kv, 0, `${name} key`);
    fb.string(kv, 1, `${name} value`);
  }
}

function checkField(fb: CheckedFlatBuffer, field: TableRef, depth: number): void {
  if (depth > MAX_FIELD_DEPTH) fb.fail(`fields nested deeper than ${MAX_FIELD_DEPTH}`);
  fb.string(field, 0, "field name");
  const typeTag = fb.field(field, 2, "field type tag");
  const type = fb.subTable(field, 3, "field type");
  if (type !== null && typeTag !== null && fb.u8(typeTag, "field type tag") === TYPE_UNION) {
    fb.vector(type, 1, 4, "union typeIds");
  }
  const dictionary = fb.subTable(field, 4, "field dictionary");
  if (dictionary !== null) fb.subTable(dictionary, 1, "dictionary index type");
  for (const child of fb.tables(field, 5, "field children")) checkField(fb, child, depth + 1);
  checkKeyValues(fb, field, 6, "field metadata");
}

interface Block {
  offset: number;
  bodyLength: number;
}

/** The blocks (record batches or dictionaries) a footer vector lists; Block is a 24-byte struct. */
function blocks(fb: CheckedFlatBuffer, footer: TableRef, slot: number, name: string): Block[] {
  const v = fb.vector(footer, slot, 24, name);
  if (v === null) return [];
  const out: Block[] = [];
  for (let i = 0; i < v.length; i++) {
    const at = v.start + 24 * i;
    out.push({ offset: fb.size64(at, `${name}[${i}] offset`), bodyLength: fb.size64(at + 16, `${name}[${i}] body length`) });
  }
  return out;
}

function checkRecordBatch(fb: CheckedFlatBuffer, batch: TableRef, bodyLength: number): void {
  fb.vector(batch, 1, 16, "field nodes");
  const buffers = fb.vector(batch, 2, 16, "buffers");
  for (let i = 0; buffers !== null && i < buffers.length; i++) {
    const at = buffers.start + 16 * i;
    const offset = fb.size64(at, `buffer ${i} offset`);
    const length = fb.size64(at + 8, `buffer ${i} length`);
    if (offset + length > bodyLength) fb.fail(`buffer ${i} (${offset}+${length}) lies outside the ${bodyLength}-byte body`);
  }
  fb.subTable(batch, 3, "compression");
  fb.vector(batch, 4, 8, "variadic buffer counts");
}

/** The message at a block: prefix, flatbuffer metadata and body must lie before the footer. */
function checkMessage(file: Uint8Array, end: number, block: Block, expectedHeader: number, name: string): void {
  const prefix = new CheckedFlatBuffer(file.subarray(0, end), name);
  let metaStart = block.offset + 4;
  let metaLength = prefix.i32(block.offset, "message prefix");
  if (metaLength === -1) {
    metaLength = prefix.i32(block.offset + 4, "message length"); // continuation marker, then length
    metaStart += 4;
  }
  if (metaLength <= 0 || metaStart + metaLength > end) prefix.fail(`message length ${metaLength} does not fit the file`);
  const fb = new CheckedFlatBuffer(file.subarray(metaStart, metaStart + metaLength), name);
  const message = fb.root("message");
  const headerTag = fb.field(message, 1, "header type");
  if (headerTag === null || fb.u8(headerTag, "header type") !== expectedHeader) fb.fail("is not the kind of message its footer entry says");
  const header = fb.subTable(message, 2, "header") ?? fb.fail("has no header");
  const bodyField = fb.field(message, 3, "body length");
  const bodyLength = bodyField === null ? 0 : fb.size64(bodyField, "body length");
  if (metaStart + metaLength + bodyLength > end) fb.fail(`body of ${bodyLength} bytes runs past the footer`);
  checkKeyValues(fb, message, 4, "message metadata");
  if (expectedHeader === HEADER_RECORD_BATCH) {
    checkRecordBatch(fb, header, bodyLength);
  } else {
    const data = fb.subTable(header, 1, "dictionary data") ?? fb.fail("dictionary batch has no data");
    checkRecordBatch(fb, data, bodyLength);
  }
}

/**
 * Throws an Error describing the first structural problem of an Arrow IPC file whose first and
 * last 6 bytes are already known to be the "ARROW1" signature.
 */
export function checkArrowFileBounds(file: Uint8Array): void {
  const tail = new CheckedFlatBuffer(file, "file");
  const footerEnd = file.length - 10; // footer, int32 footer length, "ARROW1"
  const footerLength = tail.i32(footerEnd, "footer length");
  const footerStart = footerEnd - footerLength;
  if (footerLength <= 0 || footerStart < 8) tail.fail(`footer length ${footerLength} does not fit the file`);
  const fb = new CheckedFlatBuffer(file.subarray(footerStart, footerEnd), "footer");
  const footer = fb.root("footer");
  const schema = fb.subTable(footer, 1, "schema") ?? fb.fail("has no schema");
  for (const field of fb.tables(schema, 1, "schema fields")) checkField(fb, field, 0);
  checkKeyValues(fb, schema, 2, "schema metadata");
  fb.vector(schema, 3, 8, "schema features");
  checkKeyValues(fb, footer, 4, "footer metadata");
  for (const [i, b] of blocks(fb, footer, 2, "dictionary blocks").entries()) checkMessage(file, footerStart, b, HEADER_DICTIONARY_BATCH, `dictionary batch ${i + 1}`);
  for (const [i, b] of blocks(fb, footer, 3, "record batch blocks").entries()) checkMessage(file, footerStart, b, HEADER_RECORD_BATCH, `record batch ${i + 1}`);
}
