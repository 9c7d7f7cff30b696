/**
 * SAELens `TopKTrainingSAE` loss in tfjs ops (reference §4.1; per-sample top-k, as
 * EleutherAI's sparsify): h = (x − b_dec)·W_enc + b_enc; each sample keeps its k largest
 * pre-activations, ReLU'd, the rest are 0; loss = mean_b ‖x̂ − x‖² + aux-k on dead latents
 * (the same aux-k as BatchTopK). The selection enters as a constant mask, which is the
 * gradient of the original's scatter.
 */
import type * as tfTypes from "@tensorflow/tfjs-core";
import type { ReferenceOutput } from "../architecture.ts";
import { auxKSizes } from "../batchtopk/kernel.ts";
import { stopGradient, type SaeTensors } from "../types.ts";

export function topKReference(tf: typeof tfTypes, t: SaeTensors, x: tfTypes.Tensor3D, k: Float64Array, auxCoefficient: number, dead: Uint8Array): ReferenceOutput {
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
    const kept = Math.min(M, Math.floor(k[i]));
    let mask: tfTypes.Tensor = tf.zeros([B, M]);
    if (kept > 0) mask = tf.sum(tf.oneHot(tf.topk(stopGradient(tf, h), kept).indices, M), 1);
    const a = tf.mul(tf.relu(h), mask);
    const xh = tf.add(tf.matMul(a, wDec), bDec);
    const mse = tf.mean(tf.sum(tf.square(tf.sub(xh, xi)), 1));
    let aux: tfTypes.Tensor = tf.scalar(0);
    const deadRow = dead.subarray(i * M, (i + 1) * M);
    const nDead = deadRow.reduce((s, d) => s + d, 0);
    if (nDead > 0) {
      const { kAux, scale } = auxKSizes(D, nDead);
      const isDead = tf.tensor2d(Float32Array.from(deadRow), [1, M]);
      const candidates = tf.where(tf.greater(isDead, 0), stopGradient(tf, h), tf.fill([B, M], Number.NEGATIVE_INFINITY));
      const auxMask = kAux > 0 ? tf.sum(tf.oneHot(tf.topk(candidates, kAux).indices, M), 1) : tf.zeros([B, M]);
      const residual = stopGradient(tf, tf.sub(xi, xh));
      const auxOut = tf.add(tf.matMul(tf.mul(h, auxMask), wDec), bDec);
      aux = tf.mul(auxCoefficient * scale, tf.mean(tf.sum(tf.square(tf.sub(auxOut, residual)), 1)));
    }
    losses.push(tf.add(mse, aux));
    mses.push(mse);
    auxes.push(aux);
    codes.push(a);
  }
  return {
    loss: tf.stack(losses) as tfTypes.Tensor1D,
    reconstruction: tf.stack(mses) as tfTypes.Tensor1D,
    auxiliary: tf.stack(auxes) as tfTypes.Tensor1D,
    codes: tf.stack(codes) as tfTypes.Tensor3D,
  };
}
