/**
 * ARENA's toy Gated SAE loss in tfjs ops (the autodiff reference for `gated/kernel.ts`;
 * reference arena-toy-models.md §2). t.wEnc / t.bEnc hold W_gate / b_gate; rMag, bMag:
 * [I, dSae]; x: [I, B, dIn]. Returns loss_i [I].
 */
import type * as tfTypes from "@tensorflow/tfjs-core";
import { stopGradient, type SaeTensors } from "../types.ts";
import { arenaDecoderTensor, type ArenaReferenceParts } from "../arena-relu/reference.ts";
import type { GatedHyper } from "./kernel.ts";

export function gatedReferenceLoss(tf: typeof tfTypes, t: SaeTensors, rMag: tfTypes.Tensor2D, bMag: tfTypes.Tensor2D, x: tfTypes.Tensor3D, hyper: GatedHyper): tfTypes.Tensor1D {
  return gatedReferenceParts(tf, t, rMag, bMag, x, hyper).loss;
}

/** The loss's parts per instance (batch means): L_rec, coeff·L_sparsity, L_aux, their sum, and the codes. */
export function gatedReferenceParts(
  tf: typeof tfTypes,
  t: SaeTensors,
  rMag: tfTypes.Tensor2D,
  bMag: tfTypes.Tensor2D,
  x: tfTypes.Tensor3D,
  hyper: GatedHyper,
): ArenaReferenceParts {
  const I = x.shape[0];
  const hc = tf.sub(x, tf.expandDims(t.bDec, 1));
  const piGate = tf.add(tf.matMul(hc, t.wEnc), tf.expandDims(t.bEnc, 1)); // [I, B, M]
  // the indicator is a constant of the graph (a comparison has no gradient, in torch or tfjs)
  const open = tf.cast(tf.greater(stopGradient(tf, piGate), 0), "float32");
  const wMag = tf.mul(tf.expandDims(tf.exp(rMag), 1), t.wEnc); // exp(r_mag) ⊙ W_gate, per latent column
  const magnitude = tf.relu(tf.add(tf.matMul(hc, wMag), tf.expandDims(bMag, 1)));
  const acts = tf.mul(open, magnitude);
  const wDec = arenaDecoderTensor(tf, t, hyper.tied);
  const xh = tf.add(tf.matMul(acts, wDec), tf.expandDims(t.bDec, 1));
  const gatePost = tf.relu(piGate);
  const viaGate = tf.add(tf.matMul(gatePost, stopGradient(tf, wDec)), stopGradient(tf, tf.expandDims(t.bDec, 1)));
  const rec = tf.mean(tf.square(tf.sub(xh, x)), -1); // [I, B]
  const aux = tf.sum(tf.square(tf.sub(viaGate, x)), -1);
  const scaleByNorm = hyper.sparsityTimesDecoderNorm ?? !hyper.tied;
  const weightedGate = scaleByNorm ? tf.mul(gatePost, tf.expandDims(tf.norm(wDec, 2, -1), 1)) : gatePost;
  const sparsity = tf.sum(weightedGate, -1);
  const coeff = tf.tensor2d(Float32Array.from(hyper.sparsityCoeff), [I, 1]);
  const weighted = tf.mul(coeff, sparsity);
  return {
    loss: tf.mean(tf.add(tf.add(rec, weighted), aux), 1) as tfTypes.Tensor1D,
    reconstruction: tf.mean(rec, 1) as tfTypes.Tensor1D,
    sparsity: tf.mean(weighted, 1) as tfTypes.Tensor1D,
    auxiliary: tf.mean(aux, 1) as tfTypes.Tensor1D,
    codes: acts as tfTypes.Tensor3D,
  };
}
