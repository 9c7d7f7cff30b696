/**
 * The analytic loss curve of a single-latent SAE with tied weights (feature-hedging paper
 * `loss_curves.py`, `calc_loss_curve`; reference §2.6, figure "Loss curves for single-latent
 * SAE").
 *
 * A parent p and a child c are orthonormal; the child only fires with the parent. The one
 * latent's direction interpolates between them:
 *
 *   d(α) = ((1 − α)·p + α·c) / ‖(1 − α)·p + α·c‖,   α = i/(steps − 1), i = 0 … steps − 1
 *   a(x) = ReLU(x·d),  L(x) = ‖a·d − x‖² + λ·|a|
 *   E[L](α) = P_po·L(p) + P_pc·L(p + c)
 *
 * with P_po = P(parent only) and P_pc = P(parent and child). The minimiser is never α = 0:
 * the latent always mixes in some of the child (hedging). The original computes in float32;
 * this computes in float64.
 */
import type { Rng } from "../random.ts";

export interface LossCurveOptions {
  /** P(parent only). */
  parentOnlyProb: number;
  /** P(parent and child). */
  parentAndChildProb: number;
  /** λ, the sparsity coefficient. Default 0. */
  l1?: number;
  /** Number of α values on [0, 1], both ends included. Default 10,000 (the paper's plots). */
  steps?: number;
  /**
   * A random orthonormal pair in `dim` dimensions (the original's `rand_vecs`: randn parent,
   * randn child orthogonalised against it, both normalised) instead of the 2-d basis. The
   * curve does not depend on it; it is here to show that.
   */
  randomBasis?: { rng: Rng; dim: number };
}

export interface LossCurve {
  alpha: Float64Array;
  expectedLoss: Float64Array;
  /** First index of the minimum (pandas `argmin`). */
  argminIndex: number;
  argminAlpha: number;
  minLoss: number;
}

/** The paper's two probability settings. */
export const LOSS_CURVE_SETTINGS = {
  "skew-parent": { parentOnlyProb: 0.3, parentAndChildProb: 0.1 },
  "skew-child": { parentOnlyProb: 0.1, parentAndChildProb: 0.3 },
} as const;
export type LossCurveSettingName = keyof typeof LOSS_CURVE_SETTINGS;
/** The sparsity coefficients of the paper's figure. */
export const LOSS_CURVE_L1: readonly number[] = [0, 0.1];
export const LOSS_CURVE_STEPS = 10_000;

function orthonormalPair(options: LossCurveOptions): [Float64Array, Float64Array] {
  if (!options.randomBasis) return [Float64Array.from([1, 0]), Float64Array.from([0, 1])];
  const { rng, dim } = options.randomBasis;
  if (!(Number.isInteger(dim) && dim >= 2)) throw new Error(`singleLatentLossCurve: randomBasis.dim must be an integer ≥ 2, got ${dim}`);
  const p = Float64Array.from({ length: dim }, () => rng.normal());
  const c = Float64Array.from({ length: dim }, () => rng.normal());
  const dot = (a: Float64Array, b: Float64Array) => a.reduce((s, v, k) => s + v * b[k], 0);
  const pc = dot(c, p) / dot(p, p);
  for (let k = 0; k < dim; k++) c[k] -= pc * p[k];
  const np = Math.sqrt(dot(p, p));
  const nc = Math.sqrt(dot(c, c));
  return [p.map((v) => v / np), c.map((v) => v / nc)];
}

/** L(x) = ‖ReLU(x·d)·d − x‖² + λ·ReLU(x·d) for a unit latent direction d. */
function singleInputLoss(x: Float64Array, d: Float64Array, l1: number): number {
  let a = 0;
  for (let k = 0; k < x.length; k++) a += x[k] * d[k];
  if (a < 0) a = 0;
  let err = 0;
  for (let k = 0; k < x.length; k++) err += (a * d[k] - x[k]) ** 2;
  return err + l1 * a;
}

export function singleLatentLossCurve(options: LossCurveOptions): LossCurve {
  const { parentOnlyProb: po, parentAndChildProb: pc } = options;
  const l1 = options.l1 ?? 0;
  const steps = options.steps ?? LOSS_CURVE_STEPS;
  if (!(Number.isInteger(steps) && steps >= 2)) throw new Error(`singleLatentLossCurve: steps must be an integer ≥ 2, got ${steps}`);
  for (const [name, v] of [
    ["parentOnlyProb", po],
    ["parentAndChildProb", pc],
  ] as const) {
    if (!(v >= 0 && v <= 1)) throw new Error(`singleLatentLossCurve: ${name} must be in [0, 1], got ${v}`);
  }
  const [p, c] = orthonormalPair(options);
  const both = p.map((v, k) => v + c[k]);
  const dim = p.length;
  const d = new Float64Array(dim);
  const alpha = new Float64Array(steps);
  const expectedLoss = new Float64Array(steps);
  let argminIndex = 0;
  for (let i = 0; i < steps; i++) {
    const a = i / (steps - 1);
    let n2 = 0;
    for (let k = 0; k < dim; k++) {
      d[k] = (1 - a) * p[k] + a * c[k];
      n2 += d[k] * d[k];
    }
    const n = Math.sqrt(n2);
    for (let k = 0; k < dim; k++) d[k] /= n;
    alpha[i] = a;
    expectedLoss[i] = po * singleInputLoss(p, d, l1) + pc * singleInputLoss(both, d, l1);
    if (expectedLoss[i] < expectedLoss[argminIndex]) argminIndex = i;
  }
  return { alpha, expectedLoss, argminIndex, argminAlpha: alpha[argminIndex], minLoss: expectedLoss[argminIndex] };
}

/** The four curves of the paper's figure: both settings × λ ∈ {0, .1}, 10,000 steps. */
export function paperLossCurves(): Array<{ setting: LossCurveSettingName; l1: number; curve: LossCurve }> {
  return (Object.keys(LOSS_CURVE_SETTINGS) as LossCurveSettingName[]).flatMap((setting) =>
    LOSS_CURVE_L1.map((l1) => ({ setting, l1, curve: singleLatentLossCurve({ ...LOSS_CURVE_SETTINGS[setting], l1 }) })),
  );
}
