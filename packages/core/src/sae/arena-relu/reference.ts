/**
 * ARENA's toy ReLU SAE loss in tfjs ops (the autodiff reference for `arena-relu/kernel.ts`;
 * reference arena-toy-models.md §2). x: [I, B, dIn]; returns loss_i [I].
 */
import type * as tfTypes from "@tensorflow/tfjs-core";
import type { SaeTensors } from "../types.ts";
import { ARENA_WEIGHT_NORMALIZE_EPS } from "./init.ts";
import type { ArenaReluHyper } from "./kernel.ts";

/** The decoder in effect: W_dec, or W_encᵀ when tied. */
export function arenaDecoderTensor(tf: typeof tfTypes, t: SaeTensors, tied: boolean): tfTypes.Tensor3D {
  return tied ? (tf.transpose(t.wEnc, [0, 2, 1]) as tfTypes.Tensor3D) : t.wDec;
}

/** (h − b_dec)·W_enc + b_enc: [I, B, dSae]. */
export function arenaPreActivations(tf: typeof tfTypes, t: SaeTensors, x: tfTypes.Tensor3D): tfTypes.Tensor3D {
  return tf.add(tf.matMul(tf.sub(x, tf.expandDims(t.bDec, 1)), t.wEnc), tf.expandDims(t.bEnc, 1)) as tfTypes.Tensor3D;
}

/** The loss's parts per instance (batch means): L_rec, coeff·L_sparsity, their sum, and the codes [I, B, dSae]. */
export interface ArenaReferenceParts {
  loss: tfTypes.Tensor1D;
  reconstruction: tfTypes.Tensor1D;
  sparsity: tfTypes.Tensor1D;
  auxiliary?: tfTypes.Tensor1D;
  codes: tfTypes.Tensor3D;
}

export function arenaReluReferenceParts(tf: typeof tfTypes, t: SaeTensors, x: tfTypes.Tensor3D, hyper: ArenaReluHyper): ArenaReferenceParts {
  const I = x.shape[0];
  const eps = hyper.eps ?? ARENA_WEIGHT_NORMALIZE_EPS;
  const acts = tf.relu(arenaPreActivations(tf, t, x));
  const wDec = arenaDecoderTensor(tf, t, hyper.tied);
  const wDecNormalised = tf.div(wDec, tf.add(tf.norm(wDec, 2, -1, true), eps));
  const xh = tf.add(tf.matMul(acts, wDecNormalised), tf.expandDims(t.bDec, 1));
  const rec = tf.mean(tf.square(tf.sub(xh, x)), -1); // [I, B]
  const sparsity = tf.sum(tf.abs(acts), -1); // [I, B]
  const coeff = tf.tensor2d(Float32Array.from(hyper.sparsityCoeff), [I, 1]);
  const weighted = tf.mul(coeff, sparsity);
  return {
    loss: tf.mean(tf.add(rec, weighted), 1) as tfTypes.Tensor1D,
    reconstruction: tf.mean(rec, 1) as tfTypes.Tensor1D,
    sparsity: tf.mean(weighted, 1) as tfTypes.Tensor1D,
    codes: acts as tfTypes.Tensor3D,
  };
}

export function arenaReluReferenceLoss(tf: typeof tfTypes, t: SaeTensors, x: tfTypes.Tensor3D, hyper: ArenaReluHyper): tfTypes.Tensor1D {
  return arenaReluReferenceParts(tf, t, x, hyper).loss;
}
