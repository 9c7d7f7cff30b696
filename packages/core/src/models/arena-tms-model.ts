/**
 * ARENA's toy model of superposition (`ToyModel`) and its privileged-basis variant
 * (`NeuronModel`), chapter 1.3.1 (formerly 1.4), reference arena-toy-models.md §1:
 *
 *   tms:     h = W x,          out = ReLU(Wᵀ h + b)
 *   neuron:  h = ReLU(W x),    out = ReLU(Wᵀ h + b)
 *   loss_i = mean over batch and features of I_f·(x_f − out_f)²    (instance i)
 *
 * The original minimises Σ_i loss_i; since no parameter is shared between instances, each
 * instance's gradient is that of its own loss_i, which is what the kernel returns.
 *
 * Per instance: W [dHidden, nFeatures] (the ARENA layout: column f is feature f's
 * direction), b [nFeatures] = 0, the importance vector I [nFeatures] and the feature
 * probability (used by the batch generator, not by the loss).
 *
 * Init: torch's xavier_normal_ on the 3-D [I, dHidden, nFeatures] tensor, whose fans are
 * computed by torch as fan_in = dHidden·nFeatures and fan_out = I·nFeatures, so
 * std = √(2/(nFeatures·(dHidden + I))) — it depends on the number of instances, as in the
 * original.
 */
import type * as tfTypes from "@tensorflow/tfjs-core";
import type { Rng } from "../random.ts";

export interface ArenaToyShape {
  instances: number;
  nFeatures: number;
  dHidden: number;
}

/** Importance [I, nFeatures] and the feature probability the batch generator uses. */
export interface ArenaToyData {
  /** [I, nFeatures], row i is instance i's importance vector. */
  importance: Float32Array;
  /** Per instance (length I) or per instance and feature (length I·nFeatures). */
  featureProbability: Float64Array;
}

export interface ArenaTmsModel extends ArenaToyShape, ArenaToyData {
  kind: "tms" | "neuron";
  /** [I, dHidden, nFeatures] */
  w: Float32Array;
  /** [I, nFeatures] */
  b: Float32Array;
}

/** The importance and probability options every ARENA toy model takes. */
export interface ArenaToyDataOptions {
  /** Length nFeatures (shared by all instances, the original's [1, F] broadcast) or I·nFeatures. Default all 1. */
  importance?: ArrayLike<number>;
  /** Length I or I·nFeatures. Default 1 (every feature always present). */
  featureProbability?: ArrayLike<number>;
}

export function checkArenaShape(shape: ArenaToyShape, what: string): void {
  for (const [name, v] of Object.entries({ instances: shape.instances, nFeatures: shape.nFeatures, dHidden: shape.dHidden })) {
    if (!Number.isInteger(v) || v < 1) throw new Error(`${what}: ${name} must be a positive integer, got ${v}`);
  }
}

/** Importance broadcast to [I, nFeatures] and the feature probability copied, both checked. */
export function resolveArenaToyData(shape: ArenaToyShape, options: ArenaToyDataOptions, what: string): ArenaToyData {
  const { instances: I, nFeatures: F } = shape;
  const importance = new Float32Array(I * F).fill(1);
  if (options.importance) {
    const given = options.importance;
    if (given.length !== F && given.length !== I * F) {
      throw new Error(`${what}: importance has ${given.length} entries, expected ${F} (per feature) or ${I * F} (per instance and feature)`);
    }
    for (let e = 0; e < I * F; e++) importance[e] = given.length === F ? given[e % F] : given[e];
  }
  const given = options.featureProbability ?? [1];
  const featureProbability = given.length === 1 && I !== 1 ? new Float64Array(I).fill(given[0]) : Float64Array.from(given as ArrayLike<number>);
  if (featureProbability.length !== I && featureProbability.length !== I * F) {
    throw new Error(`${what}: featureProbability has ${featureProbability.length} entries, expected ${I} or ${I * F}`);
  }
  for (const p of featureProbability) if (!(p >= 0 && p <= 1)) throw new Error(`${what}: feature probabilities must be in [0, 1], got ${p}`);
  return { importance, featureProbability };
}

/** torch's xavier_normal_ on an [I, a, b] tensor: std = √(2/(a·b + I·b)). */
export function xavierNormal3dStd(instances: number, a: number, b: number): number {
  return Math.sqrt(2 / (a * b + instances * b));
}

/** One Rng per instance (so an instance's init never depends on another's draws). */
export function createArenaTms(shape: ArenaToyShape, options: ArenaToyDataOptions & { kind?: "tms" | "neuron" }, rngs: Rng[]): ArenaTmsModel {
  checkArenaShape(shape, "createArenaTms");
  const { instances: I, nFeatures: F, dHidden: H } = shape;
  if (rngs.length !== I) throw new Error(`createArenaTms: ${rngs.length} Rngs for ${I} instances`);
  const std = xavierNormal3dStd(I, H, F);
  const w = new Float32Array(I * H * F);
  for (let i = 0; i < I; i++) rngs[i].fillNormal(w.subarray(i * H * F, (i + 1) * H * F), 0, std);
  return {
    kind: options.kind ?? "tms",
    instances: I,
    nFeatures: F,
    dHidden: H,
    w,
    b: new Float32Array(I * F),
    ...resolveArenaToyData(shape, options, "createArenaTms"),
  };
}

/** Gradient buffers of an ArenaTmsModel. */
export interface ArenaTmsGrads {
  w: Float32Array;
  b: Float32Array;
}

export function emptyArenaTmsGrads(m: ArenaTmsModel): ArenaTmsGrads {
  return { w: new Float32Array(m.w.length), b: new Float32Array(m.b.length) };
}

/** Hidden activations of one instance for its [B, nFeatures] batch → [B, dHidden] (after the ReLU for "neuron"). */
export function arenaTmsHidden(m: ArenaTmsModel, instance: number, x: ArrayLike<number>, batch: number): Float32Array {
  const { nFeatures: F, dHidden: H } = m;
  const w = instance * H * F;
  const out = new Float32Array(batch * H);
  for (let s = 0; s < batch; s++) {
    for (let k = 0; k < H; k++) {
      let v = 0;
      for (let f = 0; f < F; f++) v += m.w[w + k * F + f] * x[s * F + f];
      out[s * H + k] = m.kind === "neuron" && v < 0 ? 0 : v;
    }
  }
  return out;
}

/**
 * Fused forward + backward. `x` is the [I, B, nFeatures] batch (instance-major, as the
 * ARENA generators return it). Returns loss_i per instance; `grads` are overwritten with
 * ∂loss_i/∂(W_i, b_i). Each instance works in Float64 scratch (no float32 rounding in the
 * accumulations), with W transposed to [nFeatures, dHidden] so that every inner loop runs over
 * contiguous memory. The data are sparse and so is the gradient: W x runs over the non-zero
 * inputs, and the backward pass over the outputs whose ReLU is open and whose error is
 * non-zero. Every sum is accumulated in the order of the plain loops.
 */
export function arenaTmsLossAndGrads(m: ArenaTmsModel, x: Float32Array, batch: number, grads: ArenaTmsGrads): Float64Array {
  const { instances: I, nFeatures: F, dHidden: H } = m;
  if (x.length < I * batch * F) throw new Error(`arenaTmsLossAndGrads: x has ${x.length} entries, needs ${I * batch * F}`);
  const neuron = m.kind === "neuron";
  const loss = new Float64Array(I);
  const wt = new Float64Array(F * H); // wt[f·H + k] = W[k, f]: row f is feature f's direction
  const gwt = new Float64Array(F * H);
  const gb = new Float64Array(F);
  const b = new Float64Array(F);
  const pre = new Float64Array(H); // W x
  const h = new Float64Array(H); // the hidden vector the decoder reads (ReLU'd for "neuron")
  const dh = new Float64Array(H);
  const inputs = new Int32Array(F); // indices of the non-zero inputs of a sample
  const open = new Int32Array(F); // indices of the outputs with a non-zero ∂loss/∂z
  const dz = new Float64Array(F); // their ∂loss/∂z, in the same order
  const scale = 1 / (batch * F);
  for (let i = 0; i < I; i++) {
    const wo = i * H * F;
    for (let k = 0; k < H; k++) for (let f = 0; f < F; f++) wt[f * H + k] = m.w[wo + k * F + f];
    for (let f = 0; f < F; f++) b[f] = m.b[i * F + f];
    gwt.fill(0);
    gb.fill(0);
    let total = 0;
    for (let s = 0; s < batch; s++) {
      const xo = (i * batch + s) * F;
      pre.fill(0);
      let nIn = 0;
      for (let f = 0; f < F; f++) {
        const xf = x[xo + f];
        if (xf === 0) continue;
        inputs[nIn++] = f;
        const row = f * H;
        for (let k = 0; k < H; k++) pre[k] += wt[row + k] * xf;
      }
      for (let k = 0; k < H; k++) h[k] = neuron && pre[k] < 0 ? 0 : pre[k];
      let nOpen = 0;
      for (let f = 0; f < F; f++) {
        const row = f * H;
        let zf = b[f];
        for (let k = 0; k < H; k++) zf += wt[row + k] * h[k];
        const out = zf > 0 ? zf : 0;
        const imp = m.importance[i * F + f];
        const diff = x[xo + f] - out;
        total += imp * diff * diff;
        if (zf > 0 && diff !== 0) {
          const d = -2 * imp * diff * scale;
          gb[f] += d;
          open[nOpen] = f;
          dz[nOpen++] = d;
        }
      }
      // decoder use of W (Wᵀh): ∂/∂W[k, f] = dz_f·h_k; dh = W dz
      dh.fill(0);
      for (let n = 0; n < nOpen; n++) {
        const row = open[n] * H;
        const d = dz[n];
        for (let k = 0; k < H; k++) {
          gwt[row + k] += d * h[k];
          dh[k] += d * wt[row + k];
        }
      }
      // encoder use of W (W x), through the hidden ReLU for "neuron"
      if (neuron) for (let k = 0; k < H; k++) if (pre[k] <= 0) dh[k] = 0;
      for (let n = 0; n < nIn; n++) {
        const f = inputs[n];
        const xf = x[xo + f];
        const row = f * H;
        for (let k = 0; k < H; k++) gwt[row + k] += dh[k] * xf;
      }
    }
    for (let k = 0; k < H; k++) for (let f = 0; f < F; f++) grads.w[wo + k * F + f] = gwt[f * H + k];
    for (let f = 0; f < F; f++) grads.b[i * F + f] = gb[f];
    loss[i] = total * scale;
  }
  return loss;
}

/**
 * The same loss in tfjs ops (autodiff reference): w [I, dHidden, nFeatures], b [I, nFeatures],
 * x [I, B, nFeatures]; returns loss_i [I].
 */
export function arenaTmsReferenceLoss(
  tf: typeof tfTypes,
  kind: "tms" | "neuron",
  w: tfTypes.Tensor3D,
  b: tfTypes.Tensor2D,
  x: tfTypes.Tensor3D,
  importance: tfTypes.Tensor2D,
): tfTypes.Tensor1D {
  const pre = tf.matMul(x, w, false, true); // [I, B, H]
  const h = kind === "neuron" ? tf.relu(pre) : pre;
  const out = tf.relu(tf.add(tf.matMul(h, w), tf.expandDims(b, 1))); // [I, B, F]
  return tf.mean(tf.mul(tf.expandDims(importance, 1), tf.square(tf.sub(x, out))), [1, 2]) as tfTypes.Tensor1D;
}
