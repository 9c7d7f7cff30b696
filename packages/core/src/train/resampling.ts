/**
 * Dead-latent resampling of ARENA's toy SAEs (`resample_simple`, `resample_advanced` of
 * chapter 1.3.1; reference arena-toy-models.md §2), as pure functions on SaeParams buffers.
 *
 * Dead: a latent whose frac_active (share of the batch with |act| > 1e-8) was 0 — below
 * 1e-8 — at every step of the window (the last `window` steps; 500 in S, with resampling
 * every 2,500 steps, at the steps where (step + 1) % freq = 0).
 *
 * Simple: for each dead latent, v ~ N(0, I) normalised (v/(‖v‖ + eps)); decoder row := v,
 * encoder column := scale·v, b_enc := 0.
 * Advanced (Anthropic's): given a fresh batch and each sample's L_rec, per instance (skipped
 * when nothing is dead or max L_rec < 1e-6) draw one sample per dead latent, with
 * replacement, with probability ∝ L_rec²; v = normalise(h − b_dec) of that sample; decoder
 * row := v, encoder column := v·(mean ‖W_enc[:, j]‖ over the alive latents, or 1 if none)·scale,
 * b_enc := 0.
 * scale: 0.5 (S; OLD default 0.2). Extra per-latent tensors are reset as the subclasses do
 * (Gated: b_mag, r_mag := 0 — b_gate is the b_enc slot; JumpReLU: log θ := log 0.1).
 *
 * Tied weights: the original writes through the W_dec = W_encᵀ view, so the last write wins:
 * simple writes the encoder then the decoder (column = v), advanced the decoder then the
 * encoder (column = v·norm·scale). We reproduce that and mirror wDec from the result.
 *
 * The optimiser: the original leaves Adam's moments of the resampled entries as they are
 * (Anthropic's write-up resets them; ARENA does not), and so does this module — there is
 * nothing to reset.
 */
import type { Rng } from "../random.ts";
import type { GridBatch, SaeParams, SaeShape } from "../sae/types.ts";
import { mirrorTiedDecoder } from "../sae/arena-relu/init.ts";

export const ARENA_RESAMPLE_FREQ = 2_500;
export const ARENA_RESAMPLE_WINDOW = 500;
export const ARENA_RESAMPLE_SCALE = 0.5;
export const ARENA_RESAMPLE_SCALE_OLD = 0.2;
/** frac_active below this at every step of the window means dead. */
export const DEAD_FRAC_THRESHOLD = 1e-8;
/** Advanced resampling skips an instance whose largest per-sample L_rec is below this. */
export const MIN_RESAMPLE_LOSS = 1e-6;

export interface ResamplingEvent {
  step: number;
  instance: number;
  latent: number;
}

/** True at the steps where the original resamples: (step + 1) % freq = 0 (step 0-based). */
export function isResampleStep(step: number, freq = ARENA_RESAMPLE_FREQ): boolean {
  return (step + 1) % freq === 0;
}

/**
 * The frac_active history over the last `window` steps, kept as the length of each latent's
 * current run of inactive steps (which is all that "inactive at every step of the window"
 * needs).
 */
export class FracActiveWindow {
  private readonly inactiveRun: Int32Array;
  private steps = 0;

  constructor(
    readonly shape: Pick<SaeShape, "instances" | "dSae">,
    readonly window = ARENA_RESAMPLE_WINDOW,
  ) {
    if (!Number.isInteger(window) || window < 1) throw new Error(`FracActiveWindow: window must be a positive integer, got ${window}`);
    this.inactiveRun = new Int32Array(shape.instances * shape.dSae);
  }

  /** Record one step's frac_active [I, dSae]. */
  push(fracActive: ArrayLike<number>): void {
    if (fracActive.length !== this.inactiveRun.length) {
      throw new Error(`FracActiveWindow.push: ${fracActive.length} values, expected ${this.inactiveRun.length} ([I, dSae])`);
    }
    for (let e = 0; e < fracActive.length; e++) this.inactiveRun[e] = fracActive[e] < DEAD_FRAC_THRESHOLD ? this.inactiveRun[e] + 1 : 0;
    this.steps++;
  }

  /** Steps recorded so far, capped at the window. */
  get filled(): number {
    return Math.min(this.steps, this.window);
  }

  /**
   * [I, dSae]: 1 where the latent was inactive at every recorded step of the window. With
   * nothing recorded, nothing is dead (the original would call every latent dead on an empty
   * window, which its step schedule never produces).
   */
  dead(): Uint8Array {
    const out = new Uint8Array(this.inactiveRun.length);
    const need = this.filled;
    if (need === 0) return out;
    for (let e = 0; e < out.length; e++) out[e] = this.inactiveRun[e] >= need ? 1 : 0;
    return out;
  }
}

/** A per-latent [I, dSae] tensor to set to `value` wherever a latent is resampled. */
export interface LatentReset {
  values: Float32Array;
  value: number;
}

export interface ResampleOptions {
  /** Default 0.5 (S). */
  scale?: number;
  /** `weight_normalize_eps` of the normalisation, default 1e-8. */
  eps?: number;
  /** W_dec = W_encᵀ. Default false. */
  tied?: boolean;
  /** Extra tensors to reset (Gated r_mag, b_mag → 0; JumpReLU log θ → log 0.1). */
  resets?: readonly LatentReset[];
}

function checkDead(p: SaeParams, dead: Uint8Array, fn: string): void {
  if (dead.length !== p.instances * p.dSae) throw new Error(`${fn}: dead has ${dead.length} entries, expected ${p.instances * p.dSae} ([I, dSae])`);
}

/** Write latent (i, j): decoder row `v`, encoder column `enc`, b_enc 0, extra resets. */
function writeLatent(p: SaeParams, i: number, j: number, v: Float64Array, enc: Float64Array, resets: readonly LatentReset[]): void {
  const { dIn: D, dSae: M } = p;
  const o = i * D * M;
  for (let k = 0; k < D; k++) {
    p.wDec[o + j * D + k] = v[k];
    p.wEnc[o + k * M + j] = enc[k];
  }
  p.bEnc[i * M + j] = 0;
  for (const r of resets) r.values[i * M + j] = r.value;
}

/** v/(‖v‖ + eps) in place. */
function normalise(v: Float64Array, eps: number): void {
  let ss = 0;
  for (let k = 0; k < v.length; k++) ss += v[k] * v[k];
  const s = 1 / (Math.sqrt(ss) + eps);
  for (let k = 0; k < v.length; k++) v[k] *= s;
}

/** Simple resampling of every dead latent (instance-major order); returns the events. */
export function resampleSimple(p: SaeParams, dead: Uint8Array, rng: Rng, step: number, options: ResampleOptions = {}): ResamplingEvent[] {
  checkDead(p, dead, "resampleSimple");
  const { scale = ARENA_RESAMPLE_SCALE, eps = 1e-8, tied = false, resets = [] } = options;
  const { instances: I, dIn: D, dSae: M } = p;
  const events: ResamplingEvent[] = [];
  const v = new Float64Array(D);
  const enc = new Float64Array(D);
  for (let i = 0; i < I; i++) {
    for (let j = 0; j < M; j++) {
      if (!dead[i * M + j]) continue;
      for (let k = 0; k < D; k++) v[k] = rng.normal();
      normalise(v, eps);
      // tied: the decoder write comes last in the original and overwrites the scaled encoder column
      for (let k = 0; k < D; k++) enc[k] = tied ? v[k] : scale * v[k];
      writeLatent(p, i, j, v, enc, resets);
      events.push({ step, instance: i, latent: j });
    }
  }
  if (tied) mirrorTiedDecoder(p);
  return events;
}

/** `count` indices drawn with replacement with probability ∝ loss² (torch's Categorical on L²/ΣL²). */
export function sampleProportionalToSquaredLoss(loss: ArrayLike<number>, count: number, rng: Rng): Int32Array {
  const cumulative = new Float64Array(loss.length);
  let total = 0;
  for (let s = 0; s < loss.length; s++) {
    total += loss[s] * loss[s];
    cumulative[s] = total;
  }
  if (!(total > 0)) throw new Error("sampleProportionalToSquaredLoss: every loss is 0");
  const out = new Int32Array(count);
  for (let n = 0; n < count; n++) out[n] = rng.categorical(cumulative);
  return out;
}

/**
 * Advanced resampling. `batch` is a fresh batch and `perSampleReconstruction` [I, B] each
 * sample's L_rec under the current weights (the `...ReconstructionPerSample` function of the
 * architecture). Returns the events.
 */
export function resampleAdvanced(
  p: SaeParams,
  dead: Uint8Array,
  batch: GridBatch,
  perSampleReconstruction: Float64Array,
  rng: Rng,
  step: number,
  options: ResampleOptions = {},
): ResamplingEvent[] {
  checkDead(p, dead, "resampleAdvanced");
  const { scale = ARENA_RESAMPLE_SCALE, eps = 1e-8, tied = false, resets = [] } = options;
  const { instances: I, dIn: D, dSae: M } = p;
  const B = batch.batch;
  if (perSampleReconstruction.length !== I * B) {
    throw new Error(`resampleAdvanced: perSampleReconstruction has ${perSampleReconstruction.length} entries, expected ${I * B} ([I, B])`);
  }
  const events: ResamplingEvent[] = [];
  const v = new Float64Array(D);
  const enc = new Float64Array(D);
  for (let i = 0; i < I; i++) {
    const deadLatents: number[] = [];
    for (let j = 0; j < M; j++) if (dead[i * M + j]) deadLatents.push(j);
    if (deadLatents.length === 0) continue;
    const loss = perSampleReconstruction.subarray(i * B, (i + 1) * B);
    let maxLoss = -Infinity;
    for (const l of loss) maxLoss = Math.max(maxLoss, l);
    if (maxLoss < MIN_RESAMPLE_LOSS) continue;
    const picks = sampleProportionalToSquaredLoss(loss, deadLatents.length, rng);
    // mean encoder-column norm of the alive latents, measured before any write
    const o = i * D * M;
    let aliveNorm = 0;
    let alive = 0;
    for (let j = 0; j < M; j++) {
      if (dead[i * M + j]) continue;
      let ss = 0;
      for (let k = 0; k < D; k++) ss += p.wEnc[o + k * M + j] ** 2;
      aliveNorm += Math.sqrt(ss);
      alive++;
    }
    const encScale = (alive > 0 ? aliveNorm / alive : 1) * scale;
    const x = batch.x[batch.group[i]];
    deadLatents.forEach((j, n) => {
      const s = picks[n];
      for (let k = 0; k < D; k++) v[k] = x[s * D + k] - p.bDec[i * D + k];
      normalise(v, eps);
      for (let k = 0; k < D; k++) enc[k] = v[k] * encScale; // tied: this encoder write is the last one
      writeLatent(p, i, j, v, enc, resets);
      events.push({ step, instance: i, latent: j });
    });
  }
  if (tied) mirrorTiedDecoder(p);
  return events;
}
