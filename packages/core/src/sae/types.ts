/**
 * Shapes shared by every SAE architecture. A grid of SAEs is one set of tensors with a
 * leading instance axis I (one instance per grid cell × realisation):
 *   wEnc [I, dIn, dSae], bEnc [I, dSae], wDec [I, dSae, dIn] (rows are latent directions), bDec [I, dIn],
 * plus any named tensors an architecture adds (`extra`: a JumpReLU log threshold, a Gated r_mag),
 * each [I, …] as its `ParamSpec` says. Every tensor is saved, loaded and optimised the same way.
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
  /** Architecture-specific tensors by name (camelCase), each [I, …]. */
  extra: Record<string, Float32Array>;
}

export type SaeTensorName = "wEnc" | "bEnc" | "wDec" | "bDec";
export const SAE_TENSORS: readonly SaeTensorName[] = ["wEnc", "bEnc", "wDec", "bDec"];

/** A size of an SAE a tensor dimension can name. */
export type SaeDim = "dIn" | "dSae";

/** One named parameter tensor of an architecture, by its per-instance shape. */
export interface ParamSpec {
  /** camelCase; saved as the snake_case Arrow column (logThreshold → log_threshold). */
  name: string;
  shape: readonly SaeDim[];
}

/** The four tensors every architecture has, in the order the optimiser and the clip visit them. */
export const STANDARD_PARAMS: readonly ParamSpec[] = [
  { name: "wEnc", shape: ["dIn", "dSae"] },
  { name: "bEnc", shape: ["dSae"] },
  { name: "wDec", shape: ["dSae", "dIn"] },
  { name: "bDec", shape: ["dIn"] },
];

/** Elements per instance of a tensor of this spec. */
export function specSize(spec: ParamSpec, shape: SaeShape): number {
  return spec.shape.reduce((n, d) => n * shape[d], 1);
}

/** Zeroed parameters: the four standard tensors plus the extra ones of `specs`. */
export function emptySaeParams(shape: SaeShape, specs: readonly ParamSpec[] = STANDARD_PARAMS): SaeParams {
  const { instances: I, dIn, dSae } = shape;
  const extra: Record<string, Float32Array> = {};
  for (const s of specs) if (!isStandard(s.name)) extra[s.name] = new Float32Array(I * specSize(s, shape));
  return {
    instances: I,
    dIn,
    dSae,
    wEnc: new Float32Array(I * dIn * dSae),
    bEnc: new Float32Array(I * dSae),
    wDec: new Float32Array(I * dSae * dIn),
    bDec: new Float32Array(I * dIn),
    extra,
  };
}

export function cloneSaeParams(p: SaeParams): SaeParams {
  const extra = Object.fromEntries(Object.entries(p.extra).map(([k, v]) => [k, v.slice()]));
  return { ...p, wEnc: p.wEnc.slice(), bEnc: p.bEnc.slice(), wDec: p.wDec.slice(), bDec: p.bDec.slice(), extra };
}

function isStandard(name: string): name is SaeTensorName {
  return (SAE_TENSORS as readonly string[]).includes(name);
}

/** The tensor of `p` named `name` (standard or extra); an unknown name is a bug and throws. */
export function paramTensor(p: SaeParams, name: string): Float32Array {
  const t = isStandard(name) ? p[name] : p.extra[name];
  if (!t)
    throw new Error(
      `SAE parameters have no tensor "${name}" (have wEnc, bEnc, wDec, bDec${Object.keys(p.extra)
        .map((k) => ", " + k)
        .join("")})`,
    );
  return t;
}

/** The parameter tensors in spec order (what the optimiser and the gradient clip iterate over). */
export function saeTensors(p: SaeParams, specs: readonly ParamSpec[] = STANDARD_PARAMS): Float32Array[] {
  return specs.map((s) => paramTensor(p, s.name));
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
  /** Mean number of non-zero codes per sample; NaN where a kernel does not count them. */
  l0: Float64Array;
  /** Smallest positive code of the batch per instance (NaN when none, or not computed). */
  minPositive: Float64Array;
  /** [I, dSae]: share of the batch in which the latent fired (ARENA's `frac_active`), where the engine counts it. */
  fracActive?: Float64Array;
}

export function emptyStepOutput(shape: SaeShape): StepOutput {
  return {
    loss: new Float64Array(shape.instances),
    reconstruction: new Float64Array(shape.instances),
    sparsity: new Float64Array(shape.instances),
    auxiliary: new Float64Array(shape.instances),
    fired: new Uint8Array(shape.instances * shape.dSae),
    l0: new Float64Array(shape.instances).fill(NaN),
    minPositive: new Float64Array(shape.instances).fill(NaN),
  };
}

/** SAE parameters as tfjs tensors, for the autodiff reference of each architecture. */
export interface SaeTensors {
  wEnc: tfTypes.Tensor3D;
  bEnc: tfTypes.Tensor2D;
  wDec: tfTypes.Tensor3D;
  bDec: tfTypes.Tensor2D;
  /** Extra tensors by name, shaped [I, …spec]. */
  extra: Record<string, tfTypes.Tensor>;
}

export function toTensors(tf: typeof tfTypes, p: SaeParams, specs: readonly ParamSpec[] = STANDARD_PARAMS): SaeTensors {
  const { instances: I, dIn, dSae } = p;
  const extra: Record<string, tfTypes.Tensor> = {};
  for (const s of specs) {
    if (!isStandard(s.name)) extra[s.name] = tf.tensor(paramTensor(p, s.name), [I, ...s.shape.map((d) => p[d])], "float32");
  }
  return {
    wEnc: tf.tensor3d(p.wEnc, [I, dIn, dSae]),
    bEnc: tf.tensor2d(p.bEnc, [I, dSae]),
    wDec: tf.tensor3d(p.wDec, [I, dSae, dIn]),
    bDec: tf.tensor2d(p.bDec, [I, dIn]),
    extra,
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
