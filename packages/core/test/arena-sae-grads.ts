/**
 * tfjs autodiff gradients for the ARENA toy SAEs' tests: like train/tfjs-engine(-extra).ts,
 * but differentiating only the SaeParams tensors the loss uses (tied weights leave wDec out of
 * the graph, and tfjs refuses to differentiate with respect to an unused input) and any
 * number of extra [I, dSae] parameters (Gated: r_mag, b_mag; JumpReLU: log θ).
 */
import * as tf from "@tensorflow/tfjs-core";
import { batchTensor, toTensors, type GridBatch, type SaeParams, type SaeTensorName, type SaeTensors } from "../src/sae/types.ts";

export interface AutodiffResult {
  loss: Float64Array;
  grads: Partial<Record<SaeTensorName, Float32Array>>;
  extraGrads: Float32Array[];
}

export function arenaAutodiff(
  p: SaeParams,
  batch: GridBatch,
  names: readonly SaeTensorName[],
  extras: readonly Float32Array[],
  loss: (t: SaeTensors, extras: tf.Tensor2D[], x: tf.Tensor3D) => tf.Tensor1D,
): AutodiffResult {
  let result: AutodiffResult = { loss: new Float64Array(0), grads: {}, extraGrads: [] };
  tf.tidy(() => {
    const base = toTensors(tf, p);
    const extraTensors = extras.map((e) => tf.tensor2d(e, [p.instances, p.dSae]));
    const x = batchTensor(tf, batch, p.dIn);
    const rebuild = (vars: tf.Tensor[]): [SaeTensors, tf.Tensor2D[]] => {
      const t = { ...base } as Record<SaeTensorName, tf.Tensor>;
      for (const [k, n] of names.entries()) t[n] = vars[k];
      return [t as unknown as SaeTensors, vars.slice(names.length) as tf.Tensor2D[]];
    };
    const value = loss(base, extraTensors, x).dataSync();
    const g = tf.grads((...vars: tf.Tensor[]) => tf.sum(loss(...rebuild(vars), x)))([...names.map((n) => base[n]), ...extraTensors]);
    const grads: Partial<Record<SaeTensorName, Float32Array>> = {};
    for (const [k, n] of names.entries()) grads[n] = Float32Array.from(g[k].dataSync());
    result = { loss: Float64Array.from(value), grads, extraGrads: g.slice(names.length).map((t) => Float32Array.from(t.dataSync())) };
  });
  return result;
}
