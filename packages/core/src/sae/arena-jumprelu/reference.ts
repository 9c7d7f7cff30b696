/**
 * ARENA's toy JumpReLU SAE loss in tfjs ops (the autodiff reference for
 * `arena-jumprelu/kernel.ts`; reference arena-toy-models.md §2). The step functions get the
 * original's straight-through gradients through tf.customGrad (as `jumpReluOp` of
 * `../jumprelu.ts` does for the SAELens variant): with K(u) = 1[|u| < ½],
 *   JumpReLU(z, θ) = z·1[z > θ]:  ∂/∂z = 1[z > θ],  ∂/∂θ = −(θ/ε)·K((z − θ)/ε)
 *   Heaviside(z, θ) = 1[z > θ]:   ∂/∂z = 0,         ∂/∂θ = −(1/ε)·K((z − θ)/ε)
 * z is [I, B, M] and θ [I, 1, M]; θ's gradient is summed over the batch axis.
 */
import type * as tfTypes from "@tensorflow/tfjs-core";
import type { SaeTensors } from "../types.ts";
import { arenaDecoderTensor, arenaPreActivations, type ArenaReferenceParts } from "../arena-relu/reference.ts";
import { ARENA_STE_EPSILON, type ArenaJumpReluHyper } from "./kernel.ts";

type StepOp = (z: tfTypes.Tensor, theta: tfTypes.Tensor) => tfTypes.Tensor;

/** K((z − θ)/ε) as a float tensor. */
function rectangleWindow(tf: typeof tfTypes, z: tfTypes.Tensor, theta: tfTypes.Tensor, eps: number): tfTypes.Tensor {
  return tf.cast(tf.less(tf.abs(tf.div(tf.sub(z, theta), eps)), 0.5), "float32");
}

/** A step op with value `value(z, θ)` and the straight-through gradients `dz`, `dθ` (per element, before the batch sum). */
function stepOp(
  tf: typeof tfTypes,
  value: (z: tfTypes.Tensor, theta: tfTypes.Tensor) => tfTypes.Tensor,
  dz: (z: tfTypes.Tensor, theta: tfTypes.Tensor, dy: tfTypes.Tensor) => tfTypes.Tensor,
  dTheta: (z: tfTypes.Tensor, theta: tfTypes.Tensor, dy: tfTypes.Tensor) => tfTypes.Tensor,
): StepOp {
  const op = tf.customGrad((...args: (tfTypes.Tensor | tfTypes.GradSaveFunc)[]) => {
    const z = args[0] as tfTypes.Tensor;
    const theta = args[1] as tfTypes.Tensor;
    (args[2] as tfTypes.GradSaveFunc)([z, theta]);
    return {
      value: value(z, theta),
      gradFunc: (dy: tfTypes.Tensor, saved: tfTypes.Tensor[]) => {
        const [zs, ts] = saved;
        return [dz(zs, ts, dy), tf.sum(dTheta(zs, ts, dy), 1, true)];
      },
    };
  });
  return (z, theta) => op(z, theta);
}

export function arenaJumpReluOp(tf: typeof tfTypes, eps: number): StepOp {
  const open = (z: tfTypes.Tensor, theta: tfTypes.Tensor) => tf.cast(tf.greater(z, theta), "float32");
  return stepOp(
    tf,
    (z, theta) => tf.mul(z, open(z, theta)),
    (z, theta, dy) => tf.mul(open(z, theta), dy),
    (z, theta, dy) => tf.mul(tf.mul(tf.neg(tf.div(theta, eps)), rectangleWindow(tf, z, theta, eps)), dy),
  );
}

export function arenaHeavisideOp(tf: typeof tfTypes, eps: number): StepOp {
  return stepOp(
    tf,
    (z, theta) => tf.cast(tf.greater(z, theta), "float32"),
    (z) => tf.zerosLike(z),
    (z, theta, dy) => tf.mul(tf.mul(-1 / eps, rectangleWindow(tf, z, theta, eps)), dy),
  );
}

/** x: [I, B, dIn], logTheta: [I, dSae]; returns loss_i [I]. */
export function arenaJumpReluReferenceLoss(tf: typeof tfTypes, t: SaeTensors, logTheta: tfTypes.Tensor2D, x: tfTypes.Tensor3D, hyper: ArenaJumpReluHyper): tfTypes.Tensor1D {
  return arenaJumpReluReferenceParts(tf, t, logTheta, x, hyper).loss;
}

/** The loss's parts per instance (batch means): L_rec, coeff·L0, their sum, and the codes. */
export function arenaJumpReluReferenceParts(tf: typeof tfTypes, t: SaeTensors, logTheta: tfTypes.Tensor2D, x: tfTypes.Tensor3D, hyper: ArenaJumpReluHyper): ArenaReferenceParts {
  const I = x.shape[0];
  const eps = hyper.steEpsilon ?? ARENA_STE_EPSILON;
  const z = tf.relu(arenaPreActivations(tf, t, x));
  const theta = tf.expandDims(tf.exp(logTheta), 1); // [I, 1, M]
  const acts = arenaJumpReluOp(tf, eps)(z, theta);
  const xh = tf.add(tf.matMul(acts, arenaDecoderTensor(tf, t, hyper.tied)), tf.expandDims(t.bDec, 1));
  const rec = tf.mean(tf.square(tf.sub(xh, x)), -1); // [I, B]
  const l0 = tf.sum(arenaHeavisideOp(tf, eps)(z, theta), -1);
  const coeff = tf.tensor2d(Float32Array.from(hyper.sparsityCoeff), [I, 1]);
  const weighted = tf.mul(coeff, l0);
  return {
    loss: tf.mean(tf.add(rec, weighted), 1) as tfTypes.Tensor1D,
    reconstruction: tf.mean(rec, 1) as tfTypes.Tensor1D,
    sparsity: tf.mean(weighted, 1) as tfTypes.Tensor1D,
    codes: acts as tfTypes.Tensor3D,
  };
}
