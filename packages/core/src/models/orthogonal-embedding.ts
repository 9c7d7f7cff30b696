/**
 * The fixed linear toy model of Sparse-but-Wrong (`toy_model.py`, `orthogonalize.py`):
 * x = features·E, where row i of E [N, H] is the unit direction of true feature i (the
 * original's `embed.weight` is Eᵀ; its column i is feature i). No bias, no nonlinearity.
 *
 * E is made nearly orthogonal by optimisation rather than by QR, so the same code also
 * gives the "superposition" variant (few steps, N > H, or a non-zero target cosine):
 *   1. E = randn[N, H], rows normalised;
 *   2. Adam(lr) for `steps` on L = Σ_{i≠j}(e_i·e_j − target)² + N·Σ_i(‖e_i‖² − 1)²;
 *   3. rows renormalised.
 */
import type * as tfTypes from "@tensorflow/tfjs-core";
import type { Rng } from "../random.ts";
import { InstanceAdam } from "../train/adam.ts";

export interface OrthogonalEmbeddingOptions {
  /** Adam steps (original 1000; the "superposition" model uses 4). */
  steps?: number;
  lr?: number;
  /** Target cosine between distinct rows (0: orthogonal). */
  targetCos?: number;
  /**
   * Stop as soon as the loss falls below this value (not in the original, which always runs
   * every step). Adam does not settle at this minimum: once the gradient is tiny, its second
   * moment decays, the effective step grows and the iterate starts to oscillate (for 50
   * features in 100 dimensions after ~500 steps, leaving |E·Eᵀ − I| ~ 1e-3 at step 1000).
   * A tolerance such as 1e-10 returns the exactly orthonormal embedding instead.
   */
  stopBelowLoss?: number;
  /** Called with each step's loss before its update (the train-model stage's loss curve). */
  onStep?: (step: number, loss: number) => void;
}

/**
 * The loss of step 2 and its gradient, by hand: with G = E·Eᵀ and
 * R_ij = G_ij − target (i ≠ j), R_ii = N·(G_ii − 1),  ∂L/∂E = 4·R·E
 * (each off-diagonal pair appears twice in the sum, and ∂(e_i·e_i)/∂e_i = 2e_i).
 * `e` is [N, H] row-major; the gradient is written into `grad`.
 */
export function orthogonalityLossAndGrad(e: ArrayLike<number>, n: number, h: number, targetCos: number, grad: Float32Array | Float64Array): number {
  const r = new Float64Array(n * n);
  let loss = 0;
  for (let i = 0; i < n; i++) {
    for (let j = i; j < n; j++) {
      let dot = 0;
      for (let k = 0; k < h; k++) dot += e[i * h + k] * e[j * h + k];
      if (i === j) {
        const d = dot - 1;
        loss += n * d * d;
        r[i * n + i] = n * d;
      } else {
        const d = dot - targetCos;
        loss += 2 * d * d;
        r[i * n + j] = d;
        r[j * n + i] = d;
      }
    }
  }
  const row = new Float64Array(h);
  for (let i = 0; i < n; i++) {
    row.fill(0);
    for (let j = 0; j < n; j++) {
      const c = r[i * n + j];
      if (c === 0) continue;
      for (let k = 0; k < h; k++) row[k] += c * e[j * h + k];
    }
    for (let k = 0; k < h; k++) grad[i * h + k] = 4 * row[k];
  }
  return loss;
}

/** The same loss in tfjs ops (autodiff reference for the hand-written gradient). */
export function orthogonalityReferenceLoss(tf: typeof tfTypes, e: tfTypes.Tensor2D, targetCos: number): tfTypes.Scalar {
  const n = e.shape[0];
  const g = tf.matMul(e, e, false, true);
  const eye = tf.eye(n);
  const off = tf.mul(tf.sub(g, targetCos), tf.sub(1, eye));
  const diag = tf.sub(tf.sum(tf.mul(g, eye), 1), 1);
  return tf.add(tf.sum(tf.square(off)), tf.mul(n, tf.sum(tf.square(diag)))) as tfTypes.Scalar;
}

function normaliseRows(e: Float32Array, n: number, h: number): void {
  for (let i = 0; i < n; i++) {
    let n2 = 0;
    for (let k = 0; k < h; k++) n2 += e[i * h + k] ** 2;
    const inv = 1 / Math.sqrt(n2);
    for (let k = 0; k < h; k++) e[i * h + k] *= inv;
  }
}

/**
 * The toy model's embedding: [nFeatures, hidden] unit rows, row i = true feature i.
 * Optimised in float32 with torch's Adam (β .9/.999, ε 1e-8), as the original.
 */
export function orthogonalFeatureEmbedding(nFeatures: number, hidden: number, options: OrthogonalEmbeddingOptions, rng: Rng): Float32Array {
  const { steps = 1000, lr = 0.01, targetCos = 0, stopBelowLoss, onStep } = options;
  if (!(Number.isInteger(nFeatures) && nFeatures > 0 && Number.isInteger(hidden) && hidden > 0)) {
    throw new Error(`orthogonalFeatureEmbedding: sizes must be positive integers, got ${nFeatures}×${hidden}`);
  }
  const e = rng.fillNormal(new Float32Array(nFeatures * hidden));
  normaliseRows(e, nFeatures, hidden);
  const grad = new Float32Array(e.length);
  const adam = new InstanceAdam([e], 1, { beta1: Float64Array.of(0.9), beta2: 0.999, eps: 1e-8 });
  const lrs = Float64Array.of(lr);
  for (let step = 0; step < steps; step++) {
    const loss = orthogonalityLossAndGrad(e, nFeatures, hidden, targetCos, grad);
    onStep?.(step, loss);
    if (stopBelowLoss !== undefined && loss < stopBelowLoss) break;
    adam.step([grad], lrs);
  }
  normaliseRows(e, nFeatures, hidden);
  return e;
}

/** x = features·E: [B, N] feature magnitudes → [B, H] model activations. */
export function embedFeatures(features: ArrayLike<number>, embedding: ArrayLike<number>, nFeatures: number, hidden: number): Float32Array {
  const batch = features.length / nFeatures;
  if (!Number.isInteger(batch)) throw new Error(`embedFeatures: ${features.length} values are not rows of ${nFeatures} features`);
  if (embedding.length !== nFeatures * hidden) throw new Error(`embedFeatures: embedding has ${embedding.length} values, expected ${nFeatures}×${hidden}`);
  const out = new Float32Array(batch * hidden);
  const row = new Float64Array(hidden);
  for (let s = 0; s < batch; s++) {
    row.fill(0);
    for (let i = 0; i < nFeatures; i++) {
      const f = features[s * nFeatures + i];
      if (f === 0) continue; // the features are sparse
      for (let k = 0; k < hidden; k++) row[k] += f * embedding[i * hidden + k];
    }
    out.set(row, s * hidden);
  }
  return out;
}
