/**
 * tfjs autodiff gradients for an architecture with one parameter beyond SaeParams (the
 * JumpReLU log threshold [I, dSae]): the generic engine of `tfjs-engine.ts` with a fifth
 * differentiated tensor.
 */
import * as tf from "@tensorflow/tfjs-core";
// tfjs-core ships its gradient functions separately; the @tensorflow/tfjs bundle registers them
// (its node build shares our tfjs-core instance). The deep import of
// "@tensorflow/tfjs-core/dist/register_all_gradients" is ESM with directory imports, which
// Node's own loader rejects, so any stage CLI importing this file would fail to start.
import "@tensorflow/tfjs";
import { batchTensor, toTensors, type GridBatch, type SaeParams, type SaeTensors } from "../sae/types.ts";

export interface ExtraParam {
  values: Float32Array;
  shape: number[];
}

export type ReferenceLossWithExtra = (t: SaeTensors, extra: tf.Tensor, x: tf.Tensor3D) => tf.Tensor1D;

/** Per-instance loss; gradients are written into `grads` and `extraGrad`. */
export function tfjsLossAndGradsWithExtra(
  p: SaeParams,
  extra: ExtraParam,
  batch: GridBatch,
  loss: ReferenceLossWithExtra,
  grads: SaeParams,
  extraGrad: Float32Array,
): Float64Array {
  let losses = new Float64Array(p.instances);
  tf.tidy(() => {
    const t = toTensors(tf, p);
    const e = tf.tensor(extra.values, extra.shape, "float32");
    const x = batchTensor(tf, batch, p.dIn);
    const perInstance = loss(t, e, x);
    const g = tf.grads((wEnc: tf.Tensor, bEnc: tf.Tensor, wDec: tf.Tensor, bDec: tf.Tensor, ex: tf.Tensor) =>
      tf.sum(loss({ wEnc, bEnc, wDec, bDec } as SaeTensors, ex, x)),
    )([t.wEnc, t.bEnc, t.wDec, t.bDec, e]);
    grads.wEnc.set(g[0].dataSync());
    grads.bEnc.set(g[1].dataSync());
    grads.wDec.set(g[2].dataSync());
    grads.bDec.set(g[3].dataSync());
    extraGrad.set(g[4].dataSync());
    losses = Float64Array.from(perInstance.dataSync());
  });
  return losses;
}
