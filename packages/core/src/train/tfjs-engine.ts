/**
 * Gradients by tfjs autodiff: the generic engine. Any architecture that writes its loss
 * in tfjs ops trains through this path; the built-in ones also have fused kernels that a
 * test checks against it.
 */
import * as tf from "@tensorflow/tfjs-core";
// tfjs-core ships its gradient functions separately; the @tensorflow/tfjs bundle registers them
// (its node build shares our tfjs-core instance).
import "@tensorflow/tfjs";
import { batchTensor, toTensors, type GridBatch, type SaeParams, type SaeTensors } from "../sae/types.ts";

export type ReferenceLoss = (t: SaeTensors, x: tf.Tensor3D) => tf.Tensor1D;

/** Per-instance loss and gradients of `loss` at `p`; gradients are written into `grads`. */
export function tfjsLossAndGrads(p: SaeParams, batch: GridBatch, loss: ReferenceLoss, grads: SaeParams): Float64Array {
  let losses = new Float64Array(p.instances);
  tf.tidy(() => {
    const t = toTensors(tf, p);
    const x = batchTensor(tf, batch, p.dIn);
    const perInstance = loss(t, x);
    const g = tf.grads((wEnc: tf.Tensor, bEnc: tf.Tensor, wDec: tf.Tensor, bDec: tf.Tensor) =>
      tf.sum(loss({ wEnc, bEnc, wDec, bDec } as SaeTensors, x)),
    )([t.wEnc, t.bEnc, t.wDec, t.bDec]);
    grads.wEnc.set(g[0].dataSync());
    grads.bEnc.set(g[1].dataSync());
    grads.wDec.set(g[2].dataSync());
    grads.bDec.set(g[3].dataSync());
    losses = Float64Array.from(perInstance.dataSync());
  });
  return losses;
}
