/**
 * The composed-feature ReLU/L1 SAE loss (see kernel.ts) in tfjs ops: the autodiff reference
 * that the fused kernel is tested against. x: [I, B, dIn]; every part is per instance.
 */
import type * as tfTypes from "@tensorflow/tfjs-core";
import type { ReferenceOutput } from "../architecture.ts";
import { stopGradient, type SaeTensors } from "../types.ts";
import type { ReluL1Hyper, ReluL1State } from "./kernel.ts";

export function reluL1Reference(tf: typeof tfTypes, t: SaeTensors, x: tfTypes.Tensor3D, hyper: ReluL1Hyper, state: ReluL1State): ReferenceOutput {
  const [I, , M] = t.wEnc.shape;
  const pre = tf.add(tf.matMul(x, t.wEnc), tf.expandDims(t.bEnc, 1)); // [I,B,M]
  const act = tf.relu(pre);
  const xh = tf.add(tf.matMul(act, t.wDec), tf.expandDims(t.bDec, 1)); // [I,B,D]
  const norm2Raw = tf.sum(tf.square(x), -1, true); // [I,B,1]
  const norm2 = tf.where(tf.equal(norm2Raw, 0), tf.onesLike(norm2Raw), norm2Raw);
  const xNorm = tf.sqrt(norm2);
  const fvu = tf.div(tf.sum(tf.square(tf.sub(xh, x)), -1, true), norm2); // [I,B,1]
  const scale = tf.tensor3d(state.l1Scale, [I, 1, M]);
  const lambda = tf.tensor3d(Float32Array.from(hyper.l1), [I, 1, 1]);
  const l1 = tf.mul(lambda, tf.sum(tf.abs(tf.mul(scale, act)), -1, true));
  let ghost: tfTypes.Tensor = tf.zerosLike(fvu);
  if (state.ghostGrads && state.dead.some((d) => d === 1)) {
    const deadMask = tf.tensor3d(Float32Array.from(state.dead), [I, 1, M]);
    const residual = tf.div(tf.sub(x, xh), xNorm);
    const ghostOut = tf.matMul(tf.mul(tf.exp(pre), deadMask), t.wDec);
    const s = stopGradient(tf, tf.div(tf.norm(residual, 2, -1, true), tf.add(1e-6, tf.mul(2, tf.norm(ghostOut, 2, -1, true)))));
    const ghostMse = tf.sum(tf.square(tf.sub(residual, tf.mul(ghostOut, s))), -1, true);
    const rescale = stopGradient(tf, tf.div(fvu, tf.add(1e-6, ghostMse)));
    const hasDead = tf.tensor3d(
      Float32Array.from({ length: I }, (_, i) => (state.dead.subarray(i * M, (i + 1) * M).some((d) => d === 1) ? 1 : 0)),
      [I, 1, 1],
    );
    ghost = tf.mul(hasDead, tf.mul(ghostMse, rescale));
  }
  const perInstance = (v: tfTypes.Tensor) => tf.mean(v, [1, 2]) as tfTypes.Tensor1D;
  return {
    loss: perInstance(tf.add(tf.add(fvu, l1), ghost)),
    reconstruction: perInstance(fvu),
    sparsity: perInstance(l1),
    auxiliary: perInstance(ghost),
    codes: act as tfTypes.Tensor3D,
  };
}
