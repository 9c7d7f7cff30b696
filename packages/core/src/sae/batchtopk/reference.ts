/**
 * The SAELens 6.11.1 BatchTopK loss (see kernel.ts) in tfjs ops: the autodiff reference the
 * fused kernel is tested against.
 */
import type * as tfTypes from "@tensorflow/tfjs-core";
import type { ReferenceOutput } from "../architecture.ts";
import { stopGradient, type SaeTensors } from "../types.ts";
import { auxKSizes, batchTopKCount, type BatchTopKHyper, type BatchTopKState } from "./kernel.ts";

/**
 * The same loss in tfjs ops (autodiff reference). x: [I, B, dIn]; returns the loss per
 * instance. The top-k selections are computed on detached values and enter as constant
 * masks, which is exactly the scatter's straight-through gradient.
 */
export function batchTopKReference(tf: typeof tfTypes, t: SaeTensors, x: tfTypes.Tensor3D, hyper: BatchTopKHyper, state: BatchTopKState): ReferenceOutput {
  const [I, B, D] = x.shape;
  const M = t.bEnc.shape[1];
  const losses: tfTypes.Tensor[] = [];
  const mses: tfTypes.Tensor[] = [];
  const auxes: tfTypes.Tensor[] = [];
  const codes: tfTypes.Tensor[] = [];
  for (let i = 0; i < I; i++) {
    const xi = tf.reshape(tf.slice(x, [i, 0, 0], [1, B, D]), [B, D]);
    const wEnc = tf.reshape(tf.slice(t.wEnc, [i, 0, 0], [1, D, M]), [D, M]);
    const wDec = tf.reshape(tf.slice(t.wDec, [i, 0, 0], [1, M, D]), [M, D]);
    const bEnc = tf.slice(t.bEnc, [i, 0], [1, M]);
    const bDec = tf.slice(t.bDec, [i, 0], [1, D]);
    const h = tf.add(tf.matMul(tf.sub(xi, bDec), wEnc), bEnc); // [B, M]
    const relu = tf.relu(h);
    const count = batchTopKCount(hyper.k[i], B, M);
    let mask: tfTypes.Tensor = tf.zeros([B, M]);
    if (count > 0) {
      const { indices } = tf.topk(tf.reshape(stopGradient(tf, relu), [B * M]), count);
      mask = tf.reshape(tf.scatterND(tf.reshape(indices, [count, 1]), tf.ones([count]), [B * M]), [B, M]);
    }
    const kept = tf.mul(relu, mask);
    const xh = tf.add(tf.matMul(kept, wDec), bDec);
    const mse = tf.mean(tf.sum(tf.square(tf.sub(xh, xi)), 1));
    let aux: tfTypes.Tensor = tf.scalar(0);

    const dead = state.dead.subarray(i * M, (i + 1) * M);
    const nDead = dead.reduce((s, d) => s + d, 0);
    if (nDead > 0) {
      const { kAux, scale } = auxKSizes(D, nDead);
      const deadRow = tf.tensor2d(Float32Array.from(dead), [1, M]);
      const candidates = tf.where(tf.greater(deadRow, 0), stopGradient(tf, h), tf.fill([B, M], Number.NEGATIVE_INFINITY));
      let auxMask: tfTypes.Tensor = tf.zeros([B, M]);
      if (kAux > 0) {
        const { indices } = tf.topk(candidates, kAux);
        auxMask = tf.sum(tf.oneHot(indices, M), 1); // [B, M]
      }
      const residual = stopGradient(tf, tf.sub(xi, xh));
      const auxOut = tf.add(tf.matMul(tf.mul(h, auxMask), wDec), bDec);
      aux = tf.mul(hyper.auxCoefficient * scale, tf.mean(tf.sum(tf.square(tf.sub(auxOut, residual)), 1)));
    }
    losses.push(tf.add(mse, aux));
    mses.push(mse);
    auxes.push(aux);
    codes.push(kept);
  }
  return {
    loss: tf.stack(losses) as tfTypes.Tensor1D,
    reconstruction: tf.stack(mses) as tfTypes.Tensor1D,
    auxiliary: tf.stack(auxes) as tfTypes.Tensor1D,
    codes: tf.stack(codes) as tfTypes.Tensor3D,
  };
}
