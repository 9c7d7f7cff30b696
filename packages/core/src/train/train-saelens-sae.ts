/**
 * The SAELens 6.11.1 `SAETrainer` as Sparse-but-Wrong runs it (§1.3), for a whole grid of
 * BatchTopK or JumpReLU SAEs at once. Each step, for every instance:
 *   dead mask (no activation > 0 for more than `deadWindow` steps; feeds aux-k)
 *   → fresh batch (× the input scale when normalising) → this step's k / L0 coefficient
 *   → forward/backward → firing counters and the top-k threshold EMA
 *   → freeze an instance whose loss or gradient is not finite
 *   → clip the instance's gradient norm to 1 → Adam (constant lr, β .9/.999).
 * No decoder normalisation or gradient projection (6.11.1 has none for these SAEs).
 * With input normalisation the scale is folded into the weights at the end.
 *
 * Total steps in the original: ceil(training_samples / batch) (`saeLensSteps`).
 */
import * as tf from "@tensorflow/tfjs-core";
import {
  TOPK_THRESHOLD_LR,
  batchTopKLossAndGrads,
  batchTopKReferenceLoss,
  batchTopKState,
  encodeBatchTopK,
  updateTopKThreshold,
  type BatchTopKHyper,
  type BatchTopKState,
} from "../sae/batchtopk/kernel.ts";
import {
  JUMPRELU_BANDWIDTH,
  JUMPRELU_TANH_SCALE,
  encodeJumpRelu,
  jumpReluLossAndGrads,
  jumpReluReferenceLoss,
  l0WarmUpFactor,
  type JumpReluHyper,
} from "../sae/jumprelu/kernel.ts";
import { saeDecode } from "../sae/shared/saelens-base.ts";
import { emptySaeParams, emptyStepOutput, saeTensors, type GridBatch, type SaeParams, type StepOutput } from "../sae/types.ts";
import { InstanceAdam } from "./adam.ts";
import { clipGradNormPerInstance } from "./clip.ts";
import { estimateInputScale, foldInputScale } from "./input-normalisation.ts";
import { kAtStep, type KTransition } from "./k-schedule.ts";
import { tfjsLossAndGrads } from "./tfjs-engine.ts";
import { tfjsLossAndGradsWithExtra } from "./tfjs-engine-extra.ts";
import type { GradientEngine } from "./train-composed-sae.ts";

export interface BatchTopKArchitecture {
  kind: "batchtopk";
  /** Target k per instance (fractional allowed). */
  k: Float64Array;
  /** Per instance, an optional k transition (`EnchancedBatchTopKTrainingSAE`). */
  kTransition?: ReadonlyArray<KTransition | undefined>;
  auxCoefficient?: number;
  thresholdLr?: number;
}

export interface JumpReluArchitecture {
  kind: "jumprelu";
  /** [I, dSae], trained in place beside the SAE parameters. */
  logThreshold: Float32Array;
  /** Final L0 coefficient per instance (reached after the warm-up). */
  l0Coefficient: Float64Array;
  bandwidth?: number;
  tanhScale?: number;
  /** Linear warm-up of the L0 coefficient from 0 (notebook: 10,000). */
  l0WarmUpSteps?: number;
}

export type SaeLensArchitecture = BatchTopKArchitecture | JumpReluArchitecture;

export interface SaeLensTrainOptions {
  architecture: SaeLensArchitecture;
  steps: number;
  batch: number;
  /** Constant learning rate per instance (original 3e-4). */
  lr: Float64Array;
  /** Per instance; SAELens default 0.9. */
  beta1?: Float64Array;
  beta2?: number;
  /** Per-instance gradient-norm clip (original 1.0). */
  maxGradNorm?: number;
  /** Steps without firing after which a latent is dead (original 1000). */
  deadWindow?: number;
  /** `expected_average_only_in`: estimate s over this many batches per data group. */
  normalizeInputs?: { batches: number };
  engine?: GradientEngine;
  /** instance → data group. */
  group: Int32Array;
  groups: number;
  /** A fresh [batch, dIn] batch of the SAE's input for data group g. */
  sample: (group: number) => Float32Array;
  logEvery?: number;
  onStep?: (step: number, out: SaeLensStepOutput) => void;
}

export interface SaeLensStepOutput extends StepOutput {
  l0: Float64Array;
}

export interface SaeLensCurvePoint {
  step: number;
  instance: number;
  loss: number;
  mse: number;
  sparsity: number;
  auxiliary: number;
  /** Mean active latents per sample in this batch. */
  l0: number;
  /** BatchTopK: the k of this step; JumpReLU: the L0 coefficient after warm-up. */
  k: number;
  dead: number;
  /** Gradient norm before clipping. */
  gradNorm: number;
}

export interface SaeLensTrainResult {
  curves: SaeLensCurvePoint[];
  diverged: Uint8Array;
  /** Step at which each diverged instance was frozen (−1 if never). */
  divergedAt: Int32Array;
  /** The input scale folded into each instance (1 without normalisation). */
  inputScale: Float64Array;
  /** BatchTopK θ per instance (Float64 EMA); zeros for JumpReLU. */
  topkThreshold: Float64Array;
  /** The k each BatchTopK instance holds after training (int(k(steps)) with a transition); NaN for JumpReLU. */
  finalK: Float64Array;
}

/** ceil(trainingSamples / batch): the number of steps SAETrainer runs. */
export function saeLensSteps(trainingSamples: number, batch: number): number {
  return Math.ceil(trainingSamples / batch);
}

function allFinite(a: Float32Array, from: number, to: number): boolean {
  for (let e = from; e < to; e++) if (!Number.isFinite(a[e])) return false;
  return true;
}

export function trainSaeLensGrid(p: SaeParams, options: SaeLensTrainOptions): SaeLensTrainResult {
  const { steps, batch: B, beta2 = 0.999, maxGradNorm = 1.0, deadWindow = 1000, engine = "fused" } = options;
  const logEvery = options.logEvery ?? Math.max(1, Math.floor(steps / 200));
  const arch = options.architecture;
  const { instances: I, dSae: M } = p;

  // parameters and their gradients, in the same order for Adam and the clip
  const grads = emptySaeParams(p);
  const params = saeTensors(p);
  const gradList = saeTensors(grads);
  const gradLogThreshold = arch.kind === "jumprelu" ? new Float32Array(arch.logThreshold.length) : null;
  if (arch.kind === "jumprelu" && gradLogThreshold) {
    params.push(arch.logThreshold);
    gradList.push(gradLogThreshold);
  }
  const beta1 = options.beta1 ?? new Float64Array(I).fill(0.9);
  const adam = new InstanceAdam(params, I, { beta1, beta2, eps: 1e-8 });

  const groupScale = new Float64Array(options.groups).fill(1);
  if (options.normalizeInputs) {
    for (let g = 0; g < options.groups; g++) {
      groupScale[g] = estimateInputScale(() => options.sample(g), p.dIn, options.normalizeInputs.batches);
    }
  }
  const inputScale = Float64Array.from(options.group, (g) => groupScale[g]);

  const topk: BatchTopKState = batchTopKState(p);
  const topkThreshold = new Float64Array(I);
  const stepsSinceFired = new Int32Array(I * M);
  const active = new Uint8Array(I).fill(1);
  const divergedAt = new Int32Array(I).fill(-1);
  const stepHyper = new Float64Array(I); // k, or the warmed-up L0 coefficient
  const curves: SaeLensCurvePoint[] = [];

  for (let step = 0; step < steps; step++) {
    // dead latents, from the counters as they stand before this step's forward pass
    for (let e = 0; e < I * M; e++) topk.dead[e] = stepsSinceFired[e] > deadWindow ? 1 : 0;

    const batch: GridBatch = { x: [], batch: B, group: options.group };
    for (let g = 0; g < options.groups; g++) batch.x.push(scaled(options.sample(g), groupScale[g]));

    // forward + backward with this step's k (BatchTopK) or L0 coefficient (JumpReLU)
    let out: SaeLensStepOutput & { minPositive?: Float64Array };
    if (arch.kind === "batchtopk") {
      for (let i = 0; i < I; i++) stepHyper[i] = kAtStep(arch.k[i], step, arch.kTransition?.[i]);
      const hyper: BatchTopKHyper = { k: stepHyper, auxCoefficient: arch.auxCoefficient ?? 1 };
      out = engine === "fused" ? batchTopKLossAndGrads(p, hyper, topk, batch, grads) : tfjsBatchTopKStep(p, hyper, topk, batch, grads);
    } else {
      for (let i = 0; i < I; i++) stepHyper[i] = arch.l0Coefficient[i] * l0WarmUpFactor(step, arch.l0WarmUpSteps ?? 0);
      const hyper: JumpReluHyper = {
        l0Coefficient: stepHyper,
        bandwidth: arch.bandwidth ?? JUMPRELU_BANDWIDTH,
        tanhScale: arch.tanhScale ?? JUMPRELU_TANH_SCALE,
      };
      const gT = gradLogThreshold ?? new Float32Array(0);
      out =
        engine === "fused"
          ? jumpReluLossAndGrads(p, arch.logThreshold, hyper, batch, grads, gT)
          : tfjsJumpReluStep(p, arch.logThreshold, hyper, batch, grads, gT);
    }

    // bookkeeping of the forward pass: firing counters, the top-k threshold EMA
    for (let e = 0; e < I * M; e++) stepsSinceFired[e] = out.fired[e] ? 0 : stepsSinceFired[e] + 1;
    if (arch.kind === "batchtopk" && out.minPositive) {
      updateTopKThreshold(topkThreshold, out.minPositive, arch.thresholdLr ?? TOPK_THRESHOLD_LR, active);
    }

    // freeze instances whose loss or gradient is not finite
    for (let i = 0; i < I; i++) {
      if (!active[i]) continue;
      let ok = Number.isFinite(out.loss[i]);
      for (const g of gradList) ok = ok && allFinite(g, (i * g.length) / I, ((i + 1) * g.length) / I);
      if (!ok) {
        active[i] = 0;
        divergedAt[i] = step;
      }
    }

    // each instance is its own SAE: clip its own gradient norm, then Adam
    const gradNorm = clipGradNormPerInstance(gradList, I, maxGradNorm, active);
    adam.step(gradList, options.lr, active);

    if (step % logEvery === 0 || step === steps - 1) {
      for (let i = 0; i < I; i++) {
        let dead = 0;
        for (let j = 0; j < M; j++) dead += topk.dead[i * M + j];
        curves.push({
          step,
          instance: i,
          loss: out.loss[i],
          mse: out.reconstruction[i],
          sparsity: out.sparsity[i],
          auxiliary: out.auxiliary[i],
          l0: out.l0[i],
          k: stepHyper[i],
          dead,
          gradNorm: gradNorm[i],
        });
      }
    }
    options.onStep?.(step, out);
  }

  if (options.normalizeInputs) foldInputScale(p, inputScale);
  const finalK = new Float64Array(I).fill(NaN);
  if (arch.kind === "batchtopk") for (let i = 0; i < I; i++) finalK[i] = kAtStep(arch.k[i], steps, arch.kTransition?.[i]);
  return { curves, diverged: Uint8Array.from(active, (a) => 1 - a), divergedAt, inputScale, topkThreshold, finalK };
}

function scaled(x: Float32Array, s: number): Float32Array {
  if (s === 1) return x;
  const out = new Float32Array(x.length);
  for (let e = 0; e < x.length; e++) out[e] = x[e] * s;
  return out;
}

/** Mean over the batch of ‖x̂ − x‖² for codes `acts` of one instance. */
function mseOf(p: SaeParams, instance: number, acts: Float32Array, x: Float32Array, B: number): number {
  const xh = saeDecode(p, instance, acts, B);
  let sum = 0;
  for (let e = 0; e < B * p.dIn; e++) sum += (xh[e] - x[e]) ** 2;
  return sum / B;
}

/** The tfjs-autodiff step; the loss parts are recovered from a forward pass of the codes. */
function tfjsBatchTopKStep(
  p: SaeParams,
  hyper: BatchTopKHyper,
  state: BatchTopKState,
  batch: GridBatch,
  grads: SaeParams,
): SaeLensStepOutput & { minPositive: Float64Array } {
  const I = p.instances;
  const M = p.dSae;
  const out = { ...emptyStepOutput(p), l0: new Float64Array(I), minPositive: new Float64Array(I).fill(NaN) };
  out.loss.set(tfjsLossAndGrads(p, batch, (t, x) => batchTopKReferenceLoss(tf, t, x, hyper, state), grads));
  for (let i = 0; i < I; i++) {
    const x = batch.x[batch.group[i]];
    const acts = encodeBatchTopK(p, i, x, batch.batch, hyper.k[i]);
    let active = 0;
    let min = Number.POSITIVE_INFINITY;
    for (let e = 0; e < acts.length; e++) {
      if (acts[e] <= 0) continue;
      active++;
      if (acts[e] < min) min = acts[e];
      out.fired[i * M + (e % M)] = 1;
    }
    out.l0[i] = active / batch.batch;
    if (active > 0) out.minPositive[i] = min;
    out.reconstruction[i] = mseOf(p, i, acts, x, batch.batch);
    out.auxiliary[i] = out.loss[i] - out.reconstruction[i];
  }
  return out;
}

function tfjsJumpReluStep(
  p: SaeParams,
  logThreshold: Float32Array,
  hyper: JumpReluHyper,
  batch: GridBatch,
  grads: SaeParams,
  gradLogThreshold: Float32Array,
): SaeLensStepOutput {
  const I = p.instances;
  const M = p.dSae;
  const out = { ...emptyStepOutput(p), l0: new Float64Array(I) };
  const losses = tfjsLossAndGradsWithExtra(
    p,
    { values: logThreshold, shape: [I, M] },
    batch,
    (t, lt, x) => jumpReluReferenceLoss(tf, t, lt as tf.Tensor2D, x, hyper),
    grads,
    gradLogThreshold,
  );
  out.loss.set(losses);
  for (let i = 0; i < I; i++) {
    const x = batch.x[batch.group[i]];
    const acts = encodeJumpRelu(p, logThreshold, i, x, batch.batch);
    let active = 0;
    for (let e = 0; e < acts.length; e++) {
      if (acts[e] === 0) continue;
      active++;
      out.fired[i * M + (e % M)] = 1;
    }
    out.l0[i] = active / batch.batch;
    out.reconstruction[i] = mseOf(p, i, acts, x, batch.batch);
    out.sparsity[i] = out.loss[i] - out.reconstruction[i];
  }
  return out;
}
