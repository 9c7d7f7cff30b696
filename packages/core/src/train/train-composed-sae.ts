/**
 * The composed-feature trainer (superposition-geometry-toys `AutoEncoder.train`), for a
 * whole grid of ReLU/L1 SAEs at once. Each step:
 *   fresh batch → renormalise decoder rows → dead mask & ghost cooldown → forward/backward
 *   → remove the gradient parallel to each decoder row → Adam (per-instance lr × schedule, β1).
 * An instance whose loss or gradient turns NaN/Inf is frozen and reported as diverged.
 */
import {
  FIRE_THRESHOLD,
  encodeReluL1,
  normaliseDecoderRows,
  reluL1LossAndGrads,
  reluL1ReferenceLoss,
  reluL1State,
  removeParallelDecoderGrad,
} from "../sae/relu-l1/kernel.ts";
import { emptySaeParams, emptyStepOutput, saeTensors, type GridBatch, type SaeParams, type StepOutput } from "../sae/types.ts";
import * as tf from "@tensorflow/tfjs-core";
import { InstanceAdam } from "./adam.ts";
import { warmupCooldown } from "./schedule.ts";
import { tfjsLossAndGrads } from "./tfjs-engine.ts";

export type GradientEngine = "fused" | "tfjs";

export interface ComposedSaeTrainOptions {
  steps: number;
  batch: number;
  /** Per-instance hyperparameters. */
  lr: Float64Array;
  l1: Float64Array;
  beta1: Float64Array;
  beta2?: number;
  warmupFrac?: number;
  cooldownFrac?: number;
  ghostGrads?: boolean;
  /** Steps without firing after which a latent counts as dead (original: 400). */
  deadWindow?: number;
  /** Ghost-grad cooldown length (original: 1000). */
  ghostCooldown?: number;
  engine?: GradientEngine;
  /** instance → data group. */
  group: Int32Array;
  groups: number;
  /** A fresh [batch, dIn] batch of the SAE's input for data group g. */
  sample: (group: number) => Float32Array;
  logEvery?: number;
  onStep?: (step: number, out: StepOutput) => void;
}

export interface CurvePoint {
  step: number;
  instance: number;
  loss: number;
  reconstruction: number;
  sparsity: number;
  auxiliary: number;
  lrFactor: number;
  dead: number;
}

export interface TrainResult {
  curves: CurvePoint[];
  diverged: Uint8Array;
  /** Step at which each diverged instance was frozen (−1 if never). */
  divergedAt: Int32Array;
}

function allFinite(a: Float32Array, from: number, to: number): boolean {
  for (let e = from; e < to; e++) if (!Number.isFinite(a[e])) return false;
  return true;
}

export function trainComposedSaeGrid(p: SaeParams, options: ComposedSaeTrainOptions): TrainResult {
  const {
    steps,
    batch: B,
    beta2 = 0.999,
    ghostGrads = true,
    deadWindow = 400,
    ghostCooldown = 1000,
    engine = "fused",
    logEvery = Math.max(1, Math.floor(steps / 200)),
  } = options;
  const { instances: I, dSae: M } = p;
  const schedule = warmupCooldown(steps, options.warmupFrac ?? 0.1, options.cooldownFrac ?? 0.2);
  const grads = emptySaeParams(p);
  const adam = new InstanceAdam(saeTensors(p), I, { beta1: options.beta1, beta2, eps: 1e-8 });
  const state = reluL1State(p, ghostGrads);
  const stepsSinceFired = new Int32Array(I * M);
  const cooldown = new Int32Array(I * M);
  const active = new Uint8Array(I).fill(1);
  const divergedAt = new Int32Array(I).fill(-1);
  const lr = new Float64Array(I);
  const curves: CurvePoint[] = [];
  const hyper = { l1: options.l1 };

  for (let step = 0; step < steps; step++) {
    const batch: GridBatch = { x: [], batch: B, group: options.group };
    for (let g = 0; g < options.groups; g++) batch.x.push(options.sample(g));

    normaliseDecoderRows(p);
    for (let e = 0; e < I * M; e++) {
      state.dead[e] = stepsSinceFired[e] > deadWindow ? 1 : 0;
      cooldown[e] = state.dead[e] ? ghostCooldown : Math.max(0, cooldown[e] - 1);
      state.l1Scale[e] = ghostCooldown > 0 ? 1 - cooldown[e] / ghostCooldown : 1;
    }

    const out = engine === "fused" ? reluL1LossAndGrads(p, hyper, state, batch, grads) : tfjsStep(p, hyper, state, batch, grads);

    for (let e = 0; e < I * M; e++) stepsSinceFired[e] = out.fired[e] ? 0 : stepsSinceFired[e] + 1;
    for (let i = 0; i < I; i++) {
      if (!active[i]) continue;
      const ok =
        Number.isFinite(out.loss[i]) &&
        allFinite(grads.wEnc, i * p.dIn * M, (i + 1) * p.dIn * M) &&
        allFinite(grads.wDec, i * p.dIn * M, (i + 1) * p.dIn * M) &&
        allFinite(grads.bEnc, i * M, (i + 1) * M) &&
        allFinite(grads.bDec, i * p.dIn, (i + 1) * p.dIn);
      if (!ok) {
        active[i] = 0;
        divergedAt[i] = step;
      }
    }

    removeParallelDecoderGrad(p, grads.wDec);
    const factor = schedule(step);
    for (let i = 0; i < I; i++) lr[i] = options.lr[i] * factor;
    adam.step(saeTensors(grads), lr, active);

    if (step % logEvery === 0 || step === steps - 1) {
      for (let i = 0; i < I; i++) {
        let dead = 0;
        for (let j = 0; j < M; j++) dead += state.dead[i * M + j];
        curves.push({
          step,
          instance: i,
          loss: out.loss[i],
          reconstruction: out.reconstruction[i],
          sparsity: out.sparsity[i],
          auxiliary: out.auxiliary[i],
          lrFactor: factor,
          dead,
        });
      }
    }
    options.onStep?.(step, out);
  }
  // The original normalises decoder rows before each step; do it once more so the saved
  // decoder is what the next step (and the evaluation) would see.
  normaliseDecoderRows(p);
  return { curves, diverged: Uint8Array.from(active, (a) => 1 - a), divergedAt };
}

function tfjsStep(
  p: SaeParams,
  hyper: { l1: Float64Array },
  state: ReturnType<typeof reluL1State>,
  batch: GridBatch,
  grads: SaeParams,
): StepOutput {
  const out = emptyStepOutput(p);
  out.loss.set(tfjsLossAndGrads(p, batch, (t, x) => reluL1ReferenceLoss(tf, t, x, hyper, state), grads));
  for (let i = 0; i < p.instances; i++) {
    const acts = encodeReluL1(p, i, batch.x[batch.group[i]], batch.batch);
    for (let e = 0; e < acts.length; e++) if (acts[e] > FIRE_THRESHOLD) out.fired[i * p.dSae + (e % p.dSae)] = 1;
  }
  return out;
}
