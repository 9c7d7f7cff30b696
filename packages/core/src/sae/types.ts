/**
 * Shapes shared by every SAE architecture. A grid of SAEs is one set of tensors with a
 * leading instance axis I (one instance per grid cell × realisation):
 *   wEnc [I, dIn, dSae], bEnc [I, dSae], wDec [I, dSae, dIn] (rows are latent directions), bDec [I, dIn].
 */
import type * as tfTypes from "@tensorflow/tfjs-core";

export interface SaeShape {
  instances: number;
  dIn: number;
  dSae: number;
}

export interface SaeParams extends SaeShape {
  wEnc: Float32Array;
  bEnc: Float32Array;
  wDec: Float32Array;
  bDec: Float32Array;
}

export type SaeTensorName = "wEnc" | "bEnc" | "wDec" | "bDec";
export const SAE_TENSORS: readonly SaeTensorName[] = ["wEnc", "bEnc", "wDec", "bDec"];

export function emptySaeParams(shape: SaeShape): SaeParams {
  const { instances: I, dIn, dSae } = shape;
  return {
    ...shape,
    wEnc: new Float32Array(I * dIn * dSae),
    bEnc: new Float32Array(I * dSae),
    wDec: new Float32Array(I * dSae * dIn),
    bDec: new Float32Array(I * dIn),
  };
}

export function cloneSaeParams(p: SaeParams): SaeParams {
  return { ...p, wEnc: p.wEnc.slice(), bEnc: p.bEnc.slice(), wDec: p.wDec.slice(), bDec: p.bDec.slice() };
}

/** The parameter tensors in a fixed order (what the optimiser iterates over). */
export function saeTensors(p: SaeParams): Float32Array[] {
  return SAE_TENSORS.map((name) => p[name]);
}

/**
 * One training batch for the grid: `x[g]` is data group g's [batch, dIn] matrix and
 * instance i trains on group `group[i]` (instances that share data share a group).
 */
export interface GridBatch {
  x: Float32Array[];
  batch: number;
  group: Int32Array;
}

/** Per-instance results of one fused forward/backward pass. */
export interface StepOutput {
  /** The total loss each instance minimises. */
  loss: Float64Array;
  /** Reconstruction part (FVU for the composed SAE, MSE for SAELens-style ones). */
  reconstruction: Float64Array;
  /** Sparsity penalty (L1, tanh-L0, …); 0 for TopK. */
  sparsity: Float64Array;
  /** Auxiliary terms (ghost grads, aux-k). */
  auxiliary: Float64Array;
  /** [I, dSae]: 1 where the latent fired above the architecture's threshold in this batch. */
  fired: Uint8Array;
}

export function emptyStepOutput(shape: SaeShape): StepOutput {
  return {
    loss: new Float64Array(shape.instances),
    reconstruction: new Float64Array(shape.instances),
    sparsity: new Float64Array(shape.instances),
    auxiliary: new Float64Array(shape.instances),
    fired: new Uint8Array(shape.instances * shape.dSae),
  };
}

/** SAE parameters as tfjs tensors, for the autodiff reference of each architecture. */
export interface SaeTensors {
  wEnc: tfTypes.Tensor3D;
  bEnc: tfTypes.Tensor2D;
  wDec: tfTypes.Tensor3D;
  bDec: tfTypes.Tensor2D;
}

export function toTensors(tf: typeof tfTypes, p: SaeParams): SaeTensors {
  const { instances: I, dIn, dSae } = p;
  return {
    wEnc: tf.tensor3d(p.wEnc, [I, dIn, dSae]),
    bEnc: tf.tensor2d(p.bEnc, [I, dSae]),
    wDec: tf.tensor3d(p.wDec, [I, dSae, dIn]),
    bDec: tf.tensor2d(p.bDec, [I, dIn]),
  };
}

/** Gather each instance's batch into one [I, B, dIn] tensor (reference code only). */
export function batchTensor(tf: typeof tfTypes, batch: GridBatch, dIn: number): tfTypes.Tensor3D {
  const I = batch.group.length;
  const data = new Float32Array(I * batch.batch * dIn);
  for (let i = 0; i < I; i++) data.set(batch.x[batch.group[i]].subarray(0, batch.batch * dIn), i * batch.batch * dIn);
  return tf.tensor3d(data, [I, batch.batch, dIn]);
}

/**
 * The `.detach()` of the original PyTorch code: the value re-enters the graph as a constant,
 * so nothing upstream gets a gradient (not even a NaN one from a norm at zero).
 */
export function stopGradient(tf: typeof tfTypes, x: tfTypes.Tensor): tfTypes.Tensor {
  return tf.tensor(x.dataSync(), x.shape, "float32");
}
