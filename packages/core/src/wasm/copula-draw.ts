// biome-ignore-all format: the emitted WebAssembly is laid out one instruction group per line
/**
 * The Gaussian-copula sampler's draws in WebAssembly: for each sample, n ziggurat normals ε,
 * z = L·ε, the features with z_i > Φ⁻¹(1 − p_i) in index order, and for each of them the
 * magnitude ReLU(μ_i + σ_i·δ) (δ another ziggurat normal, drawn only when σ_i ≠ 0) rounded to
 * Float32; the non-zero ones are listed as entries (value, row) per sample, ready for the
 * embedding. It is the JavaScript `drawEntries` of generators/src/correlated.ts — the same draws
 * from the same sfc32 stream (`Rng`), in the same order, with the same arithmetic, so the same
 * bits: sfc32's integer steps are i32 operations, each sum runs in the same order from +0, and
 * the ziggurat's rare cases call Math.exp / Math.log (imported) as `Rng.zigguratNormal` does.
 *
 * The point is speed: the small toy's sampling was a third of its training time, most of it
 * the JavaScript overhead around a few integer and float operations per draw.
 */
import { ZIGGURAT_F, ZIGGURAT_R, ZIGGURAT_SCALE, ZIGGURAT_X } from "../ziggurat.ts";
import { align16, assembleModule, lazyKernel, op, pagesFor, type ImportDef, type ValType } from "./assemble.ts";

const IMPORTS: ImportDef[] = [
  { name: "exp", params: ["f64"], results: ["f64"] },
  { name: "log", params: ["f64"], results: ["f64"] },
];
const EXP = 0;
const LOG = 1;

// parameters (byte addresses unless said): B and n (counts), tri (1: L is lower triangular),
// L [n, n], thresholds [n], mean [n], std [n], rowAt [n] (i32), eps [n], z [n], candidates [n]
// (i32), start [B + 1] (i32), value [B·n], row [B·n] (i32), state (four i32), tables
const P = { B: 0, n: 1, tri: 2, factor: 3, thr: 4, mean: 5, std: 6, rowAt: 7, eps: 8, z: 9, cand: 10, start: 11, value: 12, row: 13, state: 14, tables: 15 } as const;
const L = {
  a: 16, b: 17, c: 18, d: 19, t: 20, u: 21, at: 22, s: 23, k: 24, i: 25, q: 26, count: 27, entries: 28, end: 29,
  x: 30, sign: 31, zv: 32, acc: 33, m: 34, v: 35, y: 36, ta: 37, tb: 38,
} as const;
const PARAMS: ValType[] = Array<ValType>(16).fill("i32");
const LOCALS: ValType[] = [...Array<ValType>(14).fill("i32"), ...Array<ValType>(9).fill("f64")];

// the tables' layout from `tables`: x_i / 2³² (256), x_i (257), f(x_i) (257)
const SCALE_AT = 0;
const X_AT = 8 * 256;
const F_AT = X_AT + 8 * 257;
const TABLE_BYTES = F_AT + 8 * 257;

const inc = (local: number, by: number[]): number[] => [...op.get(local), ...by, ...op.i32Add(), ...op.set(local)];
/** base + index·size (an address). */
const at = (base: number[], index: number, size: number): number[] => [...base, ...op.get(index), ...op.i32(size), ...op.i32Mul(), ...op.i32Add()];

/** t = Rng.nextUint32() as an i32: sfc32's step on the state in locals a, b, c, d. */
function next(): number[] {
  return [
    ...op.get(L.a), ...op.get(L.b), ...op.i32Add(), ...op.get(L.d), ...op.i32Add(), ...op.set(L.t),
    ...inc(L.d, op.i32(1)),
    ...op.get(L.b), ...op.get(L.b), ...op.i32(9), ...op.i32ShrU(), ...op.i32Xor(), ...op.set(L.a),
    ...op.get(L.c), ...op.get(L.c), ...op.i32(3), ...op.i32Shl(), ...op.i32Add(), ...op.set(L.b),
    ...op.get(L.c), ...op.i32(21), ...op.i32Rotl(), ...op.get(L.t), ...op.i32Add(), ...op.set(L.c),
  ];
}

/** Pushes Rng.uniform(): the next draw / 2³². */
const uniform = (): number[] => [...next(), ...op.get(L.t), ...op.f64ConvertI32U(), ...op.f64(4294967296), ...op.f64Div()];

/** zv = Rng.zigguratNormal(), step for step. */
function ziggurat(): number[] {
  return [
    ...op.block(), ...op.loop(), // done, retry
    ...next(), ...op.get(L.t), ...op.set(L.u),
    ...next(),
    // at = tables + 8·(u & 255); x = t·scale_i; sign = 1 − ((u >>> 7) & 2)
    ...op.get(P.tables), ...op.get(L.u), ...op.i32(255), ...op.i32And(), ...op.i32(8), ...op.i32Mul(), ...op.i32Add(), ...op.set(L.at),
    ...op.get(L.t), ...op.f64ConvertI32U(), ...op.get(L.at), ...op.f64Load(SCALE_AT), ...op.f64Mul(), ...op.set(L.x),
    ...op.i32(1), ...op.get(L.u), ...op.i32(7), ...op.i32ShrU(), ...op.i32(2), ...op.i32And(), ...op.i32Sub(), ...op.f64ConvertI32S(), ...op.set(L.sign),
    // under the next layer's edge: done
    ...op.get(L.x), ...op.get(L.at), ...op.f64Load(X_AT + 8), ...op.f64Lt(), ...op.if(),
    ...op.get(L.sign), ...op.get(L.x), ...op.f64Mul(), ...op.set(L.zv), ...op.br(2),
    ...op.end(),
    // layer 0 beyond R: the tail, a = −log(1 − U)/R, b = −log(1 − U) until 2b ≥ a²
    ...op.get(L.at), ...op.get(P.tables), ...op.i32Sub(), ...op.i32Eqz(), ...op.if(),
    ...op.loop(),
    ...op.f64(1), ...uniform(), ...op.f64Sub(), ...op.call(LOG), ...op.f64Neg(), ...op.f64(ZIGGURAT_R), ...op.f64Div(), ...op.set(L.ta),
    ...op.f64(1), ...uniform(), ...op.f64Sub(), ...op.call(LOG), ...op.f64Neg(), ...op.set(L.tb),
    ...op.get(L.tb), ...op.get(L.tb), ...op.f64Add(), ...op.get(L.ta), ...op.get(L.ta), ...op.f64Mul(), ...op.f64Ge(), ...op.if(),
    ...op.get(L.sign), ...op.f64(ZIGGURAT_R), ...op.get(L.ta), ...op.f64Add(), ...op.f64Mul(), ...op.set(L.zv), ...op.br(4),
    ...op.end(),
    ...op.br(0),
    ...op.end(),
    ...op.end(),
    // the wedge: y = f_i + U·(f_(i+1) − f_i), accepted when y < exp(−x²/2)
    ...op.get(L.at), ...op.f64Load(F_AT), ...uniform(), ...op.get(L.at), ...op.f64Load(F_AT + 8), ...op.get(L.at), ...op.f64Load(F_AT),
    ...op.f64Sub(), ...op.f64Mul(), ...op.f64Add(), ...op.set(L.y),
    ...op.get(L.y), ...op.f64(-0.5), ...op.get(L.x), ...op.f64Mul(), ...op.get(L.x), ...op.f64Mul(), ...op.call(EXP), ...op.f64Lt(), ...op.if(),
    ...op.get(L.sign), ...op.get(L.x), ...op.f64Mul(), ...op.set(L.zv), ...op.br(2),
    ...op.end(),
    ...op.br(0),
    ...op.end(), ...op.end(),
  ];
}

/** for (local = 0; local < limit; local++) { body } */
const forUp = (local: number, limit: number[], body: number[]): number[] => [
  ...op.i32(0), ...op.set(local),
  ...op.block(), ...op.loop(),
  ...op.get(local), ...limit, ...op.i32GeS(), ...op.brIf(1),
  ...body,
  ...inc(local, op.i32(1)),
  ...op.br(0), ...op.end(), ...op.end(),
];

function drawBody(): number[] {
  return [
    ...op.get(P.state), ...op.i32Load(0), ...op.set(L.a),
    ...op.get(P.state), ...op.i32Load(4), ...op.set(L.b),
    ...op.get(P.state), ...op.i32Load(8), ...op.set(L.c),
    ...op.get(P.state), ...op.i32Load(12), ...op.set(L.d),
    ...op.i32(0), ...op.set(L.entries),
    ...forUp(L.s, op.get(P.B), [
      ...at(op.get(P.start), L.s, 4), ...op.get(L.entries), ...op.i32Store(),
      // ε
      ...forUp(L.k, op.get(P.n), [...ziggurat(), ...at(op.get(P.eps), L.k, 8), ...op.get(L.zv), ...op.f64Store()]),
      // z_i = Σ_k L_ik·ε_k from +0, k < i + 1 (triangular) or < n
      ...forUp(L.i, op.get(P.n), [
        ...op.f64(0), ...op.set(L.acc),
        ...op.get(L.i), ...op.i32(1), ...op.i32Add(), ...op.get(P.n), ...op.get(P.tri), ...op.select(), ...op.set(L.end),
        ...forUp(L.k, op.get(L.end), [
          ...op.get(L.acc),
          ...op.get(P.factor), ...op.get(L.i), ...op.get(P.n), ...op.i32Mul(), ...op.get(L.k), ...op.i32Add(), ...op.i32(8), ...op.i32Mul(), ...op.i32Add(), ...op.f64Load(),
          ...at(op.get(P.eps), L.k, 8), ...op.f64Load(),
          ...op.f64Mul(), ...op.f64Add(), ...op.set(L.acc),
        ]),
        ...at(op.get(P.z), L.i, 8), ...op.get(L.acc), ...op.f64Store(),
      ]),
      // the candidates: every i written at the next place, which advances when z_i > threshold_i
      ...op.i32(0), ...op.set(L.count),
      ...forUp(L.i, op.get(P.n), [
        ...at(op.get(P.cand), L.count, 4), ...op.get(L.i), ...op.i32Store(),
        ...op.get(L.count), ...at(op.get(P.z), L.i, 8), ...op.f64Load(), ...at(op.get(P.thr), L.i, 8), ...op.f64Load(), ...op.f64Gt(), ...op.i32Add(), ...op.set(L.count),
      ]),
      // magnitudes, in candidate order
      ...forUp(L.q, op.get(L.count), [
        ...at(op.get(P.cand), L.q, 4), ...op.i32Load(), ...op.set(L.i),
        ...at(op.get(P.mean), L.i, 8), ...op.f64Load(), ...op.set(L.m),
        ...at(op.get(P.std), L.i, 8), ...op.f64Load(), ...op.f64(0), ...op.f64Eq(), ...op.i32Eqz(), ...op.if(),
        ...ziggurat(),
        ...op.get(L.m), ...at(op.get(P.std), L.i, 8), ...op.f64Load(), ...op.get(L.zv), ...op.f64Mul(), ...op.f64Add(), ...op.set(L.m),
        ...op.end(),
        // v = fround(m > 0 ? m : 0); a zero value gets no entry
        ...op.get(L.m), ...op.f64(0), ...op.get(L.m), ...op.f64(0), ...op.f64Gt(), ...op.select(), ...op.f64Fround(), ...op.set(L.v),
        ...op.get(L.v), ...op.f64(0), ...op.f64Eq(), ...op.i32Eqz(), ...op.if(),
        ...at(op.get(P.value), L.entries, 8), ...op.get(L.v), ...op.f64Store(),
        ...at(op.get(P.row), L.entries, 4), ...at(op.get(P.rowAt), L.i, 4), ...op.i32Load(), ...op.i32Store(),
        ...inc(L.entries, op.i32(1)),
        ...op.end(),
      ]),
    ]),
    ...at(op.get(P.start), P.B, 4), ...op.get(L.entries), ...op.i32Store(),
    ...op.get(P.state), ...op.get(L.a), ...op.i32Store(0),
    ...op.get(P.state), ...op.get(L.b), ...op.i32Store(4),
    ...op.get(P.state), ...op.get(L.c), ...op.i32Store(8),
    ...op.get(P.state), ...op.get(L.d), ...op.i32Store(12),
  ];
}

interface Exports {
  memory: WebAssembly.Memory;
  draw: (...args: number[]) => void;
}

/** One sampler's constants, as `draw` reads them. */
export interface CopulaConstants {
  factor: Float64Array;
  triangular: boolean;
  thresholds: Float64Array;
  mean: Float64Array;
  std: Float64Array;
}

/** The entry lists of the last `draw`: sample s's entries are start[s] … start[s + 1] − 1. */
export interface DrawnEntries {
  start: Int32Array;
  value: Float64Array;
  row: Int32Array;
}

export interface CopulaDraw {
  /**
   * Draws a batch as `drawEntries` does, advancing `state` (the Rng's four sfc32 words, read
   * and written back): entries' rows are `rowAt[i]` for feature i. Views valid until the next call.
   */
  draw(constants: CopulaConstants, rowAt: Int32Array, state: Int32Array, batch: number): DrawnEntries;
}

/** The ziggurat's tables sit at the start of memory, written once per instance. */
const TABLES = 0;

function instantiate(pages: number): Exports {
  const bytes = assembleModule([{ name: "draw", params: PARAMS, locals: LOCALS, body: drawBody() }], pages, IMPORTS);
  const wasm = new WebAssembly.Instance(new WebAssembly.Module(bytes), { js: { exp: Math.exp, log: Math.log } }).exports as unknown as Exports;
  const f64 = new Float64Array(wasm.memory.buffer);
  f64.set(ZIGGURAT_SCALE, (TABLES + SCALE_AT) / 8);
  f64.set(ZIGGURAT_X, (TABLES + X_AT) / 8);
  f64.set(ZIGGURAT_F, (TABLES + F_AT) / 8);
  return wasm;
}

function createDraw(): CopulaDraw {
  let wasm = instantiate(1);
  return {
    draw(constants, rowAt, state, batch) {
      const n = rowAt.length;
      const stateAt = align16(TABLES + TABLE_BYTES);
      const factor = align16(stateAt + 16);
      const thr = align16(factor + 8 * n * n);
      const mean = align16(thr + 8 * n);
      const std = align16(mean + 8 * n);
      const rows = align16(std + 8 * n);
      const eps = align16(rows + 4 * n);
      const z = align16(eps + 8 * n);
      const cand = align16(z + 8 * n);
      const start = align16(cand + 4 * n);
      const value = align16(start + 4 * (batch + 1));
      const row = align16(value + 8 * batch * n);
      const end = align16(row + 4 * batch * n);
      // a new instance rather than memory.grow, which would detach (see encoder-simd.ts)
      if (end > wasm.memory.buffer.byteLength) wasm = instantiate(pagesFor(end));
      const buf = wasm.memory.buffer;
      // a sampler's constants are copied every call: one module serves every sampler of the thread
      const f64 = new Float64Array(buf);
      f64.set(constants.factor, factor / 8);
      f64.set(constants.thresholds, thr / 8);
      f64.set(constants.mean, mean / 8);
      f64.set(constants.std, std / 8);
      const i32 = new Int32Array(buf);
      i32.set(rowAt, rows / 4);
      i32.set(state, stateAt / 4);
      wasm.draw(batch, n, constants.triangular ? 1 : 0, factor, thr, mean, std, rows, eps, z, cand, start, value, row, stateAt, TABLES);
      state.set(i32.subarray(stateAt / 4, stateAt / 4 + 4));
      const starts = new Int32Array(buf, start, batch + 1);
      const entries = starts[batch];
      return { start: starts, value: new Float64Array(buf, value, entries), row: new Int32Array(buf, row, entries) };
    },
  };
}

/** The WebAssembly copula draw, or null when WebAssembly is unavailable or TOY_SAE_SIMD=0 (`lazyKernel`). */
export const copulaDraw: () => CopulaDraw | null = lazyKernel(createDraw);
