import { describe, expect, it } from "vitest";
import { Rng } from "../src/random.ts";
import { FracActiveWindow, isResampleStep, resampleAdvanced, resampleSimple, sampleProportionalToSquaredLoss } from "../src/train/resampling.ts";
import { cloneSaeParams, emptySaeParams, type GridBatch, type SaeParams } from "../src/sae/types.ts";

/** Instance i's encoder column j and decoder row j. */
function encCol(p: SaeParams, i: number, j: number): number[] {
  return Array.from({ length: p.dIn }, (_, k) => p.wEnc[i * p.dIn * p.dSae + k * p.dSae + j]);
}
function decRow(p: SaeParams, i: number, j: number): number[] {
  return Array.from(p.wDec.subarray((i * p.dSae + j) * p.dIn, (i * p.dSae + j + 1) * p.dIn));
}
const norm = (v: number[]) => Math.hypot(...v);

/** An SAE with every weight set to distinct non-zero values, so untouched entries are recognisable. */
function filled(I: number, D: number, M: number, seed = 1): SaeParams {
  const p = emptySaeParams({ instances: I, dIn: D, dSae: M });
  const rng = new Rng(seed);
  for (const t of [p.wEnc, p.wDec, p.bEnc, p.bDec]) rng.fillUniform(t, 0.1, 1);
  return p;
}

/** Every entry equal except those of latents `touched` ("i/j"). */
function expectOnlyTouched(before: SaeParams, after: SaeParams, touched: string[]): void {
  const { instances: I, dIn: D, dSae: M } = before;
  for (let i = 0; i < I; i++) {
    for (let j = 0; j < M; j++) {
      const changed = touched.includes(`${i}/${j}`);
      if (changed) continue;
      expect(encCol(after, i, j), `enc ${i}/${j}`).toEqual(encCol(before, i, j));
      expect(decRow(after, i, j), `dec ${i}/${j}`).toEqual(decRow(before, i, j));
      expect(after.bEnc[i * M + j]).toBe(before.bEnc[i * M + j]);
    }
    for (let k = 0; k < D; k++) expect(after.bDec[i * D + k]).toBe(before.bDec[i * D + k]);
  }
}

describe("frac_active window", () => {
  it("calls a latent dead only when its frac_active was 0 (< 1e-8) at every step of the last `window` steps", () => {
    const w = new FracActiveWindow({ instances: 1, dSae: 3 }, 3);
    expect(Array.from(w.dead())).toEqual([0, 0, 0]); // nothing recorded: nothing dead
    w.push([0, 0.5, 0]);
    expect(Array.from(w.dead())).toEqual([1, 0, 1]); // a partly filled window counts what it has
    w.push([0, 0, 0]);
    w.push([0, 0, 5e-9]);
    expect(w.filled).toBe(3);
    expect(Array.from(w.dead())).toEqual([1, 0, 1]); // latent 1 fired 3 steps ago: still in the window
    w.push([0, 0, 1 / 1024]);
    expect(Array.from(w.dead())).toEqual([1, 1, 0]); // latent 1's firing left the window; latent 2 fired
    expect(() => w.push([0, 0])).toThrow(/expected 3/);
  });

  it("resamples at the steps where (step + 1) % freq = 0", () => {
    expect([0, 2_498, 2_499, 2_500, 4_999].map((s) => isResampleStep(s, 2_500))).toEqual([false, false, true, false, true]);
  });
});

describe("simple resampling", () => {
  it("rewrites exactly the dead latents: unit decoder row v, encoder column 0.5·v, b_enc 0, extra tensors reset", () => {
    const p = filled(2, 3, 4);
    const before = cloneSaeParams(p);
    const dead = Uint8Array.from([0, 1, 0, 1, 0, 0, 0, 0]); // instance 0: latents 1 and 3
    const logTheta = new Float32Array(8).fill(-1);
    const events = resampleSimple(p, dead, new Rng(5), 2_499, { resets: [{ values: logTheta, value: Math.log(0.1) }] });
    expect(events).toEqual([
      { step: 2_499, instance: 0, latent: 1 },
      { step: 2_499, instance: 0, latent: 3 },
    ]);
    expectOnlyTouched(before, p, ["0/1", "0/3"]);
    for (const j of [1, 3]) {
      const v = decRow(p, 0, j);
      expect(norm(v)).toBeCloseTo(1, 6);
      for (const [k, e] of encCol(p, 0, j).entries()) expect(e).toBeCloseTo(0.5 * v[k], 7);
      expect(p.bEnc[j]).toBe(0);
      expect(logTheta[j]).toBeCloseTo(Math.log(0.1), 7);
    }
    expect(decRow(p, 0, 1)).not.toEqual(decRow(p, 0, 3)); // independent draws
    expect(Array.from(logTheta).filter((v) => v === -1).length).toBe(6);
  });

  it("takes the scale as an option and, tied, leaves the encoder column at v (the original's last write)", () => {
    const p = filled(1, 2, 2);
    resampleSimple(p, Uint8Array.from([1, 0]), new Rng(6), 0, { scale: 0.2 });
    const v = decRow(p, 0, 0);
    for (const [k, e] of encCol(p, 0, 0).entries()) expect(e).toBeCloseTo(0.2 * v[k], 7);
    const tied = filled(1, 2, 2);
    resampleSimple(tied, Uint8Array.from([1, 0]), new Rng(6), 0, { tied: true });
    expect(norm(encCol(tied, 0, 0))).toBeCloseTo(1, 6);
    expect(decRow(tied, 0, 0)).toEqual(encCol(tied, 0, 0)); // wDec mirrors W_encᵀ
    expect(decRow(tied, 0, 1)).toEqual(encCol(tied, 0, 1));
  });

  it("draws directions uniformly on the sphere (normalised N(0, I))", () => {
    const M = 6_000,
      D = 3;
    const p = emptySaeParams({ instances: 1, dIn: D, dSae: M });
    resampleSimple(p, new Uint8Array(M).fill(1), new Rng(7), 0);
    const second = new Float64Array(D);
    const first = new Float64Array(D);
    for (let j = 0; j < M; j++)
      for (let k = 0; k < D; k++) {
        first[k] += p.wDec[j * D + k] / M;
        second[k] += p.wDec[j * D + k] ** 2 / M;
      }
    // on the unit sphere in 3-d each coordinate has mean 0 and E[v_k²] = 1/3 (sd of the mean ≈ 0.0075)
    for (let k = 0; k < D; k++) {
      expect(Math.abs(first[k])).toBeLessThan(0.03);
      expect(second[k]).toBeCloseTo(1 / 3, 1);
      expect(Math.abs(second[k] - 1 / 3)).toBeLessThan(0.02);
    }
  });

  it("changes nothing when nothing is dead", () => {
    const p = filled(2, 2, 3);
    const before = cloneSaeParams(p);
    expect(resampleSimple(p, new Uint8Array(6), new Rng(1), 10)).toEqual([]);
    expectOnlyTouched(before, p, []);
  });
});

describe("advanced resampling", () => {
  /**
   * Instance 0: latent 2 dead, alive encoder columns of norm 1 and 3 (mean 2).
   * Instance 1: nothing dead. Instance 2: every latent dead (no alive norm: 1).
   * Instance 3: latent 0 dead but every L_rec < 1e-6 (skipped).
   * b_dec = (0.5, 0) everywhere; the batch of every instance: h = (0.5, 1), (1.5, 0), (3.5, 4).
   */
  function handCase() {
    const I = 4,
      D = 2,
      M = 3,
      B = 3;
    const p = filled(I, D, M, 3);
    p.bDec.fill(0);
    for (let i = 0; i < I; i++) p.bDec[i * D] = 0.5;
    // instance 0's encoder columns 0 and 1: (1, 0) and (0, 3)
    p.wEnc.set([1, 0, 0.7, 0, 3, 0.2], 0);
    const dead = Uint8Array.from([0, 0, 1, 0, 0, 0, 1, 1, 1, 1, 0, 0]);
    const batch: GridBatch = { x: [Float32Array.from([0.5, 1, 1.5, 0, 3.5, 4])], batch: B, group: new Int32Array(I) };
    // only sample 2 has a loss in instances 0 and 2: it is drawn with probability 1
    const loss = Float64Array.from([0, 0, 2, 1, 1, 1, 0, 0, 3, 1e-7, 5e-7, 0]);
    return { p, dead, batch, loss };
  }

  it("writes v = normalise(h − b_dec) of the drawn sample, encoder column v·(mean alive norm)·scale, b_enc 0", () => {
    const { p, dead, batch, loss } = handCase();
    const before = cloneSaeParams(p);
    const bMag = new Float32Array(12).fill(7);
    const rMag = new Float32Array(12).fill(7);
    const events = resampleAdvanced(p, dead, batch, loss, new Rng(9), 4_999, {
      resets: [
        { values: bMag, value: 0 },
        { values: rMag, value: 0 },
      ],
    });
    expect(events).toEqual([
      { step: 4_999, instance: 0, latent: 2 },
      { step: 4_999, instance: 2, latent: 0 },
      { step: 4_999, instance: 2, latent: 1 },
      { step: 4_999, instance: 2, latent: 2 },
    ]);
    expectOnlyTouched(before, p, ["0/2", "2/0", "2/1", "2/2"]); // instance 1 (alive) and 3 (loss < 1e-6) untouched
    // sample 2: h − b_dec = (3, 4) → v = (0.6, 0.8)
    const v = [0.6, 0.8];
    for (const [k, e] of decRow(p, 0, 2).entries()) expect(e).toBeCloseTo(v[k], 6);
    for (const [k, e] of encCol(p, 0, 2).entries()) expect(e).toBeCloseTo(v[k] * 2 * 0.5, 6); // alive norms 1 and 3: mean 2
    expect(p.bEnc[2]).toBe(0);
    for (const j of [0, 1, 2]) {
      for (const [k, e] of decRow(p, 2, j).entries()) expect(e).toBeCloseTo(v[k], 6);
      for (const [k, e] of encCol(p, 2, j).entries()) expect(e).toBeCloseTo(v[k] * 1 * 0.5, 6); // nothing alive: norm 1
    }
    // extra tensors reset only where resampled
    expect([bMag[2], rMag[2], bMag[6], rMag[8]]).toEqual([0, 0, 0, 0]);
    expect([bMag[0], bMag[9], rMag[3]]).toEqual([7, 7, 7]);
  });

  it("tied: the encoder write is the original's last, so both sides hold v·norm·scale", () => {
    const { p, dead, batch, loss } = handCase();
    resampleAdvanced(p, dead, batch, loss, new Rng(9), 0, { tied: true });
    for (const [k, e] of encCol(p, 0, 2).entries()) expect(e).toBeCloseTo([0.6, 0.8][k], 6); // norm 2 × scale ½ = 1
    expect(decRow(p, 0, 2)).toEqual(encCol(p, 0, 2));
    expect(decRow(p, 2, 1).map((e) => Number(e.toFixed(6)))).toEqual([0.3, 0.4]);
  });

  it("changes nothing when nothing is dead", () => {
    const { p, batch, loss } = handCase();
    const before = cloneSaeParams(p);
    expect(resampleAdvanced(p, new Uint8Array(12), batch, loss, new Rng(1), 0)).toEqual([]);
    expectOnlyTouched(before, p, []);
  });

  it("draws samples with probability ∝ L_rec² (seeded draw of 20,000 dead latents)", () => {
    const M = 20_000,
      D = 4,
      B = 4;
    const p = emptySaeParams({ instances: 1, dIn: D, dSae: M });
    // sample s lies along axis s, so the decoder row tells which sample was drawn
    const x = new Float32Array(B * D);
    for (let s = 0; s < B; s++) x[s * D + s] = s + 1;
    const loss = Float64Array.from([1, 2, 0, 3]); // probabilities 1/14, 4/14, 0, 9/14
    resampleAdvanced(p, new Uint8Array(M).fill(1), { x: [x], batch: B, group: Int32Array.from([0]) }, loss, new Rng(11), 0);
    const counts = [0, 0, 0, 0];
    for (let j = 0; j < M; j++) {
      const row = decRow(p, 0, j);
      counts[row.findIndex((v) => v > 0.99)]++;
    }
    expect(counts[2]).toBe(0);
    expect(counts.reduce((a, b) => a + b, 0)).toBe(M);
    for (const [s, prob] of [
      [0, 1 / 14],
      [1, 4 / 14],
      [3, 9 / 14],
    ]) {
      const z = Math.abs(counts[s] / M - prob) / Math.sqrt((prob * (1 - prob)) / M);
      expect(z, `sample ${s}: ${counts[s]}`).toBeLessThan(4);
    }
    // ∝ L² and not ∝ L: sample 3 would get 1/2 of the draws, not 9/14
    expect(counts[3] / M).toBeGreaterThan(0.6);
  });

  it("sampleProportionalToSquaredLoss refuses an all-zero loss; resampleAdvanced checks the loss length", () => {
    expect(() => sampleProportionalToSquaredLoss([0, 0], 3, new Rng(1))).toThrow(/every loss is 0/);
    const { p, dead, batch } = handCase();
    expect(() => resampleAdvanced(p, dead, batch, new Float64Array(3), new Rng(1), 0)).toThrow(/expected 12/);
  });
});
