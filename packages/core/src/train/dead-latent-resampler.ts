/**
 * Dead-latent resampling inside the one trainer, for every architecture: ARENA's
 * `resample_simple` and `resample_advanced` (chapter 1.3.1, reference arena-toy-models.md §2;
 * the procedures themselves are `resampling.ts`) driven by a frac_active window.
 *
 * - Each step's frac_active (the share of the batch in which a latent fired; `fired` where an
 *   engine does not count it, which decides deadness the same way) enters a window of the last
 *   `window` steps; a latent is dead when it fired in none of them.
 * - At the steps where (step + 1) % every = 0, before that step's batch (as the original), the
 *   dead latents of every training instance are resampled. Advanced resampling first draws a
 *   fresh batch of every data group — at every resampling step, dead latents or not, so each data
 *   stream advances the same way however the instances are split between threads.
 * - Instance i draws from its own Rng (`rngs[i]`), so its events do not depend on the others.
 * - Tied weights (`arch.tiedWeights`) are written through the tie as the original does; the
 *   architecture's `hooks.resetLatents` resets what else it keeps per latent (a Gated r_mag, a
 *   JumpReLU log θ). Adam's moments are left as they are (ARENA does not reset them).
 *
 * S values: every 2,500, window 500, scale 0.5; OLD: window 400 in the demo, scale 0.2.
 */
import type { Rng } from "../random.ts";
import type { AnyArchitecture, StepContext } from "../sae/architecture.ts";
import type { GridBatch, SaeParams, StepOutput } from "../sae/types.ts";
import { FracActiveWindow, isResampleStep, resampleAdvanced, resampleSimple, type ResamplingEvent } from "./resampling.ts";

export interface ResamplingSettings {
  kind: "simple" | "advanced";
  /** Resample at the steps where (step + 1) % every = 0 (ARENA S: 2,500). */
  every: number;
  /** A latent is dead when it fired in none of the last `window` steps (S: 500). */
  window: number;
  /** Scale of the new encoder column (S: 0.5; OLD default 0.2). */
  scale: number;
}

export function checkResamplingSettings(s: ResamplingSettings): void {
  if (s.kind !== "simple" && s.kind !== "advanced") throw new Error(`resampling.kind: got ${JSON.stringify(s.kind)}, expected "simple" or "advanced"`);
  for (const [name, v] of [
    ["every", s.every],
    ["window", s.window],
  ] as const) {
    if (!Number.isInteger(v) || v < 1) throw new Error(`resampling.${name}: got ${v}, expected a positive integer`);
  }
  if (!(s.scale > 0 && Number.isFinite(s.scale))) throw new Error(`resampling.scale: got ${s.scale}, expected a finite number > 0`);
}

/**
 * Mean over dIn of (x̂ − x)² per sample [I, B], with x̂ = decode(encode(x)) (or a·W_dec + b_dec):
 * the generic per-sample reconstruction loss for architectures that do not give their own.
 */
export function genericReconstructionPerSample(arch: AnyArchitecture, p: SaeParams, batch: GridBatch, ctx: StepContext<object, unknown>): Float64Array {
  const { instances: I, dIn: D, dSae: M } = p;
  const B = batch.batch;
  const out = new Float64Array(I * B);
  for (let i = 0; i < I; i++) {
    const x = batch.x[batch.group[i]];
    const hyper = Object.fromEntries(arch.hyper.map((name) => [name, ctx.hyper[name][i]]));
    const codes = arch.encode(p, i, x, B, ctx.options, hyper);
    const recon = arch.decode?.(p, i, codes, B, ctx.options);
    for (let s = 0; s < B; s++) {
      let se = 0;
      for (let k = 0; k < D; k++) {
        let xh: number;
        if (recon) xh = recon[s * D + k];
        else {
          xh = p.bDec[i * D + k];
          for (let j = 0; j < M; j++) xh += codes[s * M + j] * p.wDec[(i * M + j) * D + k];
        }
        se += (xh - x[s * D + k]) ** 2;
      }
      out[i * B + s] = se / D;
    }
  }
  return out;
}

export class DeadLatentResampler {
  readonly events: ResamplingEvent[] = [];
  private readonly window: FracActiveWindow;
  private readonly tied: boolean;

  constructor(
    private readonly arch: AnyArchitecture,
    private readonly p: SaeParams,
    private readonly settings: ResamplingSettings,
    private readonly rngs: readonly Rng[],
    options: object,
  ) {
    checkResamplingSettings(settings);
    if (rngs.length !== p.instances) throw new Error(`DeadLatentResampler: ${rngs.length} Rngs for ${p.instances} instances (one each)`);
    this.window = new FracActiveWindow(p, settings.window);
    this.tied = arch.tiedWeights?.(options) ?? false;
  }

  /** Whether step `step` begins with resampling. */
  due(step: number): boolean {
    return isResampleStep(step, this.settings.every);
  }

  /**
   * Resample the dead latents of the training instances (call at a `due` step, before the
   * step's batch). `freshBatch` draws the advanced procedure's batch. Returns this step's events.
   */
  resample(step: number, ctx: StepContext<object, unknown>, freshBatch: () => GridBatch): ResamplingEvent[] {
    const { p, arch } = this;
    const { instances: I, dSae: M } = p;
    const dead = this.window.dead();
    const batch = this.settings.kind === "advanced" ? freshBatch() : null;
    let perSample: Float64Array | null = null;
    const out: ResamplingEvent[] = [];
    for (let i = 0; i < I; i++) {
      if (!ctx.active[i]) continue;
      const mine = new Uint8Array(I * M);
      let hasDead = false;
      for (let j = 0; j < M; j++) {
        if (!dead[i * M + j]) continue;
        mine[i * M + j] = 1;
        hasDead = true;
      }
      if (!hasDead) continue;
      const options = { scale: this.settings.scale, tied: this.tied };
      let events: ResamplingEvent[];
      if (batch) {
        perSample ??= arch.reconstructionPerSample?.(p, batch, ctx) ?? genericReconstructionPerSample(arch, p, batch, ctx);
        events = resampleAdvanced(p, mine, batch, perSample, this.rngs[i], step, options);
      } else {
        events = resampleSimple(p, mine, this.rngs[i], step, options);
      }
      if (events.length)
        arch.hooks?.resetLatents?.(
          p,
          i,
          events.map((e) => e.latent),
          ctx.options,
        );
      out.push(...events);
    }
    this.events.push(...out);
    return out;
  }

  /** Record one step's activity (frac_active, or `fired` where the engine does not count it). */
  record(step: StepOutput): void {
    this.window.push(step.fracActive ?? step.fired);
  }
}
