/**
 * The BatchTopK kernel's fast paths against its readable forms, bit for bit:
 * - the WebAssembly SIMD encoder against `encoderPreActivations` (random shapes, the workload
 *   shapes d 20 × 5 and 100 × 50 at batch 1024, odd batch and latent counts for the remainders);
 * - the whole fused step with SIMD on (the default) and off (TOY_SAE_SIMD=0), with dead latents (aux-k);
 * - positiveTopKCut with good, bad and useless hints against no hint.
 * The tfjs autodiff tests (batchtopk.test.ts) run the kernel as dispatched (the JavaScript encoder by default).
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { Rng } from "../../src/random.ts";
import { batchTopKLossAndGrads, type BatchTopKStepOutput } from "../../src/sae/batchtopk/kernel.ts";
import { encoderPreActivations, initSaeLens } from "../../src/sae/shared/saelens-base.ts";
import { positiveTopKCut } from "../../src/sae/shared/top-k-select.ts";
import { emptySaeParams, type GridBatch, type SaeParams } from "../../src/sae/types.ts";
import { sleb, uleb } from "../../src/wasm/assemble.ts";
import { simdEncoder } from "../../src/wasm/encoder-simd.ts";

const SHAPES: Array<[number, number, number]> = [
  [1024, 20, 5],
  [1024, 100, 50],
  [1, 1, 1],
  [3, 2, 4],
  [7, 3, 9],
  [13, 1, 4],
  [33, 17, 11],
  [65, 8, 6],
];

beforeEach(() => {
  delete process.env.TOY_SAE_SIMD;
});

afterEach(() => {
  delete process.env.TOY_SAE_SIMD;
});

describe("WebAssembly assembler", () => {
  it("writes LEB128 as the binary format wants", () => {
    expect(uleb(0)).toEqual([0]);
    expect(uleb(127)).toEqual([0x7f]);
    expect(uleb(128)).toEqual([0x80, 0x01]);
    expect(uleb(0xf0)).toEqual([0xf0, 0x01]);
    expect(uleb(624485)).toEqual([0xe5, 0x8e, 0x26]);
    expect(sleb(-1)).toEqual([0x7f]);
    expect(sleb(63)).toEqual([0x3f]);
    expect(sleb(64)).toEqual([0xc0, 0x00]);
    expect(sleb(-123456)).toEqual([0xc0, 0xbb, 0x78]);
  });
});

describe("SIMD encoder", () => {
  it("is available here (Node 20 has WebAssembly SIMD)", () => {
    expect(simdEncoder()).not.toBeNull();
  });

  it.each(SHAPES)("is bit-identical to encoderPreActivations (B %i, d_in %i, d_sae %i)", (B, D, M) => {
    const enc = simdEncoder();
    if (!enc) throw new Error("no SIMD");
    const rng = new Rng(B * 7 + D * 3 + M);
    const v = enc.buffers(B, D, M);
    for (let e = 0; e < v.xc.length; e++) v.xc[e] = rng.normal();
    const wT = new Float64Array(M * D);
    for (let e = 0; e < wT.length; e++) wT[e] = rng.uniformIn(-1, 1);
    for (let j = 0; j < M; j++) for (let k = 0; k < D; k++) v.w[k * M + j] = wT[j * D + k];
    for (let j = 0; j < M; j++) v.b[j] = rng.normal();
    enc.run();
    const expected = new Float64Array(B * M);
    encoderPreActivations(v.xc, B, D, M, wT, v.b, expected);
    expect(Array.from(v.pre)).toEqual(Array.from(expected));
  });

  it("is on by default and off with TOY_SAE_SIMD=0", () => {
    expect(simdEncoder()).not.toBeNull();
    process.env.TOY_SAE_SIMD = "0";
    expect(simdEncoder()).toBeNull();
  });

  it("sizes its memory afresh instead of growing it, so no typed array is ever detached", () => {
    // memory.grow detaches the old buffer, and one detach makes V8 slow every typed-array access
    const enc = simdEncoder();
    if (!enc) throw new Error("no SIMD");
    const small = enc.buffers(4, 3, 2);
    const large = enc.buffers(4096, 100, 50); // 4.7 MB: more than the first memory
    expect(small.xc.length).toBe(12);
    expect(small.xc.buffer.byteLength).toBeGreaterThan(0);
    expect(large.pre.length).toBe(4096 * 50);
  });
});

function step(p: SaeParams, batch: GridBatch, k: number, dead: Uint8Array): { out: BatchTopKStepOutput; grads: SaeParams } {
  const grads = emptySaeParams(p);
  const out = batchTopKLossAndGrads(p, { k: new Float64Array(p.instances).fill(k), auxCoefficient: 1 }, { dead }, batch, grads);
  return { out, grads };
}

describe("BatchTopK fused step, SIMD encoder on and off", () => {
  it.each([
    [20, 5, 1.8, 1024],
    [100, 50, 11, 1024],
    [7, 9, 2.5, 301],
    [3, 2, 0.7, 50],
  ])("gives the same bits (d_in %i, d_sae %i, k %f, batch %i), dead latents included", (D, M, k, B) => {
    const I = 3;
    const rng = new Rng(D + M);
    const p = initSaeLens(
      { instances: I, dIn: D, dSae: M },
      Array.from({ length: I }, (_, i) => rng.fork(`i${i}`)),
    );
    rng.fillNormal(p.bEnc, 0, 0.05);
    rng.fillNormal(p.bDec, 0, 0.05);
    const x = [0, 1].map(() => {
      const a = new Float32Array(B * D);
      for (let e = 0; e < a.length; e++) a[e] = rng.uniform() < 0.4 ? rng.normal() : 0;
      return a;
    });
    const batch: GridBatch = { x, batch: B, group: Int32Array.from([0, 1, 0]) };
    const dead = new Uint8Array(I * M);
    for (let e = 0; e < dead.length; e++) dead[e] = rng.uniform() < 0.2 ? 1 : 0;
    for (let rep = 0; rep < 2; rep++) {
      // the second call runs with last call's cuts as hints
      const fast = step(p, batch, k, dead);
      process.env.TOY_SAE_SIMD = "0";
      const plain = step(p, batch, k, dead);
      delete process.env.TOY_SAE_SIMD;
      for (const t of ["wEnc", "bEnc", "wDec", "bDec"] as const) expect(Array.from(fast.grads[t]), t).toEqual(Array.from(plain.grads[t]));
      for (const t of ["loss", "reconstruction", "auxiliary", "l0", "minPositive"] as const) expect(Array.from(fast.out[t]), t).toEqual(Array.from(plain.out[t]));
      expect(Array.from(fast.out.fired)).toEqual(Array.from(plain.out.fired));
    }
  });
});

describe("positiveTopKCut hints", () => {
  it("gives the same cut and ties whatever the hint", () => {
    const rng = new Rng(12);
    for (const n of [50, 5120, 51200]) {
      const values = new Float64Array(n);
      for (let e = 0; e < n; e++) values[e] = rng.uniform() < 0.5 ? -rng.uniform() : Math.round(rng.uniform() * 400) / 100; // ties
      for (const count of [1, Math.floor(n / 3), n - 1]) {
        const plain = positiveTopKCut(values, n, count, new Float64Array(n));
        for (const hint of [plain.cut, plain.cut * 1.05, plain.cut * 0.5, 1e-9, 1e9, Number.NaN, -1]) {
          expect(positiveTopKCut(values, n, count, new Float64Array(n), hint), `n ${n} count ${count} hint ${hint}`).toEqual(plain);
        }
      }
    }
  });
});
