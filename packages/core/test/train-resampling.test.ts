/**
 * Dead-latent resampling, parameter snapshots and frac_active curves in the one trainer
 * (dead-latent-resampler.ts, param-snapshots.ts; ARENA 1.3.1 §2): events happen at the
 * (step + 1) % every = 0 steps for exactly the latents that fired in none of the window's steps,
 * are recorded with their step, instance and latent, write what the procedure says (simple: unit
 * decoder row v from the instance's own Rng, encoder column scale·v, b_enc 0; advanced: encoder
 * column scaled by the mean alive encoder norm), reach the architectures' extra tensors, and
 * leave a run without resampling exactly as before.
 */
import { describe, expect, it } from "vitest";
import { Rng } from "../src/random.ts";
import { initFor, trainWith, type HarnessOptions } from "./train/harness.ts";
import type { SaeParams } from "../src/sae/types.ts";
import type { GridTrainingResult } from "../src/train/trainer.ts";

const I = 2,
  D = 2,
  M = 5,
  B = 128;

function hiddenBatch(rng: Rng): Float32Array {
  const h = new Float32Array(B * D);
  for (let s = 0; s < B; s++) {
    for (let f = 0; f < 5; f++) {
      if (rng.uniform() > 0.2) continue;
      const a = rng.uniform();
      h[2 * s] += a * Math.cos((2 * Math.PI * f) / 5);
      h[2 * s + 1] += a * Math.sin((2 * Math.PI * f) / 5);
    }
  }
  return h;
}

/** An SAE with two latents that can never fire (b_enc far below any pre-activation). */
async function withDeadLatents(architecture: string, options: Record<string, unknown> = {}): Promise<SaeParams> {
  const p = await initFor(architecture, { instances: I, dIn: D, dSae: M }, [new Rng(1).fork("a"), new Rng(1).fork("b")], options);
  p.bEnc[1] = -50; // instance 0, latent 1
  p.bEnc[M + 4] = -50; // instance 1, latent 4
  return p;
}

async function run(
  architecture: string,
  p: SaeParams,
  extra: Partial<HarnessOptions> & { settings?: HarnessOptions["settings"] },
  options: Record<string, unknown> = {},
): Promise<GridTrainingResult> {
  const data = new Rng(9);
  return trainWith(architecture, "arena", p, {
    steps: 50,
    batch: B,
    sample: () => hiddenBatch(data),
    hyper: { sparsityCoeff: new Float64Array(I).fill(0.2) },
    architectureOptions: options,
    resamplingRngs: [new Rng(3).fork("resample/0"), new Rng(3).fork("resample/1")],
    logEvery: 1,
    ...extra,
  });
}

/** Latents with frac_active 0 at every logged step in [from, to]. */
function deadIn(result: GridTrainingResult, from: number, to: number): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  for (let i = 0; i < I; i++) {
    for (let j = 0; j < M; j++) {
      const steps = result.curves.filter((c) => c.instance === i && c.step >= from && c.step <= to);
      if (steps.every((c) => c.fracActive![j] === 0)) out.push([i, j]);
    }
  }
  return out;
}

const column = (p: SaeParams, i: number, j: number) => [p.wEnc[i * D * M + j], p.wEnc[(i * D + 1) * M + j]];
const row = (p: SaeParams, i: number, j: number) => [p.wDec[(i * M + j) * D], p.wDec[(i * M + j) * D + 1]];

describe("dead-latent resampling in the trainer", () => {
  it("simple: at step 49 (every 50, window 20) resamples exactly the latents silent in steps 29–48, with the instance's own Rng", async () => {
    // lr 0: nothing moves but what resampling writes, so the result is the state right after it
    const p = await withDeadLatents("arena-relu");
    const result = await run("arena-relu", p, {
      lr: new Float64Array(I).fill(0),
      settings: { resampling: { kind: "simple", every: 50, window: 20, scale: 0.5 }, recordFracActive: true },
    });
    const expected = deadIn(result, 29, 48);
    expect(expected).toEqual(
      expect.arrayContaining([
        [0, 1],
        [1, 4],
      ]),
    );
    expect(result.resampling.map((e) => [e.instance, e.latent])).toEqual(expected);
    expect(result.resampling.every((e) => e.step === 49)).toBe(true);
    // instance 0's first event draws v ~ N(0, I) from its own stream, normalised
    const rng = new Rng(3).fork("resample/0");
    const v = [rng.normal(), rng.normal()];
    const n = Math.hypot(v[0], v[1]) + 1e-8;
    const first = result.resampling[0];
    expect(row(p, 0, first.latent)[0]).toBeCloseTo(v[0] / n, 6);
    expect(row(p, 0, first.latent)[1]).toBeCloseTo(v[1] / n, 6);
    expect(column(p, 0, first.latent)[0]).toBeCloseTo((0.5 * v[0]) / n, 6);
    expect(column(p, 0, first.latent)[1]).toBeCloseTo((0.5 * v[1]) / n, 6);
    for (const e of result.resampling) expect(p.bEnc[e.instance * M + e.latent]).toBe(0);
    // the resampled latents fire again at step 49, the step right after the event
    const last = result.curves.filter((c) => c.step === 49);
    for (const e of result.resampling) expect(last[e.instance].fracActive![e.latent]).toBeGreaterThan(0);
  });

  it("advanced: new decoder rows are unit, encoder columns = row × mean alive encoder norm × scale, b_enc 0", async () => {
    const p = await withDeadLatents("arena-relu");
    const before = p.wEnc.slice();
    const result = await run("arena-relu", p, {
      lr: new Float64Array(I).fill(0),
      settings: { resampling: { kind: "advanced", every: 50, window: 20, scale: 0.5 }, recordFracActive: true },
    });
    const expected = deadIn(result, 29, 48);
    expect(result.resampling.map((e) => [e.instance, e.latent])).toEqual(expected);
    for (let i = 0; i < I; i++) {
      const dead = expected.filter(([k]) => k === i).map(([, j]) => j);
      if (!dead.length) continue;
      let norm = 0;
      const alive = Array.from({ length: M }, (_, j) => j).filter((j) => !dead.includes(j));
      for (const j of alive) norm += Math.hypot(before[i * D * M + j], before[(i * D + 1) * M + j]) / alive.length;
      for (const j of dead) {
        const [x, y] = row(p, i, j);
        expect(Math.hypot(x, y)).toBeCloseTo(1, 5);
        expect(column(p, i, j)[0]).toBeCloseTo(x * norm * 0.5, 5);
        expect(column(p, i, j)[1]).toBeCloseTo(y * norm * 0.5, 5);
        expect(p.bEnc[i * M + j]).toBe(0);
      }
    }
  });

  it("reaches the architecture's extra tensors and writes through a tie (arena-jumprelu: log θ reset, W_dec = W_encᵀ)", async () => {
    const p = await withDeadLatents("arena-jumprelu", { tied: true });
    p.extra.logTheta.fill(Math.log(0.3));
    const result = await run(
      "arena-jumprelu",
      p,
      { lr: new Float64Array(I).fill(0), settings: { resampling: { kind: "simple", every: 50, window: 20, scale: 0.5 } } },
      { tied: true },
    );
    expect(result.resampling.length).toBeGreaterThanOrEqual(2);
    for (let e = 0; e < I * M; e++) {
      const resampled = result.resampling.some((ev) => ev.instance * M + ev.latent === e);
      expect(p.extra.logTheta[e]).toBe(Math.fround(resampled ? Math.log(0.1) : Math.log(0.3)));
    }
    // tied: the last write of `resample_simple` is the decoder's, so the encoder column is v itself (unit)
    for (const ev of result.resampling) expect(Math.hypot(...column(p, ev.instance, ev.latent))).toBeCloseTo(1, 5);
    for (let i = 0; i < I; i++) for (let j = 0; j < M; j++) expect(row(p, i, j)).toEqual(column(p, i, j));
  });

  it("revives dead latents when training (advanced, every 100 over 300 steps); without resampling they stay dead", async () => {
    const settings = (kind: "advanced" | null) => ({ resampling: kind ? { kind, every: 100, window: 50, scale: 0.5 } : null, recordFracActive: true });
    const plain = await withDeadLatents("arena-relu");
    const revived = await withDeadLatents("arena-relu");
    const off = await run("arena-relu", plain, { steps: 300, lr: new Float64Array(I).fill(3e-3), settings: settings(null) });
    const on = await run("arena-relu", revived, { steps: 300, lr: new Float64Array(I).fill(3e-3), settings: settings("advanced") });
    expect(off.resampling).toEqual([]);
    expect(deadIn(off, 250, 299)).toEqual(
      expect.arrayContaining([
        [0, 1],
        [1, 4],
      ]),
    );
    expect(on.resampling.filter((e) => e.step === 99).map((e) => [e.instance, e.latent])).toEqual(
      expect.arrayContaining([
        [0, 1],
        [1, 4],
      ]),
    );
    expect(on.resampling.every((e) => (e.step + 1) % 100 === 0)).toBe(true);
    expect(deadIn(on, 250, 299).length).toBeLessThan(deadIn(off, 250, 299).length);
  });

  it("takes parameter snapshots at step % every = 0 and the last step; a run without the new settings is unchanged", async () => {
    const a = await withDeadLatents("arena-relu");
    const b = await withDeadLatents("arena-relu");
    const c = await withDeadLatents("arena-relu");
    const lr = new Float64Array(I).fill(3e-3);
    const plain = await run("arena-relu", a, { lr, settings: { resampling: null } });
    const recorded = await run("arena-relu", b, { lr, settings: { resampling: null, snapshotEvery: 20, recordFracActive: true } });
    const untouched = await run("arena-relu", c, { lr });
    expect(recorded.snapshots.map((s) => s.step)).toEqual([0, 20, 40, 49]);
    expect(Array.from(recorded.snapshots.at(-1)!.params.wEnc)).toEqual(Array.from(b.wEnc));
    expect(recorded.snapshots[0].params.wEnc).not.toEqual(b.wEnc);
    expect(plain.snapshots).toEqual([]);
    expect(plain.curves[0].fracActive).toBeUndefined();
    expect(recorded.curves[0].fracActive!.length).toBe(M);
    // the recipe resamples by default (every 2,500), which 50 steps never reach: all three runs are identical
    expect(untouched.resampling).toEqual([]);
    expect(Array.from(a.wEnc)).toEqual(Array.from(b.wEnc));
    expect(Array.from(a.wDec)).toEqual(Array.from(c.wDec));
    expect(plain.curves.map((x) => x.loss)).toEqual(recorded.curves.map((x) => x.loss));
  });

  it("refuses a resampling setting without one Rng per instance, and bad settings", async () => {
    const p = await withDeadLatents("arena-relu");
    await expect(run("arena-relu", p, { resamplingRngs: [], settings: { resampling: { kind: "simple", every: 10, window: 5, scale: 0.5 } } })).rejects.toThrow(
      /0 Rngs for 2 instances/,
    );
    await expect(run("arena-relu", p, { settings: { resampling: { kind: "simple", every: 0, window: 5, scale: 0.5 } } })).rejects.toThrow(/resampling.every: got 0/);
  });
});
