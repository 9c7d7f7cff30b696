// biome-ignore-all format: the emitted WebAssembly is laid out one instruction group per line
/**
 * Sparse rows through a Float32 embedding, in WebAssembly SIMD (f64x2): for every sample s,
 * out[s] = Σ_q value[q]·w[row q] over its listed entries q = start[s] … start[s + 1] − 1, summed
 * in q order in Float64 from +0 and stored as Float32. It is the correlated sampler's embedding
 * (x = features·E with ~2 of 5 or ~11 of 50 features firing), which plain JavaScript ran at about
 * seven cycles per output element.
 *
 * Same arithmetic as the sampler's JavaScript `embedLists`, so the same bits: each output element
 * is ((0 + v_0·w_0) + v_1·w_1) + …, every Float32 weight promoted to Float64 exactly, every
 * product and sum rounded to Float64 (f64x2.mul / f64x2.add round each lane as the scalar
 * operations do; there is no fused multiply-add), and the result rounded to Float32 as
 * Math.fround does (f32x4.demote_f64x2_zero). The two lanes of a vector are two adjacent output
 * elements, never two terms of one sum.
 *
 * The module is generated for one output width dOut (even): the output row is done in chunks
 * of up to eight lane pairs, each held in its own v128 local across the sample's entries, so
 * every weight is loaded once per entry and every output element stored once. The batch's
 * entries are written into the module's memory by the caller (`buffers`), so the only copy is
 * the Float32 output.
 */
import { align16, assembleModule, lazyKernel, op, pagesFor, type ValType } from "./assemble.ts";

// parameters: samples B, byte addresses of start [B + 1] (i32), value [entries] (f64), row
// [entries] (i32: byte address of the entry's weight row), out [B, dOut] (f32)
const P = { B: 0, start: 1, value: 2, row: 3, out: 4 } as const;
const L = { s: 5, q: 6, q1: 7, r: 8, o: 9, v: 10, acc: 11 } as const; // acc 0 … 7 are 11 … 18
const CHUNK = 8; // lane pairs per pass over a sample's entries: eight v128 sums, eight weight loads
const PARAMS: ValType[] = Array<ValType>(5).fill("i32");
const LOCALS: ValType[] = [...Array<ValType>(5).fill("i32"), ...Array<ValType>(1 + CHUNK).fill("v128")];

const inc = (local: number, by: number[]): number[] => [...op.get(local), ...by, ...op.i32Add(), ...op.set(local)];

/** One chunk: lane pairs first … first + pairs − 1 of sample s's output row. */
function chunk(first: number, pairs: number): number[] {
  const lanes = Array.from({ length: pairs }, (_, p) => p);
  return [
    ...lanes.flatMap((p) => [...op.v128Zero(), ...op.set(L.acc + p)]),
    // q = start[s], q1 = start[s + 1]
    ...op.get(P.start), ...op.get(L.s), ...op.i32(2), ...op.i32Shl(), ...op.i32Add(), ...op.tee(L.q),
    ...op.i32Load(4), ...op.set(L.q1),
    ...op.get(L.q), ...op.i32Load(0), ...op.set(L.q),
    ...op.block(), ...op.loop(), // entries q = start[s] … start[s + 1] − 1, in order
    ...op.get(L.q), ...op.get(L.q1), ...op.i32GeS(), ...op.brIf(1),
    // v = splat(value[q]), r = row[q]
    ...op.get(P.value), ...op.get(L.q), ...op.i32(3), ...op.i32Shl(), ...op.i32Add(), ...op.f64Load(), ...op.f64x2Splat(), ...op.set(L.v),
    ...op.get(P.row), ...op.get(L.q), ...op.i32(2), ...op.i32Shl(), ...op.i32Add(), ...op.i32Load(), ...op.set(L.r),
    // acc_p = acc_p + v·promote(w[r + 2(first + p) … + 1])
    ...lanes.flatMap((p) => [
      ...op.get(L.acc + p), ...op.get(L.v),
      ...op.get(L.r), ...op.v128Load64Zero(8 * (first + p)), ...op.f64x2PromoteLowF32x4(),
      ...op.f64x2Mul(), ...op.f64x2Add(), ...op.set(L.acc + p),
    ]),
    ...inc(L.q, op.i32(1)),
    ...op.br(0), ...op.end(), ...op.end(),
    // out[s, 2(first + p) … + 1] = fround(acc_p)
    ...lanes.flatMap((p) => [...op.get(L.o), ...op.get(L.acc + p), ...op.f32x4DemoteF64x2Zero(), ...op.v128Store64Lane0(8 * (first + p))]),
  ];
}

function embedBody(dOut: number): number[] {
  const pairs = dOut / 2;
  const chunks: number[] = [];
  for (let first = 0; first < pairs; first += CHUNK) chunks.push(...chunk(first, Math.min(CHUNK, pairs - first)));
  return [
    ...op.i32(0), ...op.set(L.s),
    ...op.get(P.out), ...op.set(L.o),
    ...op.block(), ...op.loop(), // samples
    ...op.get(L.s), ...op.get(P.B), ...op.i32GeS(), ...op.brIf(1),
    ...chunks,
    ...inc(L.o, op.i32(4 * dOut)),
    ...inc(L.s, op.i32(1)),
    ...op.br(0), ...op.end(), ...op.end(),
  ];
}

interface Exports {
  memory: WebAssembly.Memory;
  embed: (B: number, start: number, value: number, row: number, out: number) => void;
}

/** Views into the module's memory: fill w once per batch, then start / value / row, then `run`. */
export interface EmbedBuffers {
  /** The embedding [rows, dOut]. */
  w: Float32Array;
  /** start[s] … start[s + 1] − 1 are sample s's entries; start[0] = 0. */
  start: Int32Array;
  value: Float64Array;
  /** Byte address of the entry's row in module memory: `rowAddress(i)`. */
  row: Int32Array;
  out: Float32Array;
}

export interface SimdEmbedder {
  readonly dOut: number;
  /** Views for `batch` samples, `entries` entries in all and a [rows, dOut] embedding; valid until the next call. */
  buffers(batch: number, entries: number, rows: number): EmbedBuffers;
  /** The byte address `row` holds for row i of w (valid with the current buffers). */
  rowAddress(i: number): number;
  /** out = the embedded samples, on the current buffers. */
  run(batch: number): void;
}

/** The module for width dOut with a memory of `pages` 64 KiB pages. */
function instantiate(dOut: number, pages: number): Exports {
  const bytes = assembleModule([{ name: "embed", params: PARAMS, locals: LOCALS, body: embedBody(dOut) }], pages);
  return new WebAssembly.Instance(new WebAssembly.Module(bytes)).exports as unknown as Exports;
}

function createEmbedder(dOut: number): SimdEmbedder {
  let wasm = instantiate(dOut, 1);
  let key = "";
  let views: EmbedBuffers | null = null;
  let at = { w: 0, start: 0, value: 0, row: 0, out: 0 };
  return {
    dOut,
    buffers(batch, entries, rows) {
      const want = `${batch} ${entries} ${rows}`;
      if (views && key === want) return views;
      const w = 0;
      const start = align16(w + 4 * rows * dOut);
      const value = align16(start + 4 * (batch + 1));
      const row = align16(value + 8 * entries);
      const out = align16(row + 4 * entries);
      const end = align16(out + 4 * batch * dOut);
      // a new instance with a larger memory, never memory.grow: growing detaches the old
      // ArrayBuffer, and one detach anywhere makes V8 add a detach check to every typed-array
      // access of the thread from then on (the training kernels ran 20 % slower)
      if (end > wasm.memory.buffer.byteLength) wasm = instantiate(dOut, pagesFor(end));
      const buf = wasm.memory.buffer;
      views = {
        w: new Float32Array(buf, w, rows * dOut),
        start: new Int32Array(buf, start, batch + 1),
        value: new Float64Array(buf, value, entries),
        row: new Int32Array(buf, row, entries),
        out: new Float32Array(buf, out, batch * dOut),
      };
      at = { w, start, value, row, out };
      key = want;
      return views;
    },
    rowAddress(i) {
      return at.w + 4 * dOut * i;
    },
    run(batch) {
      wasm.embed(batch, at.start, at.value, at.row, at.out);
    },
  };
}

const embedders = new Map<number, () => SimdEmbedder | null>();

/**
 * The SIMD embedder for output width dOut, or null: when dOut is odd (the lane pairs would
 * split), when WebAssembly SIMD is not available, or when TOY_SAE_SIMD=0 (`lazyKernel`). On by
 * default: it is faster than the JavaScript embedding on the bench's correlated toys.
 */
export function simdEmbedder(dOut: number): SimdEmbedder | null {
  if (dOut % 2 !== 0 || dOut <= 0) return null;
  let embedder = embedders.get(dOut);
  if (!embedder) {
    embedder = lazyKernel(() => createEmbedder(dOut));
    embedders.set(dOut, embedder);
  }
  return embedder();
}
