/**
 * The SAELens 5.10.2 standard SAE loss (reference §2.3; see kernel.ts) in tfjs ops: the
 * autodiff reference that the fused kernel is tested against, and a generic-engine loss.
 */
import type * as tfTypes from "@tensorflow/tfjs-core";
import type { SaeTensors } from "../types.ts";
import type { ReconstructionLoss, StandardSaeHyper } from "./kernel.ts";

export interface StandardForward {
  /** a = ReLU(h), [I, B, dSae]. */
  acts: tfTypes.Tensor3D;
  /** x̂ = a·W_dec + b_dec, [I, B, dIn]. */
  reconstruction: tfTypes.Tensor3D;
}

/** h = (x − b_dec·[apply])·W_enc + b_enc, a = ReLU(h), x̂ = a·W_dec + b_dec for x [I, B, dIn]. */
export function standardForward(tf: typeof tfTypes, t: SaeTensors, x: tfTypes.Tensor3D, applyBDecToInput: boolean): StandardForward {
  const bDec = tf.expandDims(t.bDec, 1); // [I, 1, dIn]
  const input = applyBDecToInput ? tf.sub(x, bDec) : x;
  const acts = tf.relu(tf.add(tf.matMul(input, t.wEnc), tf.expandDims(t.bEnc, 1))) as tfTypes.Tensor3D;
  const reconstruction = tf.add(tf.matMul(acts, t.wDec), bDec) as tfTypes.Tensor3D;
  return { acts, reconstruction };
}

/** Per instance mean_b ‖x̂ − x‖² ("MSE") or mean_b ‖x̂ − x‖ ("L2"), [I]. */
export function reconstructionLoss(tf: typeof tfTypes, xHat: tfTypes.Tensor3D, x: tfTypes.Tensor3D, kind: ReconstructionLoss): tfTypes.Tensor1D {
  const diff = tf.sub(xHat, x);
  const perSample = kind === "MSE" ? tf.sum(tf.square(diff), 2) : tf.norm(diff, "euclidean", 2);
  return tf.mean(perSample, 1) as tfTypes.Tensor1D;
}

/**
 * Per instance mean_b Σ_{start ≤ j < end} |a_j|·w_j, w_j = ‖W_dec,j‖ when `scaled` else 1,
 * [I]. The norm is differentiated (SAELens multiplies by `W_dec.norm(dim=1)`).
 */
export function l1Penalty(tf: typeof tfTypes, acts: tfTypes.Tensor3D, wDec: tfTypes.Tensor3D, scaled: boolean, start = 0, end?: number): tfTypes.Tensor1D {
  const [I, B, M] = acts.shape;
  const stop = end ?? M;
  let weighted: tfTypes.Tensor = tf.slice(acts, [0, 0, start], [I, B, stop - start]);
  if (scaled) {
    const norms = tf.norm(tf.slice(wDec, [0, start, 0], [I, stop - start, wDec.shape[2]]), "euclidean", 2); // [I, width]
    weighted = tf.mul(weighted, tf.expandDims(norms, 1));
  }
  return tf.mean(tf.sum(tf.abs(weighted), 2), 1) as tfTypes.Tensor1D;
}

/** The standard SAE loss per instance: reconstruction + λ·L1, x [I, B, dIn]. */
export function standardSaeReferenceLoss(tf: typeof tfTypes, t: SaeTensors, x: tfTypes.Tensor3D, hyper: StandardSaeHyper): tfTypes.Tensor1D {
  const { reconstructionLoss: kind, scaleSparsityByDecoderNorm, applyBDecToInput } = hyper.options;
  const { acts, reconstruction } = standardForward(tf, t, x, applyBDecToInput);
  const lambda = tf.tensor1d(Float32Array.from(hyper.l1), "float32");
  return tf.add(reconstructionLoss(tf, reconstruction, x, kind), tf.mul(lambda, l1Penalty(tf, acts, t.wDec, scaleSparsityByDecoderNorm))) as tfTypes.Tensor1D;
}
