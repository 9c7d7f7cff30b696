/**
 * The one interface every SAE architecture implements (after SAELens `sae_lens/saes/`: one
 * folder per architecture with its options, and one architecture-agnostic trainer).
 *
 * An architecture is data plus functions:
 * - `options`: a TypeBox object schema whose every field has a default (validated and filled
 *   by `resolveArchitectureOptions`; configs name the architecture and may set options);
 * - `hyper`: the per-instance hyperparameters its loss reads (λ, k, the L0 coefficient), which
 *   the trainer passes each step after their schedules;
 * - `params`: its named tensors (`STANDARD_PARAMS` plus any extra, e.g. a log threshold), which
 *   are initialised, optimised, clipped, saved and loaded alike;
 * - `referenceLoss`: the loss in tfjs ops — the autodiff reference, and all an architecture
 *   needs to train (the `tfjs` engine);
 * - `fused` (optional): a hand-written forward/backward that a test holds to `referenceLoss`;
 * - `hooks` (optional): what the original does around the optimiser step.
 *
 * The registry (`registry.ts`) maps names to architectures; `docs/ARCHITECTURE.md` says how to
 * add one.
 */
import type * as tfTypes from "@tensorflow/tfjs-core";
import type { TObject } from "@sinclair/typebox";
import type { Rng } from "../random.ts";
import type { GridBatch, ParamSpec, SaeParams, SaeShape, SaeTensors, StepOutput } from "./types.ts";

/** What every per-step function of an architecture is given. */
export interface StepContext<O, S> {
  step: number;
  options: O;
  state: S;
  /** This step's value of each hyperparameter, per instance (after its schedule). */
  hyper: Readonly<Record<string, Float64Array>>;
  /** [I, dSae]: 1 where the latent has not fired for more than the trainer's dead window. */
  dead: Uint8Array;
  /** [I]: 1 while the instance trains, 0 once it is frozen (diverged). */
  active: Uint8Array;
}

/** The reference forward pass: per-instance loss and its parts, and the codes [I, B, dSae]. */
export interface ReferenceOutput {
  loss: tfTypes.Tensor1D;
  reconstruction: tfTypes.Tensor1D;
  sparsity?: tfTypes.Tensor1D;
  auxiliary?: tfTypes.Tensor1D;
  codes: tfTypes.Tensor3D;
}

/** Step hooks, in the order the trainer calls them (see `train/trainer.ts`). */
export interface ArchitectureHooks<O, S> {
  /** Before the forward pass (decoder renormalisation, ghost-grad cooldown). */
  beforeStep?(p: SaeParams, ctx: StepContext<O, S>): void;
  /** After the forward/backward pass, before instances are frozen (the top-k θ EMA). */
  afterForward?(p: SaeParams, out: StepOutput, ctx: StepContext<O, S>): void;
  /** On the gradients, before clipping and the optimiser (parallel-gradient removal). */
  editGradients?(p: SaeParams, grads: SaeParams, ctx: StepContext<O, S>): void;
  /** After the optimiser step (decoder rows set back to unit norm). */
  afterStep?(p: SaeParams, ctx: StepContext<O, S>): void;
  /** Once after the last step. */
  finish?(p: SaeParams, ctx: StepContext<O, S>): void;
  /**
   * Dead-latent resampling rewrote these latents: reset what else the architecture keeps per
   * latent (a threshold, a gate bias). The standard tensors are reset by the resampler.
   */
  resetLatents?(p: SaeParams, instance: number, latents: readonly number[], options: O): void;
}

export interface Architecture<O extends object = object, S = unknown> {
  /** Registry name, e.g. "batchtopk". */
  name: string;
  /** One sentence: what it is and which original code it reproduces. */
  description: string;
  options: TObject;
  /** Hyperparameters given per instance, in the order configs list them. */
  hyper: readonly string[];
  params: readonly ParamSpec[];
  /** A latent fires in a batch when one of its codes exceeds this (dead-latent tracking). */
  fireThreshold: number;
  /** Initial parameters; one Rng per instance, so adding instances never changes the others. */
  init(shape: SaeShape, options: O, rngs: readonly Rng[]): SaeParams;
  createState(shape: SaeShape, options: O): S;
  /** Codes of one instance for an evaluation batch x [n, dIn] → [n, dSae]; `hyper` holds its values. */
  encode(p: SaeParams, instance: number, x: ArrayLike<number>, n: number, options: O, hyper: Readonly<Record<string, number>>): Float32Array;
  /** Reconstruction from codes [n, dSae] → [n, dIn]; without it x̂ = a·W_dec + b_dec. */
  decode?(p: SaeParams, instance: number, codes: ArrayLike<number>, n: number, options: O): Float32Array;
  referenceLoss(tf: typeof tfTypes, t: SaeTensors, x: tfTypes.Tensor3D, ctx: StepContext<O, S>): ReferenceOutput;
  /** Fused forward + backward of every instance; overwrites `grads`. */
  fused?(p: SaeParams, grads: SaeParams, batch: GridBatch, ctx: StepContext<O, S>): StepOutput;
  hooks?: ArchitectureHooks<O, S>;
  /** Per-instance values to save beside the weights (e.g. the BatchTopK θ), by snake_case column name. */
  summary?(state: S, shape: SaeShape): Record<string, Float64Array>;
  /** True when W_dec = W_encᵀ under these options: dead-latent resampling then writes through the tie, as ARENA does. */
  tiedWeights?(options: O): boolean;
  /**
   * Each sample's reconstruction loss [I, B] under the current weights (what advanced resampling
   * samples by). Without it the trainer uses the mean over dIn of (decode(encode(x)) − x)².
   */
  reconstructionPerSample?(p: SaeParams, batch: GridBatch, ctx: StepContext<O, S>): Float64Array;
}

/** Any registered architecture (method parameters are bivariant, so every `Architecture<O, S>` is one). */
export type AnyArchitecture = Architecture<object, unknown>;
