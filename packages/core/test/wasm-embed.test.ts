/**
 * The WebAssembly SIMD embedding (src/wasm/embed-simd.ts) against a plain Float64 sum in entry
 * order, bit for bit, on the correlated toys' shapes and on random ones.
 */
import { afterEach, describe, expect, it } from "vitest";
import { Rng } from "../src/random.ts";
import { simdEmbedder } from "../src/wasm/embed-simd.ts";

afterEach(() => {
  delete process.env.TOY_SAE_SIMD;
});

/** Random entry lists: each of `rows` features fires with probability p, value ~ 1 ± 0.15, some −0 and exact 0 weights. */
function lists(rng: Rng, batch: number, rows: number, p: number): { start: number[]; value: number[]; row: number[] } {
  const start = [0];
  const value: number[] = [];
  const row: number[] = [];
  for (let s = 0; s < batch; s++) {
    for (let i = 0; i < rows; i++) {
      if (rng.uniform() >= p) continue;
      value.push(Math.fround(1 + 0.15 * rng.normal()));
      row.push(i);
    }
    start.push(value.length);
  }
  return { start, value, row };
}

describe("SIMD embedding", () => {
  it.each([
    [20, 5, 0.4, 1024], // the small toy
    [100, 50, 0.22, 1024], // the main toy
    [2, 3, 0.5, 7],
    [34, 9, 0.9, 65], // more than one chunk of eight lane pairs, most features firing
    [18, 4, 0.05, 33], // mostly empty samples
  ])("is bit-identical to a Float64 sum in entry order (d_out %i, %i features, p %f, batch %i)", (dOut, rows, p, batch) => {
    const embedder = simdEmbedder(dOut);
    if (!embedder) throw new Error("no SIMD");
    const rng = new Rng(dOut * 31 + rows);
    const w = rng.fillNormal(new Float32Array(rows * dOut), 0, 0.5);
    w[0] = -0;
    w[1] = 0;
    const { start, value, row } = lists(rng, batch, rows, p);
    const v = embedder.buffers(batch, value.length, rows);
    v.w.set(w);
    v.start.set(start);
    v.value.set(value);
    v.row.set(row.map((i) => embedder.rowAddress(i)));
    embedder.run(batch);
    let checked = 0;
    for (let s = 0; s < batch; s++) {
      for (let k = 0; k < dOut; k++) {
        let sum = 0;
        for (let q = start[s]; q < start[s + 1]; q++) sum = sum + value[q] * w[row[q] * dOut + k];
        expect(Object.is(v.out[s * dOut + k], Math.fround(sum)), `sample ${s}, element ${k}`).toBe(true);
        checked++;
      }
    }
    expect(checked).toBe(batch * dOut);
  });

  it("is null for odd widths and with TOY_SAE_SIMD=0", () => {
    expect(simdEmbedder(7)).toBeNull();
    expect(simdEmbedder(20)).not.toBeNull();
    process.env.TOY_SAE_SIMD = "0";
    expect(simdEmbedder(20)).toBeNull();
  });

  it("sizes its memory afresh instead of growing it, so no typed array is ever detached", () => {
    const embedder = simdEmbedder(40);
    if (!embedder) throw new Error("no SIMD");
    const small = embedder.buffers(8, 16, 2);
    const large = embedder.buffers(4096, 4096 * 50, 50); // 3.3 MB: more than the first memory
    expect(small.out.length).toBe(8 * 40);
    expect(large.out.length).toBe(4096 * 40);
  });
});
