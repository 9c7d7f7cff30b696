/**
 * ARENA's computation-in-superposition model (`NeuronComputationModel`, chapter 1.3.1,
 * reference arena-toy-models.md §1): the network must compute |x|, not copy x, so the
 * hidden ReLU does real work.
 *
 *   h = ReLU(W1 x),  out = ReLU(W2 h + b),  inputs x ∈ U[−1, 1) where present
 *   loss_i = mean over batch and features of I_f·(|x_f| − out_f)²
 *
 * Per instance: W1 [dHidden, nFeatures], W2 [nFeatures, dHidden] (separate, untied),
 * b [nFeatures] = 0. Init: torch's kaiming_uniform_ (a = 0) on the 3-D [I, dHidden, nFeatures]
 * and [I, nFeatures, dHidden] tensors: fan_in = dHidden·nFeatures for both, so
 * bound = √(6/(dHidden·nFeatures)).
 */
import type * as tfTypes from "@tensorflow/tfjs-core";
import type { Rng } from "../random.ts";
import { checkArenaShape, resolveArenaToyData, type ArenaToyData, type ArenaToyDataOptions, type ArenaToyShape } from "./arena-tms-model.ts";

export interface ArenaComputationModel extends ArenaToyShape, ArenaToyData {
  kind: "computation";
  /** [I, dHidden, nFeatures] */
  w1: Float32Array;
  /** [I, nFeatures, dHidden] */
  w2: Float32Array;
  /** [I, nFeatures] */
  b: Float32Array;
}

export interface ArenaComputationGrads {
  w1: Float32Array;
  w2: Float32Array;
  b: Float32Array;
}

/** torch's kaiming_uniform_ (a = 0, leaky_relu gain √2) bound on an [I, a, b] tensor: √(6/(a·b)). */
export function kaimingUniform3dBound(a: number, b: number): number {
  return Math.sqrt(6 / (a * b));
}

export function createArenaComputation(shape: ArenaToyShape, options: ArenaToyDataOptions, rngs: Rng[]): ArenaComputationModel {
  checkArenaShape(shape, "createArenaComputation");
  const { instances: I, nFeatures: F, dHidden: H } = shape;
  if (rngs.length !== I) throw new Error(`createArenaComputation: ${rngs.length} Rngs for ${I} instances`);
  const bound = kaimingUniform3dBound(H, F);
  const w1 = new Float32Array(I * H * F);
  const w2 = new Float32Array(I * F * H);
  for (let i = 0; i < I; i++) {
    rngs[i].fillUniform(w1.subarray(i * H * F, (i + 1) * H * F), -bound, bound);
    rngs[i].fillUniform(w2.subarray(i * F * H, (i + 1) * F * H), -bound, bound);
  }
  return {
    kind: "computation",
    instances: I,
    nFeatures: F,
    dHidden: H,
    w1,
    w2,
    b: new Float32Array(I * F),
    ...resolveArenaToyData(shape, options, "createArenaComputation"),
  };
}

export function emptyArenaComputationGrads(m: ArenaComputationModel): ArenaComputationGrads {
  return { w1: new Float32Array(m.w1.length), w2: new Float32Array(m.w2.length), b: new Float32Array(m.b.length) };
}

/** Fused forward + backward on the [I, B, nFeatures] batch; returns loss_i, overwrites `grads`. */
export function arenaComputationLossAndGrads(m: ArenaComputationModel, x: Float32Array, batch: number, grads: ArenaComputationGrads): Float64Array {
  const { instances: I, nFeatures: F, dHidden: H } = m;
  if (x.length < I * batch * F) throw new Error(`arenaComputationLossAndGrads: x has ${x.length} entries, needs ${I * batch * F}`);
  const loss = new Float64Array(I);
  const w1 = new Float64Array(H * F);
  const w2 = new Float64Array(F * H);
  const g1 = new Float64Array(H * F);
  const g2 = new Float64Array(F * H);
  const gb = new Float64Array(F);
  const pre = new Float64Array(H);
  const h = new Float64Array(H);
  const dz = new Float64Array(F);
  const dh = new Float64Array(H);
  const scale = 1 / (batch * F);
  for (let i = 0; i < I; i++) {
    const o = i * H * F;
    for (let e = 0; e < H * F; e++) {
      w1[e] = m.w1[o + e];
      w2[e] = m.w2[o + e];
    }
    g1.fill(0);
    g2.fill(0);
    gb.fill(0);
    let total = 0;
    for (let s = 0; s < batch; s++) {
      const xo = (i * batch + s) * F;
      pre.fill(0);
      for (let f = 0; f < F; f++) {
        const xf = x[xo + f];
        if (xf === 0) continue;
        for (let k = 0; k < H; k++) pre[k] += w1[k * F + f] * xf;
      }
      for (let k = 0; k < H; k++) h[k] = pre[k] > 0 ? pre[k] : 0;
      for (let f = 0; f < F; f++) {
        let z = m.b[i * F + f];
        for (let k = 0; k < H; k++) z += w2[f * H + k] * h[k];
        const out = z > 0 ? z : 0;
        const imp = m.importance[i * F + f];
        const diff = Math.abs(x[xo + f]) - out;
        total += imp * diff * diff;
        dz[f] = z > 0 ? -2 * imp * diff * scale : 0;
      }
      dh.fill(0);
      for (let f = 0; f < F; f++) {
        const d = dz[f];
        if (d === 0) continue;
        gb[f] += d;
        for (let k = 0; k < H; k++) {
          g2[f * H + k] += d * h[k];
          dh[k] += d * w2[f * H + k];
        }
      }
      for (let f = 0; f < F; f++) {
        const xf = x[xo + f];
        if (xf === 0) continue;
        for (let k = 0; k < H; k++) if (pre[k] > 0) g1[k * F + f] += dh[k] * xf;
      }
    }
    for (let e = 0; e < H * F; e++) {
      grads.w1[o + e] = g1[e];
      grads.w2[o + e] = g2[e];
    }
    for (let f = 0; f < F; f++) grads.b[i * F + f] = gb[f];
    loss[i] = total * scale;
  }
  return loss;
}

/** The same loss in tfjs ops: w1 [I, H, F], w2 [I, F, H], b [I, F], x [I, B, F] → loss_i [I]. */
export function arenaComputationReferenceLoss(
  tf: typeof tfTypes,
  w1: tfTypes.Tensor3D,
  w2: tfTypes.Tensor3D,
  b: tfTypes.Tensor2D,
  x: tfTypes.Tensor3D,
  importance: tfTypes.Tensor2D,
): tfTypes.Tensor1D {
  const h = tf.relu(tf.matMul(x, w1, false, true)); // [I, B, H]
  const out = tf.relu(tf.add(tf.matMul(h, w2, false, true), tf.expandDims(b, 1))); // [I, B, F]
  return tf.mean(tf.mul(tf.expandDims(importance, 1), tf.square(tf.sub(tf.abs(x), out))), [1, 2]) as tfTypes.Tensor1D;
}
