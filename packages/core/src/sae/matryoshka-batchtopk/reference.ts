/**
 * SAELens 6.18 `MatryoshkaBatchTopKTrainingSAE` loss (reference §4.1; see kernel.ts) in tfjs
 * ops: the project's BatchTopK reference loss plus the inner levels, which decode prefixes of
 * the same batch-top-k codes. The selection is made on detached values and enters as a
 * constant mask (the scatter's straight-through gradient), as in `batchTopKReference`.
 */
import type * as tfTypes from "@tensorflow/tfjs-core";
import { batchTopKCount, type BatchTopKState } from "../batchtopk/kernel.ts";
import { batchTopKReference } from "../batchtopk/reference.ts";
import { stopGradient, type SaeTensors } from "../types.ts";
import { resolveMatryoshkaWidths, type MatryoshkaBatchTopKHyper } from "./kernel.ts";

/** Per instance: BatchTopK loss + Σ_inner mean_b ‖a[:, :w]·W_dec[:w] + b_dec − x‖², x [I, B, dIn]. */
export function matryoshkaBatchTopKReferenceLoss(tf: typeof tfTypes, t: SaeTensors, x: tfTypes.Tensor3D, hyper: MatryoshkaBatchTopKHyper, state: BatchTopKState): tfTypes.Tensor1D {
  const [I, B, D] = x.shape;
  const M = t.bEnc.shape[1];
  const inner = resolveMatryoshkaWidths(hyper.widths, M).slice(0, -1);
  const base = batchTopKReference(tf, t, x, hyper, state).loss;
  if (inner.length === 0) return base;
  const extra: tfTypes.Tensor[] = [];
  for (let i = 0; i < I; i++) {
    const xi = tf.reshape(tf.slice(x, [i, 0, 0], [1, B, D]), [B, D]);
    const wEnc = tf.reshape(tf.slice(t.wEnc, [i, 0, 0], [1, D, M]), [D, M]);
    const wDec = tf.reshape(tf.slice(t.wDec, [i, 0, 0], [1, M, D]), [M, D]);
    const bEnc = tf.slice(t.bEnc, [i, 0], [1, M]);
    const bDec = tf.slice(t.bDec, [i, 0], [1, D]);
    const relu = tf.relu(tf.add(tf.matMul(tf.sub(xi, bDec), wEnc), bEnc)); // [B, M]
    const count = batchTopKCount(hyper.k[i], B, M);
    let mask: tfTypes.Tensor = tf.zeros([B, M]);
    if (count > 0) {
      const { indices } = tf.topk(tf.reshape(stopGradient(tf, relu), [B * M]), count);
      mask = tf.reshape(tf.scatterND(tf.reshape(indices, [count, 1]), tf.ones([count]), [B * M]), [B, M]);
    }
    const acts = tf.mul(relu, mask);
    let sum: tfTypes.Tensor = tf.scalar(0);
    for (const w of inner) {
      const partial = tf.add(tf.matMul(tf.slice(acts, [0, 0], [B, w]), tf.slice(wDec, [0, 0], [w, D])), bDec);
      sum = tf.add(sum, tf.mean(tf.sum(tf.square(tf.sub(partial, xi)), 1)));
    }
    extra.push(sum);
  }
  return tf.add(base, tf.stack(extra)) as tfTypes.Tensor1D;
}
