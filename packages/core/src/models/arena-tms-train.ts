/**
 * Training of ARENA's toy models (`ToyModel.optimize`, chapter 1.3.1, reference
 * arena-toy-models.md §1): Adam (torch defaults β = (0.9, 0.999), ε = 1e-8, no weight decay;
 * AdamW's decoupled decay as an option, which the double-descent exercise uses),
 * lr 1e-3 times a schedule, batch 1024, a fresh batch every step, loss logged every 50 steps.
 *
 * Schedules (ARENA's `constant_lr`, `linear_lr`, `cosine_decay_lr`), as multipliers of lr at
 * step s of S:  constant 1;  linear 1 − s/S;  cosine cos(½π·s/(S − 1)).
 */
import { InstanceAdam } from "../train/adam.ts";
import { arenaComputationLossAndGrads, emptyArenaComputationGrads, type ArenaComputationModel } from "./arena-computation-model.ts";
import { arenaTmsLossAndGrads, emptyArenaTmsGrads, type ArenaTmsModel } from "./arena-tms-model.ts";

export type ArenaToyModel = ArenaTmsModel | ArenaComputationModel;
export type ArenaToyModelKind = ArenaToyModel["kind"];

/** lr multiplier at 0-based step `step` of `steps`. */
export type ArenaLrSchedule = (step: number, steps: number) => number;
export type ArenaLrScheduleName = "constant" | "linear" | "cosine";

export const constantLr: ArenaLrSchedule = () => 1;
export const linearLr: ArenaLrSchedule = (step, steps) => 1 - step / steps;
export const cosineDecayLr: ArenaLrSchedule = (step, steps) => Math.cos((0.5 * Math.PI * step) / (steps - 1));

export const ARENA_LR_SCHEDULES: Readonly<Record<ArenaLrScheduleName, ArenaLrSchedule>> = {
  constant: constantLr,
  linear: linearLr,
  cosine: cosineDecayLr,
};

/** The model's parameter tensors, in a fixed order (what Adam iterates over). */
export function arenaToyParameters(m: ArenaToyModel): Float32Array[] {
  return m.kind === "computation" ? [m.w1, m.w2, m.b] : [m.w, m.b];
}

/**
 * One fused forward/backward of any of the three models: loss per instance, gradients into
 * `grads` (same order as `arenaToyParameters`).
 */
export function arenaToyLossAndGrads(m: ArenaToyModel, x: Float32Array, batch: number, grads: Float32Array[]): Float64Array {
  if (m.kind === "computation") return arenaComputationLossAndGrads(m, x, batch, { w1: grads[0], w2: grads[1], b: grads[2] });
  return arenaTmsLossAndGrads(m, x, batch, { w: grads[0], b: grads[1] });
}

/** Fresh zeroed gradient buffers matching `arenaToyParameters(m)`. */
export function emptyArenaToyGrads(m: ArenaToyModel): Float32Array[] {
  if (m.kind === "computation") {
    const g = emptyArenaComputationGrads(m);
    return [g.w1, g.w2, g.b];
  }
  const g = emptyArenaTmsGrads(m);
  return [g.w, g.b];
}

export interface ArenaProgress {
  step: number;
  /** lr of this step (schedule applied). */
  lr: number;
  /** loss_i per instance on this step's batch (before the update). */
  loss: Float64Array;
}

export interface ArenaToyTrainOptions {
  /** Default 5,000 (S; OLD 10,000). */
  steps?: number;
  /** Default 1,024. */
  batch?: number;
  /** Default 1e-3. */
  lr?: number;
  /** Decoupled (AdamW) weight decay; default 0 (plain Adam). */
  weightDecay?: number;
  /** Default "constant". */
  schedule?: ArenaLrScheduleName | ArenaLrSchedule;
  /** Log (and report progress) every this many steps and at the last step. Default 50. */
  logEvery?: number;
  onProgress?: (progress: ArenaProgress) => void;
}

export interface ArenaCurvePoint {
  step: number;
  instance: number;
  loss: number;
  lr: number;
}

/**
 * Train every instance of `m` in place. `sample(batch)` returns a fresh [I, batch, nFeatures]
 * batch (the ARENA generators of @toy-sae/generators/arena); it owns the randomness.
 * Returns the logged loss curve.
 */
export function trainArenaToyModel(m: ArenaToyModel, sample: (batch: number) => Float32Array, options: ArenaToyTrainOptions = {}): ArenaCurvePoint[] {
  const { steps = 5_000, batch = 1_024, lr = 1e-3, logEvery = 50 } = options;
  const schedule = typeof options.schedule === "function" ? options.schedule : ARENA_LR_SCHEDULES[options.schedule ?? "constant"];
  if (!Number.isInteger(steps) || steps < 1) throw new Error(`trainArenaToyModel: steps must be a positive integer, got ${steps}`);
  if (!Number.isInteger(logEvery) || logEvery < 1) throw new Error(`trainArenaToyModel: logEvery must be a positive integer, got ${logEvery}`);
  const I = m.instances;
  const params = arenaToyParameters(m);
  const grads = emptyArenaToyGrads(m);
  const weightDecay = options.weightDecay ? { weightDecay: new Float64Array(I).fill(options.weightDecay) } : {};
  const adam = new InstanceAdam(params, I, { beta1: new Float64Array(I).fill(0.9), beta2: 0.999, eps: 1e-8, ...weightDecay });
  const lrs = new Float64Array(I);
  const curve: ArenaCurvePoint[] = [];
  for (let step = 0; step < steps; step++) {
    const stepLr = lr * schedule(step, steps);
    lrs.fill(stepLr);
    const x = sample(batch);
    const loss = arenaToyLossAndGrads(m, x, batch, grads);
    adam.step(grads, lrs);
    if (step % logEvery === 0 || step === steps - 1) {
      for (let i = 0; i < I; i++) curve.push({ step, instance: i, loss: loss[i], lr: stepLr });
      options.onProgress?.({ step, lr: stepLr, loss });
    }
  }
  return curve;
}
