/**
 * The one grid training loop: every architecture, every recipe. A grid of SAEs is one set of
 * tensors with an instance axis; each instance has its own learning rate, β1 and
 * hyperparameters, and is frozen on its own if it diverges. One step:
 *
 *   [dead-latent resampling at its steps, if set: dead-latent-resampler.ts]
 *   → dead latents (no code above the architecture's fire threshold for > deadWindow steps)
 *   → a fresh batch per data group (× its input scale when normalising inputs)
 *   → this step's hyperparameters (schedules) → hooks.beforeStep
 *   → forward + backward (the fused kernel, or tfjs autodiff of the reference loss)
 *   → firing counters → hooks.afterForward
 *   → freeze instances that diverge (see `DivergenceReason`)
 *   → hooks.editGradients → per-instance gradient-norm clip (if the recipe clips)
 *   → Adam (lr × schedule) → hooks.afterStep → [parameter snapshot, if set] → curves, progress.
 * After the last step: hooks.finish, and the input scale is folded into the weights.
 *
 * What differs between the original codes is the recipe (`recipes/`): optimiser betas, lr
 * schedule, clipping, dead window, input normalisation.
 */
import type { AnyArchitecture, StepContext } from "../sae/architecture.ts";
import type { Rng } from "../random.ts";
import { emptySaeParams, saeTensors, type GridBatch, type SaeParams, type StepOutput } from "../sae/types.ts";
import { InstanceAdam } from "./adam.ts";
import { clipGradNormPerInstance } from "./clip.ts";
import { hyperAt, type HyperSchedule } from "./hyper-schedule.ts";
import { estimateInputScale, foldInputScale } from "./input-normalisation.ts";
import { lrSchedule, type LrScheduleSpec } from "./lr-schedule.ts";
import type { tfjsLossAndGrads } from "./tfjs-engine.ts";
import { DeadLatentResampler, type ResamplingSettings } from "./dead-latent-resampler.ts";
import { isSnapshotStep, takeSnapshot, type ParamSnapshot } from "./param-snapshots.ts";
import type { ResamplingEvent } from "./resampling.ts";

/** The tfjs autodiff step (`tfjs-engine.ts`), passed in so that fused runs never load tfjs. */
export type AutodiffStep = typeof tfjsLossAndGrads;

/** Load the autodiff step (tfjs takes about half a second to import; only tfjs-engine runs need it). */
export async function loadAutodiff(): Promise<AutodiffStep> {
  return (await import("./tfjs-engine.ts")).tfjsLossAndGrads;
}

export type GradientEngine = "fused" | "tfjs";

/**
 * Why an instance is marked diverged (its results never count toward a finding):
 * - "non-finite": its loss or a gradient turned NaN/Inf — frozen at that step;
 * - "exploded": its loss exceeded `EXPLOSION_FACTOR` × max(1, its first loss, the mean ‖x‖² of its
 *   first batch) on `EXPLOSION_PATIENCE` consecutive steps — frozen then, recorded at the first of
 *   them (a finite blow-up, e.g. lr 1e3 reaching a loss of 1e11). One batch over the line is not
 *   enough: one nearly-zero sample makes a per-sample FVU loss (‖x − x̂‖² / ‖x‖²) 1e4× its usual
 *   value while the parameters are fine (seen on the composed grid at lr 3e-3: 3e4 once, ~1 after);
 * - "collapsed": after training, no latent is active on any sample of the last batch (every
 *   latent dead: the SAE reconstructs with its bias alone).
 */
export type DivergenceReason = "non-finite" | "exploded" | "collapsed";
export const EXPLOSION_FACTOR = 1e4;
export const EXPLOSION_PATIENCE = 10;

/** The trainer's settings that a recipe presets (plain data: it travels to worker threads). */
export interface TrainerSettings {
  beta2: number;
  eps: number;
  lrSchedule: LrScheduleSpec;
  /** Per-instance global gradient-norm clip (torch clip_grad_norm_), or null for none. */
  maxGradNorm: number | null;
  /** Steps without firing after which a latent counts as dead. */
  deadWindow: number;
  /** SAELens `expected_average_only_in`: estimate the input scale over this many batches per data group. */
  normalizeInputs: { batches: number } | null;
  engine: GradientEngine;
  /** Dead-latent resampling (ARENA's, dead-latent-resampler.ts); absent or null: none. */
  resampling?: ResamplingSettings | null;
  /** Copy the parameters every this many steps (and at the last step); absent or null: never. */
  snapshotEvery?: number | null;
  /** Curves carry each latent's frac_active at the logged steps. */
  recordFracActive?: boolean;
}

export interface GridTrainingOptions extends TrainerSettings {
  steps: number;
  batch: number;
  /** Per instance. */
  lr: Float64Array;
  beta1: Float64Array;
  /** The architecture's options (already resolved with defaults). */
  options: object;
  /** Target value of each of the architecture's hyperparameters, per instance. */
  hyper: Record<string, Float64Array>;
  /** Per hyperparameter, per instance: a schedule, or null to keep the target. */
  schedules?: Record<string, ReadonlyArray<HyperSchedule | null>>;
  /** instance → data group. */
  group: Int32Array;
  groups: number;
  /** A fresh [batch, dIn] batch of the SAE's input for data group g. */
  sample: (group: number) => Float32Array;
  logEvery?: number;
  onStep?: (step: number, out: StepOutput) => void;
  /** Needed when the engine is tfjs or the architecture has no fused kernel (`loadAutodiff()`). */
  autodiff?: AutodiffStep;
  /** One Rng per instance for dead-latent resampling (required when `resampling` is set). */
  resamplingRngs?: readonly Rng[];
}

export interface CurvePoint {
  step: number;
  instance: number;
  loss: number;
  reconstruction: number;
  sparsity: number;
  auxiliary: number;
  /** Mean non-zero codes per sample in this batch (NaN where the kernel does not count them). */
  l0: number;
  dead: number;
  lrFactor: number;
  /** Gradient norm before clipping (NaN when the recipe does not clip). */
  gradNorm: number;
  /** This step's value of each hyperparameter. */
  hyper: Record<string, number>;
  /** [dSae]: share of this step's batch in which each latent fired (with `recordFracActive`). */
  fracActive?: Float64Array;
}

export interface GridTrainingResult {
  curves: CurvePoint[];
  diverged: Uint8Array;
  /** Per instance, why it is marked diverged (null when it is not). */
  divergedReason: Array<DivergenceReason | null>;
  /** Step at which each diverged instance was frozen (−1 if never; a collapse freezes nothing). */
  divergedAt: Int32Array;
  /** The input scale folded into each instance (1 without normalisation). */
  inputScale: Float64Array;
  /** Each hyperparameter's value after training (a k transition ends at int(k(steps))). */
  finalHyper: Record<string, Float64Array>;
  /** The architecture's per-instance summary values (e.g. topk_threshold). */
  summary: Record<string, Float64Array>;
  /** Every dead-latent resampling event (instance = index on this grid's instance axis). */
  resampling: ResamplingEvent[];
  /** Parameter copies (with `snapshotEvery`), in step order. */
  snapshots: ParamSnapshot[];
}

function allFinite(a: Float32Array, from: number, to: number): boolean {
  for (let e = from; e < to; e++) if (!Number.isFinite(a[e])) return false;
  return true;
}

/** Mean over the rows of ‖x_s‖² for a [batch, dIn] matrix. */
function meanSquaredNorm(x: Float32Array, batch: number, dIn: number): number {
  return sumOfSquares(x, batch * dIn) / batch;
}

/**
 * Σ x_e² over the first n entries. Nothing follows its loop: V8 compiles a long loop while it
 * runs, and code after it with no feedback yet made that compiled loop deoptimise at every call.
 */
function sumOfSquares(x: Float32Array, n: number): number {
  let sum = 0;
  for (let e = 0; e < n; e++) sum += x[e] * x[e];
  return sum;
}

function scaled(x: Float32Array, s: number): Float32Array {
  if (s === 1) return x;
  const out = new Float32Array(x.length);
  for (let e = 0; e < x.length; e++) out[e] = x[e] * s;
  return out;
}

export function trainSaeGrid(arch: AnyArchitecture, p: SaeParams, o: GridTrainingOptions): GridTrainingResult {
  const { steps, batch: B, engine } = o;
  const { instances: I, dSae: M } = p;
  const logEvery = o.logEvery ?? Math.max(1, Math.floor(steps / 200));
  for (const name of arch.hyper) {
    if (!o.hyper[name] || o.hyper[name].length !== I) throw new Error(`trainSaeGrid: ${arch.name} needs hyperparameter "${name}" for each of ${I} instances`);
  }
  const fused = engine === "fused" ? arch.fused : undefined;
  const autodiff = o.autodiff;
  if (!fused && !autodiff) throw new Error(`trainSaeGrid: ${arch.name} ${arch.fused ? "with the tfjs engine" : "(no fused kernel)"} needs options.autodiff (await loadAutodiff())`);

  // parameters and gradients in the architecture's spec order (the optimiser and the clip visit them so)
  const grads = emptySaeParams(p, arch.params);
  const gradList = saeTensors(grads, arch.params);
  const adam = new InstanceAdam(saeTensors(p, arch.params), I, { beta1: o.beta1, beta2: o.beta2, eps: o.eps });
  const lrFactor = lrSchedule(o.lrSchedule, steps);

  const groupScale = new Float64Array(o.groups).fill(1);
  if (o.normalizeInputs) {
    for (let g = 0; g < o.groups; g++) groupScale[g] = estimateInputScale(() => o.sample(g), p.dIn, o.normalizeInputs.batches);
  }
  const inputScale = Float64Array.from(o.group, (g) => groupScale[g]);

  const hyper: Record<string, Float64Array> = Object.fromEntries(arch.hyper.map((name) => [name, new Float64Array(I)]));
  const setHyper = (step: number, into: Record<string, Float64Array>) => {
    for (const name of arch.hyper) {
      for (let i = 0; i < I; i++) into[name][i] = hyperAt(o.hyper[name][i], step, o.schedules?.[name]?.[i]);
    }
  };
  const ctx: StepContext<object, unknown> = {
    step: 0,
    options: o.options,
    state: arch.createState(p, o.options),
    hyper,
    dead: new Uint8Array(I * M),
    active: new Uint8Array(I).fill(1),
  };
  const stepsSinceFired = new Int32Array(I * M);
  const divergedAt = new Int32Array(I).fill(-1);
  const divergedReason: Array<DivergenceReason | null> = new Array<DivergenceReason | null>(I).fill(null);
  /** Per instance, the loss above which it has exploded (set on the first step). */
  const explosion = new Float64Array(I);
  /** Per instance, how many consecutive steps its loss has been over `explosion`. */
  const overFor = new Int32Array(I);
  let lastL0: Float64Array = new Float64Array(I);
  const lr = new Float64Array(I);
  const curves: CurvePoint[] = [];
  const hooks = arch.hooks ?? {};
  const freshBatch = (): GridBatch => ({ x: Array.from({ length: o.groups }, (_, g) => scaled(o.sample(g), groupScale[g])), batch: B, group: o.group });
  const resampler = o.resampling ? new DeadLatentResampler(arch, p, o.resampling, o.resamplingRngs ?? [], o.options) : null;
  const snapshots: ParamSnapshot[] = [];

  for (let step = 0; step < steps; step++) {
    ctx.step = step;
    // a resampled latent is a new latent: it starts its dead-window count afresh
    if (resampler?.due(step)) for (const e of resampler.resample(step, ctx, freshBatch)) stepsSinceFired[e.instance * M + e.latent] = 0;
    for (let e = 0; e < I * M; e++) ctx.dead[e] = stepsSinceFired[e] > o.deadWindow ? 1 : 0;
    const batch = freshBatch();
    setHyper(step, hyper);
    hooks.beforeStep?.(p, ctx);

    const out = fused ? fused(p, grads, batch, ctx) : (autodiff as AutodiffStep)(arch, p, grads, batch, ctx);

    for (let e = 0; e < I * M; e++) stepsSinceFired[e] = out.fired[e] ? 0 : stepsSinceFired[e] + 1;
    resampler?.record(out);
    hooks.afterForward?.(p, out, ctx);

    if (step === 0) {
      const energy = batch.x.map((x) => meanSquaredNorm(x, B, p.dIn));
      for (let i = 0; i < I; i++) explosion[i] = EXPLOSION_FACTOR * Math.max(1, Number.isFinite(out.loss[i]) ? out.loss[i] : 0, energy[o.group[i]]);
    }
    for (let i = 0; i < I; i++) {
      if (!ctx.active[i]) continue;
      let ok = Number.isFinite(out.loss[i]);
      for (const g of gradList) ok = ok && allFinite(g, (i * g.length) / I, ((i + 1) * g.length) / I);
      overFor[i] = ok && out.loss[i] > explosion[i] ? overFor[i] + 1 : 0;
      const reason: DivergenceReason | null = !ok ? "non-finite" : overFor[i] >= EXPLOSION_PATIENCE ? "exploded" : null;
      if (reason) {
        ctx.active[i] = 0;
        divergedAt[i] = reason === "exploded" ? step - EXPLOSION_PATIENCE + 1 : step;
        divergedReason[i] = reason;
      }
    }
    lastL0 = out.l0;

    hooks.editGradients?.(p, grads, ctx);
    const gradNorm = o.maxGradNorm === null ? null : clipGradNormPerInstance(gradList, I, o.maxGradNorm, ctx.active);
    const factor = lrFactor(step);
    for (let i = 0; i < I; i++) lr[i] = o.lr[i] * factor;
    adam.step(gradList, lr, ctx.active);
    hooks.afterStep?.(p, ctx);
    if (o.snapshotEvery && isSnapshotStep(step, steps, o.snapshotEvery)) snapshots.push(takeSnapshot(p, step, o.normalizeInputs ? inputScale : new Float64Array(I).fill(1)));

    if (step % logEvery === 0 || step === steps - 1) {
      for (let i = 0; i < I; i++) {
        let dead = 0;
        for (let j = 0; j < M; j++) dead += ctx.dead[i * M + j];
        curves.push({
          step,
          instance: i,
          loss: out.loss[i],
          reconstruction: out.reconstruction[i],
          sparsity: out.sparsity[i],
          auxiliary: out.auxiliary[i],
          l0: out.l0[i],
          dead,
          lrFactor: factor,
          gradNorm: gradNorm ? gradNorm[i] : NaN,
          hyper: Object.fromEntries(arch.hyper.map((name) => [name, hyper[name][i]])),
          ...(o.recordFracActive ? { fracActive: Float64Array.from({ length: M }, (_, j) => (out.fracActive ?? out.fired)[i * M + j]) } : {}),
        });
      }
    }
    o.onStep?.(step, out);
  }

  hooks.finish?.(p, ctx);
  if (o.normalizeInputs) foldInputScale(p, inputScale);
  // a trained instance with no active code on the whole last batch has collapsed (l0 NaN: not counted)
  for (let i = 0; i < I; i++) if (steps > 0 && divergedReason[i] === null && lastL0[i] === 0) divergedReason[i] = "collapsed";
  const finalHyper: Record<string, Float64Array> = Object.fromEntries(arch.hyper.map((name) => [name, new Float64Array(I)]));
  setHyper(steps, finalHyper);
  return {
    curves,
    diverged: Uint8Array.from(divergedReason, (r) => (r === null ? 0 : 1)),
    divergedReason,
    divergedAt,
    inputScale,
    finalHyper,
    summary: arch.summary?.(ctx.state, p) ?? {},
    resampling: resampler?.events ?? [],
    snapshots,
  };
}
