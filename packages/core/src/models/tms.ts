/**
 * The ReLU-output toy model of superposition (Elhage et al.; `model_fns.py` of the
 * composed-feature code): h = x·W, y = ReLU(h·Wᵀ + b), trained to reconstruct x with
 * loss mean_{batch, feature}(x − y)². W [nIn, nHidden] ~ U(±1/√nIn), b = 0, AdamW
 * (lr 1e-3, weight decay .01, β .9/.999), a fresh batch each step.
 *
 * Several models train at once along an instance axis (one per data condition);
 * instance i reads data group `group[i]`.
 */
import type * as tfTypes from "@tensorflow/tfjs-core";
import type { Rng } from "../random.ts";
import { InstanceAdam } from "../train/adam.ts";

export interface TmsParams {
  instances: number;
  nIn: number;
  nHidden: number;
  /** [I, nIn, nHidden]: row i of an instance's W is feature i's direction in the hidden space. */
  w: Float32Array;
  /** [I, nIn] */
  b: Float32Array;
}

export function initTms(instances: number, nIn: number, nHidden: number, rngs: Rng[]): TmsParams {
  const w = new Float32Array(instances * nIn * nHidden);
  const bound = 1 / Math.sqrt(nIn);
  for (let i = 0; i < instances; i++) {
    const rng = rngs[i];
    for (let e = 0; e < nIn * nHidden; e++) w[i * nIn * nHidden + e] = rng.uniformIn(-bound, bound);
  }
  return { instances, nIn, nHidden, w, b: new Float32Array(instances * nIn) };
}

/** Hidden activations h = x·W of one instance for a [B, nIn] batch → [B, nHidden]. */
export function tmsHidden(p: TmsParams, instance: number, x: Float32Array, batch: number): Float32Array {
  const { nIn, nHidden } = p;
  const h = new Float32Array(batch * nHidden);
  const wOff = instance * nIn * nHidden;
  for (let s = 0; s < batch; s++) {
    for (let i = 0; i < nIn; i++) {
      const xi = x[s * nIn + i];
      if (xi === 0) continue;
      for (let k = 0; k < nHidden; k++) h[s * nHidden + k] += xi * p.w[wOff + i * nHidden + k];
    }
  }
  return h;
}

/**
 * Loss of every instance on its batch, and the gradients (fused forward + backward).
 * `xs[g]` is data group g's [B, nIn] batch.
 */
export function tmsLossAndGrads(p: TmsParams, xs: Float32Array[], group: Int32Array, batch: number, gradW: Float32Array, gradB: Float32Array): Float64Array {
  const { instances, nIn, nHidden } = p;
  const loss = new Float64Array(instances);
  gradW.fill(0);
  gradB.fill(0);
  const h = new Float64Array(nHidden);
  const dh = new Float64Array(nHidden);
  const dz = new Float64Array(nIn);
  const scale = 1 / (batch * nIn);
  for (let inst = 0; inst < instances; inst++) {
    const x = xs[group[inst]];
    const wOff = inst * nIn * nHidden;
    const bOff = inst * nIn;
    let total = 0;
    for (let s = 0; s < batch; s++) {
      const xo = s * nIn;
      h.fill(0);
      for (let i = 0; i < nIn; i++) {
        const xi = x[xo + i];
        if (xi === 0) continue;
        for (let k = 0; k < nHidden; k++) h[k] += xi * p.w[wOff + i * nHidden + k];
      }
      for (let i = 0; i < nIn; i++) {
        let z = p.b[bOff + i];
        for (let k = 0; k < nHidden; k++) z += h[k] * p.w[wOff + i * nHidden + k];
        const y = z > 0 ? z : 0;
        const diff = x[xo + i] - y;
        total += diff * diff;
        dz[i] = z > 0 ? -2 * diff * scale : 0;
      }
      dh.fill(0);
      for (let i = 0; i < nIn; i++) {
        const d = dz[i];
        if (d === 0) continue;
        gradB[bOff + i] += d;
        for (let k = 0; k < nHidden; k++) {
          gradW[wOff + i * nHidden + k] += d * h[k];
          dh[k] += d * p.w[wOff + i * nHidden + k];
        }
      }
      for (let i = 0; i < nIn; i++) {
        const xi = x[xo + i];
        if (xi === 0) continue;
        for (let k = 0; k < nHidden; k++) gradW[wOff + i * nHidden + k] += xi * dh[k];
      }
    }
    loss[inst] = total * scale;
  }
  return loss;
}

/** The same loss written in tfjs ops: the autodiff reference for `tmsLossAndGrads`. */
export function tmsReferenceLoss(tf: typeof tfTypes, w: tfTypes.Tensor3D, b: tfTypes.Tensor2D, x: tfTypes.Tensor3D): tfTypes.Tensor1D {
  // x: [I, B, nIn] (already gathered per instance)
  const h = tf.matMul(x, w); // [I, B, nHidden]
  const y = tf.relu(tf.add(tf.matMul(h, w, false, true), tf.expandDims(b, 1)));
  return tf.mean(tf.square(tf.sub(x, y)), [1, 2]) as tfTypes.Tensor1D;
}

export interface TmsTrainOptions {
  steps: number;
  batch: number;
  lr?: number;
  weightDecay?: number;
  /** Record the loss every `logEvery` steps. */
  logEvery?: number;
  onProgress?: (step: number, loss: Float64Array) => void;
}

export interface TmsCurvePoint {
  step: number;
  instance: number;
  loss: number;
}

/** Train every instance; `sample(g)` returns a fresh [B, nIn] batch for data group g. */
export function trainTms(p: TmsParams, group: Int32Array, groups: number, sample: (group: number) => Float32Array, options: TmsTrainOptions): TmsCurvePoint[] {
  const { steps, batch, lr = 1e-3, weightDecay = 0.01, logEvery = Math.max(1, Math.floor(steps / 200)) } = options;
  const I = p.instances;
  const gradW = new Float32Array(p.w.length);
  const gradB = new Float32Array(p.b.length);
  const adam = new InstanceAdam([p.w, p.b], I, {
    beta1: new Float64Array(I).fill(0.9),
    beta2: 0.999,
    eps: 1e-8,
    weightDecay: new Float64Array(I).fill(weightDecay),
  });
  const lrs = new Float64Array(I).fill(lr);
  const curve: TmsCurvePoint[] = [];
  for (let step = 0; step < steps; step++) {
    const xs: Float32Array[] = [];
    for (let g = 0; g < groups; g++) xs.push(sample(g));
    const loss = tmsLossAndGrads(p, xs, group, batch, gradW, gradB);
    adam.step([gradW, gradB], lrs);
    if (step % logEvery === 0 || step === steps - 1) {
      for (let i = 0; i < I; i++) curve.push({ step, instance: i, loss: loss[i] });
      options.onProgress?.(step, loss);
    }
  }
  return curve;
}
