/**
 * What the three registered ARENA toy SAEs share (`ToySAE` and its Gated and JumpReLU
 * subclasses, chapter 1.3.1; reference arena-toy-models.md §2): the `tied_weights` and
 * initialisation options, the one hyperparameter (`sparsity_coeff`), the after-step hook, the
 * L0 of the step output, and the tfjs detail that keeps a tied decoder differentiable.
 */
import type * as tfTypes from "@tensorflow/tfjs-core";
import { Type } from "@sinclair/typebox";
import { oneOf } from "../../schema/index.ts";
import type { SaeTensors } from "../types.ts";
import type { ArenaSaeInit } from "./init.ts";
import type { ArenaSaeStepOutput } from "./output.ts";

/** The per-instance hyperparameter of every ARENA toy SAE: `sparsity_coeff` (S; OLD `l1_coeff`). */
export const ARENA_HYPER = ["sparsityCoeff"] as const;

/** Options every ARENA toy SAE takes. */
export const arenaCommonOptions = {
  tied: Type.Boolean({ default: false, description: "tied_weights: W_dec = W_encᵀ (S default false; the JumpReLU demo ties)" }),
  init: oneOf(["kaiming", "xavier-old"], { default: "kaiming", description: "kaiming_uniform_ (S) or xavier_normal_ (OLD, ARENA 1.4)" }),
};

export interface ArenaCommonOptions {
  tied: boolean;
  init: ArenaSaeInit;
}

/** The kernels count frac_active but not L0: L0 per sample is Σ_j frac_active_j (|act| > 1e-8). */
export function withL0(out: ArenaSaeStepOutput): ArenaSaeStepOutput {
  const I = out.l0.length;
  const M = out.fracActive.length / I;
  for (let i = 0; i < I; i++) {
    let l0 = 0;
    for (let j = 0; j < M; j++) l0 += out.fracActive[i * M + j];
    out.l0[i] = l0;
  }
  return out;
}

/**
 * Tied, the loss does not read wDec (the decoder is W_encᵀ) and tfjs refuses to differentiate
 * with respect to an unused input: add 0·Σ W_dec, whose gradient is the 0 the fused kernels give.
 */
export function anchorTiedDecoder(tf: typeof tfTypes, loss: tfTypes.Tensor1D, t: SaeTensors, tied: boolean): tfTypes.Tensor1D {
  return tied ? (tf.add(loss, tf.mul(0, tf.sum(t.wDec))) as tfTypes.Tensor1D) : loss;
}
