/** Shared gradient checks for the fused kernels' tests. */
import { expect } from "vitest";
import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs";
import { STANDARD_PARAMS, batchTensor, paramTensor, toTensors, type GridBatch, type ParamSpec, type SaeParams, type SaeTensorName, type SaeTensors } from "../../src/sae/types.ts";

/** Largest |a − b| / (1e-4 + |b|) over the entries: relative error against a reference b. */
export function maxRelErr(a: Float32Array, b: Float32Array): number {
  let worst = 0;
  for (let e = 0; e < a.length; e++) worst = Math.max(worst, Math.abs(a[e] - b[e]) / (1e-4 + Math.abs(b[e])));
  return worst;
}

/**
 * Check every entry of `grads[k]` (k in `tensors`) against the central difference
 * (L(p + h) − L(p − h)) / 2h of `lossAt`, to `digits` decimal places.
 */
export function expectMatchesCentralDifference(
  p: SaeParams,
  grads: SaeParams,
  lossAt: (q: SaeParams) => number,
  tensors: readonly SaeTensorName[] = ["wEnc", "bEnc", "wDec", "bDec"],
  h = 1e-3,
  digits = 2,
): void {
  for (const k of tensors) {
    for (let e = 0; e < p[k].length; e++) {
      const orig = p[k][e];
      p[k][e] = orig + h;
      const up = lossAt(p);
      p[k][e] = orig - h;
      const down = lossAt(p);
      p[k][e] = orig;
      expect(grads[k][e], `${k}[${e}]`).toBeCloseTo((up - down) / (2 * h), digits);
    }
  }
}

/**
 * Per-instance loss and gradients of a tfjs loss by autodiff (the reference the fused kernels
 * are held to); every tensor of `specs` is differentiated, extra ones into `grads.extra`.
 */
export function autodiff(
  p: SaeParams,
  batch: GridBatch,
  loss: (t: SaeTensors, x: tf.Tensor3D) => tf.Tensor1D,
  grads: SaeParams,
  specs: readonly ParamSpec[] = STANDARD_PARAMS,
): Float64Array {
  let losses = new Float64Array(p.instances);
  tf.tidy(() => {
    const t = toTensors(tf, p, specs);
    const list = specs.map((s) => (s.name in t.extra ? t.extra[s.name] : (t[s.name as SaeTensorName] as tf.Tensor)));
    const x = batchTensor(tf, batch, p.dIn);
    const rebuild = (ts: tf.Tensor[]): SaeTensors => {
      const byName = Object.fromEntries(specs.map((s, k) => [s.name, ts[k]]));
      const extra = Object.fromEntries(specs.filter((s) => s.name in t.extra).map((s) => [s.name, byName[s.name]]));
      return { wEnc: byName.wEnc as tf.Tensor3D, bEnc: byName.bEnc as tf.Tensor2D, wDec: byName.wDec as tf.Tensor3D, bDec: byName.bDec as tf.Tensor2D, extra };
    };
    const g = tf.grads((...ts: tf.Tensor[]) => tf.sum(loss(rebuild(ts), x)))(list);
    for (const [k, s] of specs.entries()) paramTensor(grads, s.name).set(g[k].dataSync());
    losses = Float64Array.from(loss(t, x).dataSync());
  });
  return losses;
}
