/**
 * A minimal WebAssembly binary writer: just what the SIMD kernels beside it need (one module
 * with its own memory and a few functions, i32 / f64 / v128 locals, structured control, loads
 * and stores, and the handful of f64x2 / f32 conversion instructions they use).
 *
 * Why hand-assembled bytes: the project builds from npm and Debian packages only and carries
 * no WebAssembly toolchain, so the kernels are written as instruction lists in TypeScript and
 * assembled at start-up (microseconds). There is no build step and no binary in the repository
 * to keep in step with a source; the tests compare every kernel with its JavaScript reference.
 * Opcodes: the WebAssembly core specification, binary format (SIMD: the 0xfd prefix).
 */

export type ValType = "i32" | "f64" | "v128";
const VALTYPE: Record<ValType, number> = { i32: 0x7f, f64: 0x7c, v128: 0x7b };

/** Unsigned LEB128. */
export function uleb(n: number): number[] {
  const out: number[] = [];
  do {
    let byte = n & 0x7f;
    n >>>= 7;
    if (n !== 0) byte |= 0x80;
    out.push(byte);
  } while (n !== 0);
  return out;
}

/** Signed LEB128 of a 32-bit integer. */
export function sleb(n: number): number[] {
  const out: number[] = [];
  n |= 0;
  for (;;) {
    const byte = n & 0x7f;
    n >>= 7;
    const done = (n === 0 && (byte & 0x40) === 0) || (n === -1 && (byte & 0x40) !== 0);
    out.push(done ? byte : byte | 0x80);
    if (done) return out;
  }
}

function name(s: string): number[] {
  const bytes = Array.from(new TextEncoder().encode(s));
  return [...uleb(bytes.length), ...bytes];
}

function section(id: number, body: number[]): number[] {
  return [id, ...uleb(body.length), ...body];
}

function vec(items: number[][]): number[] {
  return [...uleb(items.length), ...items.flat()];
}

/** Instruction builders: each returns the instruction's bytes. */
export const op = {
  block: (): number[] => [0x02, 0x40],
  loop: (): number[] => [0x03, 0x40],
  end: (): number[] => [0x0b],
  br: (depth: number): number[] => [0x0c, ...uleb(depth)],
  brIf: (depth: number): number[] => [0x0d, ...uleb(depth)],
  get: (local: number): number[] => [0x20, ...uleb(local)],
  set: (local: number): number[] => [0x21, ...uleb(local)],
  tee: (local: number): number[] => [0x22, ...uleb(local)],
  i32: (value: number): number[] => [0x41, ...sleb(value)],
  i32Add: (): number[] => [0x6a],
  i32Mul: (): number[] => [0x6c],
  i32GeS: (): number[] => [0x4e],
  i32Sub: (): number[] => [0x6b],
  i32And: (): number[] => [0x71],
  i32Or: (): number[] => [0x72],
  i32Xor: (): number[] => [0x73],
  i32ShrU: (): number[] => [0x76],
  i32Rotl: (): number[] => [0x77],
  i32Eqz: (): number[] => [0x45],
  i32LtS: (): number[] => [0x48],
  i32Store: (offset = 0): number[] => [0x36, 2, ...uleb(offset)],
  /** if … end without a result (the condition is the i32 on the stack). */
  if: (): number[] => [0x04, 0x40],
  call: (index: number): number[] => [0x10, ...uleb(index)],
  /** f64.const, little-endian IEEE bytes. */
  f64: (value: number): number[] => [0x44, ...new Uint8Array(Float64Array.of(value).buffer)],
  f64Sub: (): number[] => [0xa1],
  f64Div: (): number[] => [0xa3],
  f64Neg: (): number[] => [0x9a],
  f64Eq: (): number[] => [0x61],
  f64Lt: (): number[] => [0x63],
  f64Gt: (): number[] => [0x64],
  f64Ge: (): number[] => [0x66],
  /** select: the first of two values when the i32 on top is non-zero, else the second. */
  select: (): number[] => [0x1b],
  f64ConvertI32S: (): number[] => [0xb7],
  f64ConvertI32U: (): number[] => [0xb8],
  /** f32.demote_f64 then f64.promote_f32: Math.fround. */
  f64Fround: (): number[] => [0xb6, 0xbb],
  /** f64.load with a constant byte offset (alignment hint 8). */
  f64Load: (offset = 0): number[] => [0x2b, 3, ...uleb(offset)],
  f64Store: (offset = 0): number[] => [0x39, 3, ...uleb(offset)],
  f64Add: (): number[] => [0xa0],
  f64Mul: (): number[] => [0xa2],
  /** v128.load / v128.store, alignment hint 8 (the addresses are multiples of 8, not 16). */
  v128Load: (offset = 0): number[] => [0xfd, 0x00, 3, ...uleb(offset)],
  v128Store: (offset = 0): number[] => [0xfd, 0x0b, 3, ...uleb(offset)],
  /** i32.load with a constant byte offset (alignment hint 4). */
  i32Load: (offset = 0): number[] => [0x28, 2, ...uleb(offset)],
  i32Shl: (): number[] => [0x74],
  /** v128.const of sixteen zero bytes (+0.0 in both f64 lanes). */
  v128Zero: (): number[] => [0xfd, 0x0c, ...Array<number>(16).fill(0)],
  /** v128.load64_zero: 8 bytes (two f32) into the low half, zeros above. */
  v128Load64Zero: (offset = 0): number[] => [0xfd, ...uleb(0x5d), 3, ...uleb(offset)],
  /** v128.store64_lane, lane 0: the low 8 bytes (two f32). */
  v128Store64Lane0: (offset = 0): number[] => [0xfd, ...uleb(0x5b), 3, ...uleb(offset), 0],
  /** f64x2.promote_low_f32x4: the two low f32 lanes to f64, exactly. */
  f64x2PromoteLowF32x4: (): number[] => [0xfd, ...uleb(0x5f)],
  /** f32x4.demote_f64x2_zero: both f64 lanes rounded to f32 (as Math.fround), in the low half. */
  f32x4DemoteF64x2Zero: (): number[] => [0xfd, ...uleb(0x5e)],
  f64x2Splat: (): number[] => [0xfd, ...uleb(0x14)],
  f64x2Add: (): number[] => [0xfd, ...uleb(0xf0)],
  f64x2Mul: (): number[] => [0xfd, ...uleb(0xf2)],
};

export interface FunctionDef {
  name: string;
  params: readonly ValType[];
  /** Locals after the parameters, in order (indices continue from the parameters'). */
  locals: readonly ValType[];
  body: number[];
}

/** A byte address rounded up to a multiple of 16 (the v128 width), for laying out a module's memory. */
export const align16 = (bytes: number): number => Math.ceil(bytes / 16) * 16;

/** The 64 KiB pages a memory of `bytes` needs. */
export const pagesFor = (bytes: number): number => Math.ceil(bytes / 65536);

/**
 * A WebAssembly kernel built on first use and kept: null while TOY_SAE_SIMD=0 (checked at every
 * call, so tests can switch to the JavaScript twins), and null for good when building throws
 * (no WebAssembly SIMD here: the JavaScript twins run instead).
 */
export function lazyKernel<T>(build: () => T): () => T | null {
  let kernel: T | null | undefined;
  return () => {
    if (process.env.TOY_SAE_SIMD === "0") return null;
    if (kernel === undefined) {
      try {
        kernel = build();
      } catch {
        kernel = null;
      }
    }
    return kernel;
  };
}

/** A function the module imports from JavaScript (module "js"), e.g. Math.exp. */
export interface ImportDef {
  name: string;
  params: readonly ValType[];
  results: readonly ValType[];
}

/**
 * A module exporting `memory` (`pages` of 64 KiB: size it for the work, never grow it — see
 * encoder-simd.ts) and each function by name. Imports take the first function indices (for
 * `op.call`), the module's own functions follow in order.
 */
export function assembleModule(functions: readonly FunctionDef[], pages: number, imports: readonly ImportDef[] = []): Uint8Array<ArrayBuffer> {
  const types = [
    ...imports.map((f) => [0x60, ...vec(f.params.map((t) => [VALTYPE[t]])), ...vec(f.results.map((t) => [VALTYPE[t]]))]),
    ...functions.map((f) => [0x60, ...vec(f.params.map((t) => [VALTYPE[t]])), ...vec([])]),
  ];
  const code = functions.map((f) => {
    // consecutive locals of one type are declared as one (count, type) run
    const runs: number[][] = [];
    let k = 0;
    while (k < f.locals.length) {
      let n = 1;
      while (k + n < f.locals.length && f.locals[k + n] === f.locals[k]) n++;
      runs.push([...uleb(n), VALTYPE[f.locals[k]]]);
      k += n;
    }
    const body = [...vec(runs), ...f.body, 0x0b];
    return [...uleb(body.length), ...body];
  });
  const first = imports.length;
  const exports = [...functions.map((f, i) => [...name(f.name), 0x00, ...uleb(first + i)]), [...name("memory"), 0x02, 0x00]];
  return new Uint8Array([
    ...[0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00],
    ...section(1, vec(types)),
    ...(imports.length > 0 ? section(2, vec(imports.map((f, i) => [...name("js"), ...name(f.name), 0x00, ...uleb(i)]))) : []),
    ...section(3, vec(functions.map((_, i) => uleb(first + i)))),
    ...section(5, vec([[0x00, ...uleb(pages)]])),
    ...section(7, vec(exports)),
    ...section(10, vec(code)),
  ]);
}
