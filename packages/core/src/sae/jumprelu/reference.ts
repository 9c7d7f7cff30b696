/**
 * The SAELens 6.11.1 JumpReLU loss (see kernel.ts) in tfjs ops, with the original's
 * straight-through gradients as a custom-gradient op: the autodiff reference.
 */
import type * as tfTypes from "@tensorflow/tfjs-core";
import type { ReferenceOutput } from "../architecture.ts";
import type { SaeTensors } from "../types.ts";
import type { JumpReluHyper } from "./kernel.ts";

/**
 * JumpReLU as a tfjs op with the original's custom gradients: h [I, B, M], t [I, 1, M].
 * Built per call because tf.customGrad captures the bandwidth.
 */
export function jumpReluOp(tf: typeof tfTypes, bandwidth: number): (h: tfTypes.Tensor, t: tfTypes.Tensor) => tfTypes.Tensor {
  const op = tf.customGrad((...args: (tfTypes.Tensor | tfTypes.GradSaveFunc)[]) => {
    const h = args[0] as tfTypes.Tensor;
    const t = args[1] as tfTypes.Tensor;
    const save = args[2] as tfTypes.GradSaveFunc;
    save([h, t]);
    return {
      value: tf.mul(h, tf.cast(tf.greater(h, t), "float32")),
      gradFunc: (dy: tfTypes.Tensor, saved: tfTypes.Tensor[]) => {
        const [hs, ts] = saved;
        const gate = tf.cast(tf.greater(hs, ts), "float32");
        const u = tf.div(tf.sub(hs, ts), bandwidth);
        const window = tf.cast(tf.logicalAnd(tf.greater(u, -0.5), tf.less(u, 0.5)), "float32");
        const dt = tf.sum(tf.mul(tf.mul(tf.neg(tf.div(ts, bandwidth)), window), dy), 1, true);
        return [tf.mul(gate, dy), dt];
      },
    };
  });
  return (h, t) => op(h, t);
}

/** The same loss in tfjs ops (autodiff reference). x: [I, B, dIn], logThreshold: [I, dSae]. */
export function jumpReluReference(tf: typeof tfTypes, t: SaeTensors, logThreshold: tfTypes.Tensor, x: tfTypes.Tensor3D, hyper: JumpReluHyper): ReferenceOutput {
  const I = x.shape[0];
  const h = tf.add(tf.matMul(tf.sub(x, tf.expandDims(t.bDec, 1)), t.wEnc), tf.expandDims(t.bEnc, 1)); // [I,B,M]
  const a = jumpReluOp(tf, hyper.bandwidth)(h, tf.expandDims(tf.exp(logThreshold), 1));
  const xh = tf.add(tf.matMul(a, t.wDec), tf.expandDims(t.bDec, 1));
  const mse = tf.mean(tf.sum(tf.square(tf.sub(xh, x)), 2), 1); // [I]
  const decNorm = tf.expandDims(tf.norm(t.wDec, 2, 2), 1); // [I,1,M]
  const perSample = tf.sum(tf.tanh(tf.mul(hyper.tanhScale, tf.mul(a, decNorm))), 2); // [I,B]
  const coeff = tf.tensor1d(Float32Array.from(hyper.l0Coefficient), "float32");
  const sparsity = tf.reshape(tf.mul(coeff, tf.mean(perSample, 1)), [I]) as tfTypes.Tensor1D;
  return { loss: tf.add(mse, sparsity) as tfTypes.Tensor1D, reconstruction: mse as tfTypes.Tensor1D, sparsity, codes: a as tfTypes.Tensor3D };
}
