// biome-ignore-all format: the emitted WebAssembly is laid out one instruction group per line
/**
 * The SAE encoder h = xc·W_enc + b_enc in WebAssembly SIMD (f64x2), for the BatchTopK kernel:
 * the one dense product of its step (5,000 multiply-adds per sample at the main toy's d_in 100,
 * d_sae 50), which plain JavaScript runs at a fraction of the machine's speed.
 *
 * Same arithmetic as `encoderPreActivations` (shared/saelens-base.ts), so the same bits: each
 * h[s, j] starts at b_enc[j] and adds xc[s, k]·W_enc[k, j] for k = 0, 1, … in order, every
 * product and sum rounded to Float64 (wasm's f64x2.mul and f64x2.add round each lane as the
 * scalar operations do; there is no fused multiply-add). The two lanes of a vector are two
 * latents j, j + 1 (adjacent in W_enc's [d_in, d_sae] layout), never two terms of one sum.
 *
 * Blocking: four samples × four latents (eight vector sums) per pass over k; latents past the
 * last multiple of four by `encodeTail`, four samples × one latent (scalar f64) per pass; the
 * samples past the last multiple of four in JavaScript.
 * The kernel works directly in the module's memory (`buffers`): it writes xc and the weights
 * there and reads h from there, so nothing of the batch's size is copied.
 */
import { align16, assembleModule, lazyKernel, op, pagesFor, type ValType } from "./assemble.ts";

// parameters: byte addresses of xc [B, D], w [D, M], b [M], out [B, M]; B4 (samples done here,
// a multiple of 4), D, M, M4 (latents done here, a multiple of 4)
const P = { xc: 0, w: 1, b: 2, out: 3, B4: 4, D: 5, M: 6, M4: 7 } as const;
// locals
const L = { s: 8, j: 9, k: 10, D8: 11, M8: 12, wp: 13, x0: 14, x1: 15, x2: 16, x3: 17, row: 18, o: 19 } as const;
const V = { a0: 20, w0: 28, w1: 29, x: 30 } as const; // a0 … a7 are 20 … 27
const PARAMS: ValType[] = Array<ValType>(8).fill("i32");
const LOCALS: ValType[] = [...Array<ValType>(12).fill("i32"), ...Array<ValType>(11).fill("v128")];

/** a_(2r) += x·w0, a_(2r+1) += x·w1, with x = splat(f64 at the address in local `xp`). */
function madd(r: number, xp: number): number[] {
  return [
    ...op.get(xp), ...op.f64Load(), ...op.f64x2Splat(), ...op.set(V.x),
    ...op.get(V.a0 + 2 * r), ...op.get(V.x), ...op.get(V.w0), ...op.f64x2Mul(), ...op.f64x2Add(), ...op.set(V.a0 + 2 * r),
    ...op.get(V.a0 + 2 * r + 1), ...op.get(V.x), ...op.get(V.w1), ...op.f64x2Mul(), ...op.f64x2Add(), ...op.set(V.a0 + 2 * r + 1),
  ];
}

const inc = (local: number, by: number[]): number[] => [...op.get(local), ...by, ...op.i32Add(), ...op.set(local)];

function encodeBody(): number[] {
  const xRows = [L.x0, L.x1, L.x2, L.x3];
  return [
    // D8 = 8·D, M8 = 8·M
    ...op.get(P.D), ...op.i32(8), ...op.i32Mul(), ...op.set(L.D8),
    ...op.get(P.M), ...op.i32(8), ...op.i32Mul(), ...op.set(L.M8),
    ...op.i32(0), ...op.set(L.s),
    ...op.block(), ...op.loop(), // samples s, s + 4, …
    ...op.get(L.s), ...op.get(P.B4), ...op.i32GeS(), ...op.brIf(1),
    // row = xc + s·D8 (sample s's inputs), o = out + s·M8
    ...op.get(P.xc), ...op.get(L.s), ...op.get(L.D8), ...op.i32Mul(), ...op.i32Add(), ...op.set(L.row),
    ...op.get(P.out), ...op.get(L.s), ...op.get(L.M8), ...op.i32Mul(), ...op.i32Add(), ...op.set(L.o),
    ...op.i32(0), ...op.set(L.j),
    ...op.block(), ...op.loop(), // latents j, j + 4, …
    ...op.get(L.j), ...op.get(P.M4), ...op.i32GeS(), ...op.brIf(1),
    // every sum starts at b_enc: a0 = a2 = a4 = a6 = b[j, j+1], a1 = … = b[j+2, j+3]
    ...op.get(P.b), ...op.get(L.j), ...op.i32(8), ...op.i32Mul(), ...op.i32Add(), ...op.tee(L.wp),
    ...op.v128Load(0), ...op.tee(V.a0), ...op.tee(V.a0 + 2), ...op.tee(V.a0 + 4), ...op.set(V.a0 + 6),
    ...op.get(L.wp), ...op.v128Load(16), ...op.tee(V.a0 + 1), ...op.tee(V.a0 + 3), ...op.tee(V.a0 + 5), ...op.set(V.a0 + 7),
    // wp = w + 8·j (row k = 0 of W_enc at latent j); x0 … x3 = the four samples' rows
    ...op.get(P.w), ...op.get(L.j), ...op.i32(8), ...op.i32Mul(), ...op.i32Add(), ...op.set(L.wp),
    ...op.get(L.row), ...op.tee(L.x0), ...op.get(L.D8), ...op.i32Add(), ...op.tee(L.x1), ...op.get(L.D8), ...op.i32Add(),
    ...op.tee(L.x2), ...op.get(L.D8), ...op.i32Add(), ...op.set(L.x3),
    ...op.i32(0), ...op.set(L.k),
    ...op.block(), ...op.loop(), // k = 0 … D − 1, in order
    ...op.get(L.k), ...op.get(P.D), ...op.i32GeS(), ...op.brIf(1),
    ...op.get(L.wp), ...op.v128Load(0), ...op.set(V.w0),
    ...op.get(L.wp), ...op.v128Load(16), ...op.set(V.w1),
    ...xRows.flatMap((xp, r) => madd(r, xp)),
    ...inc(L.wp, op.get(L.M8)),
    ...xRows.flatMap((xp) => inc(xp, op.i32(8))),
    ...inc(L.k, op.i32(1)),
    ...op.br(0), ...op.end(), ...op.end(),
    // out[s + r, j … j + 3] = a_(2r), a_(2r+1)
    ...op.get(L.o), ...op.get(L.j), ...op.i32(8), ...op.i32Mul(), ...op.i32Add(), ...op.set(L.wp),
    ...[0, 1, 2, 3].flatMap((r) => [
      ...op.get(L.wp), ...op.get(V.a0 + 2 * r), ...op.v128Store(0),
      ...op.get(L.wp), ...op.get(V.a0 + 2 * r + 1), ...op.v128Store(16),
      ...inc(L.wp, op.get(L.M8)),
    ]),
    ...inc(L.j, op.i32(4)),
    ...op.br(0), ...op.end(), ...op.end(),
    ...inc(L.s, op.i32(4)),
    ...op.br(0), ...op.end(), ...op.end(),
  ];
}

// the latents past the last multiple of four (d_sae 5: one in five), scalar: four samples ×
// one latent per pass over k, four independent sums. Parameters as `encode`'s, with M4 the
// first latent done here; locals: s, j, k, D8, M8, wp, x0 … x3 (i32), a0 … a3 (f64)
const T = { s: 8, j: 9, k: 10, D8: 11, M8: 12, wp: 13, x0: 14, a0: 18, w: 22 } as const;
const TAIL_LOCALS: ValType[] = [...Array<ValType>(10).fill("i32"), ...Array<ValType>(5).fill("f64")];

function encodeTailBody(): number[] {
  const rows = [0, 1, 2, 3];
  return [
    ...op.get(P.D), ...op.i32(8), ...op.i32Mul(), ...op.set(T.D8),
    ...op.get(P.M), ...op.i32(8), ...op.i32Mul(), ...op.set(T.M8),
    ...op.get(P.M4), ...op.set(T.j),
    ...op.block(), ...op.loop(), // latents j = M4 … M − 1
    ...op.get(T.j), ...op.get(P.M), ...op.i32GeS(), ...op.brIf(1),
    ...op.i32(0), ...op.set(T.s),
    ...op.block(), ...op.loop(), // samples s, s + 4, … < B4
    ...op.get(T.s), ...op.get(P.B4), ...op.i32GeS(), ...op.brIf(1),
    // a0 … a3 = b_enc[j]; x_r = xc + (s + r)·D8; wp = w + 8·j (W_enc[k = 0, j])
    ...op.get(P.b), ...op.get(T.j), ...op.i32(8), ...op.i32Mul(), ...op.i32Add(), ...op.f64Load(),
    ...op.tee(T.a0), ...op.tee(T.a0 + 1), ...op.tee(T.a0 + 2), ...op.set(T.a0 + 3),
    ...op.get(P.xc), ...op.get(T.s), ...op.get(T.D8), ...op.i32Mul(), ...op.i32Add(), ...op.tee(T.x0),
    ...op.get(T.D8), ...op.i32Add(), ...op.tee(T.x0 + 1), ...op.get(T.D8), ...op.i32Add(), ...op.tee(T.x0 + 2),
    ...op.get(T.D8), ...op.i32Add(), ...op.set(T.x0 + 3),
    ...op.get(P.w), ...op.get(T.j), ...op.i32(8), ...op.i32Mul(), ...op.i32Add(), ...op.set(T.wp),
    ...op.i32(0), ...op.set(T.k),
    ...op.block(), ...op.loop(), // k = 0 … D − 1, in order: a_r += xc[s + r, k]·W_enc[k, j]
    ...op.get(T.k), ...op.get(P.D), ...op.i32GeS(), ...op.brIf(1),
    ...op.get(T.wp), ...op.f64Load(), ...op.set(T.w),
    ...rows.flatMap((r) => [
      ...op.get(T.a0 + r), ...op.get(T.x0 + r), ...op.f64Load(), ...op.get(T.w), ...op.f64Mul(), ...op.f64Add(), ...op.set(T.a0 + r),
      ...inc(T.x0 + r, op.i32(8)),
    ]),
    ...inc(T.wp, op.get(T.M8)),
    ...inc(T.k, op.i32(1)),
    ...op.br(0), ...op.end(), ...op.end(),
    // out[s + r, j] = a_r; wp = out + s·M8 + 8·j
    ...op.get(P.out), ...op.get(T.s), ...op.get(T.M8), ...op.i32Mul(), ...op.i32Add(), ...op.get(T.j), ...op.i32(8), ...op.i32Mul(), ...op.i32Add(), ...op.set(T.wp),
    ...rows.flatMap((r) => [...op.get(T.wp), ...op.get(T.a0 + r), ...op.f64Store(8 * 0), ...inc(T.wp, op.get(T.M8))]),
    ...inc(T.s, op.i32(4)),
    ...op.br(0), ...op.end(), ...op.end(),
    ...inc(T.j, op.i32(1)),
    ...op.br(0), ...op.end(), ...op.end(),
  ];
}

interface Exports {
  memory: WebAssembly.Memory;
  encode: (xc: number, w: number, b: number, out: number, B4: number, D: number, M: number, M4: number) => void;
  encodeTail: (xc: number, w: number, b: number, out: number, B4: number, D: number, M: number, M4: number) => void;
}

/** Float64 views into the module's memory: fill xc, w ([d_in, d_sae]) and b, then `run`. */
export interface EncoderBuffers {
  xc: Float64Array;
  w: Float64Array;
  b: Float64Array;
  pre: Float64Array;
}

export interface SimdEncoder {
  /** Views sized for [B, D] inputs and D × M weights; valid until the next `buffers` call. */
  buffers(B: number, D: number, M: number): EncoderBuffers;
  /** pre = xc·w + b on the current buffers. */
  run(): void;
}

/** The module with a memory of `pages` 64 KiB pages. */
function instantiate(pages: number): Exports {
  const bytes = assembleModule(
    [
      { name: "encode", params: PARAMS, locals: LOCALS, body: encodeBody() },
      { name: "encodeTail", params: PARAMS, locals: TAIL_LOCALS, body: encodeTailBody() },
    ],
    pages,
  );
  return new WebAssembly.Instance(new WebAssembly.Module(bytes)).exports as unknown as Exports;
}

/**
 * The SIMD encoder when WebAssembly SIMD is available and TOY_SAE_SIMD is not "0" (checked at
 * every call), else null. On by default: with its memory sized up front instead of grown (see
 * `createEncoder`), it made the BatchTopK workloads 10–30 % faster on the 2-core machine
 * (2026-11-28). Both encoders give the same bits.
 */
export const simdEncoder: () => SimdEncoder | null = lazyKernel(createEncoder);

function createEncoder(): SimdEncoder {
  let wasm = instantiate(1);
  let shape = { B: 0, D: 0, M: 0 };
  let views: EncoderBuffers | null = null;
  let at = { xc: 0, w: 0, b: 0, pre: 0 };
  return {
    buffers(B, D, M) {
      if (views && shape.B === B && shape.D === D && shape.M === M) return views;
      const xc = 0;
      const w = align16(xc + 8 * B * D);
      const b = align16(w + 8 * D * M);
      const pre = align16(b + 8 * M + 16); // + 16: the last vector load of b may read past M
      const end = align16(pre + 8 * B * M);
      // a new instance with a larger memory, never memory.grow: growing detaches the old
      // ArrayBuffer, and one detach anywhere makes V8 add a detach check to every typed-array
      // access of the thread from then on
      if (end > wasm.memory.buffer.byteLength) wasm = instantiate(pagesFor(end));
      const buf = wasm.memory.buffer;
      views = { xc: new Float64Array(buf, xc, B * D), w: new Float64Array(buf, w, D * M), b: new Float64Array(buf, b, M), pre: new Float64Array(buf, pre, B * M) };
      at = { xc, w, b, pre };
      shape = { B, D, M };
      return views;
    },
    run() {
      if (!views) throw new Error("simdEncoder.run: call buffers first");
      const { B, D, M } = shape;
      const B4 = B - (B % 4);
      const M4 = M - (M % 4);
      wasm.encode(at.xc, at.w, at.b, at.pre, B4, D, M, M4);
      wasm.encodeTail(at.xc, at.w, at.b, at.pre, B4, D, M, M4);
      remainder(views, B, D, M, B4);
    },
  };
}

/** The samples ≥ B4 (the last B mod 4), every latent, one sum at a time in k order from b_enc. */
function remainder(v: EncoderBuffers, B: number, D: number, M: number, B4: number): void {
  const { xc, w, b, pre } = v;
  for (let s = B4; s < B; s++) {
    for (let j = 0; j < M; j++) {
      let h = b[j];
      for (let k = 0; k < D; k++) h += xc[s * D + k] * w[k * M + j];
      pre[s * M + j] = h;
    }
  }
}
