/**
 * Feature-geometry metrics of a toy model of superposition (Elhage et al. 2022, "feature
 * dimensionality"; ARENA 1.3.1 "Feature geometry", reference arena-toy-models.md §1, fig. 28
 * and 31). All take one instance's W in the ARENA layout [dHidden, nFeatures]: column i is
 * W_i, feature i's direction in the hidden space.
 *
 *   dimensions per feature   D* = d_hidden / ‖W‖_F²
 *   feature dimensionality   D_i = ‖W_i‖² / Σ_j (Ŵ_i·W_j)²,   Ŵ_i = W_i / (‖W_i‖ + 1e-8)
 *   superposition            Σ_{j≠i} (Ŵ_i·W_j)²   (the colour of the feature-norm bars)
 *
 * D_i is 1 for a feature with a dimension of its own, ½ for an antipodal pair, 2/5 for a
 * pentagon. The j = i term of its denominator is ‖W_i‖²·(‖W_i‖/(‖W_i‖+ε))², so an all-zero
 * column gives 0/0 = NaN, as in the original (such a feature is not represented at all).
 */
import { assertDims, assertMatrix, type FloatArray } from "./shape.ts";

/** The normalisation ε of the dimensionality formula (ARENA's `compute_dimensionality`). */
export const DIMENSIONALITY_EPS = 1e-8;
/**
 * The normalisation ε of ARENA's feature-bar plot (`plot_features_in_Nd`): 1e-6 in the
 * current version (S); OLD used 1e-5.
 */
export const SUPERPOSITION_EPS = 1e-6;
export const SUPERPOSITION_EPS_OLD = 1e-5;

/** The guide lines of the "dimensions per feature" plot: 1/2, 2/3, 2/5, 3/4, 3/8, 3/20. */
export const DIMENSIONS_PER_FEATURE_GUIDES: readonly number[] = [1 / 2, 2 / 3, 2 / 5, 3 / 4, 3 / 8, 3 / 20];

function check(fn: string, w: FloatArray, dHidden: number, nFeatures: number): void {
  assertDims(fn, { dHidden, nFeatures });
  assertMatrix(fn, "w", w, dHidden, nFeatures);
}

/** ‖W_i‖ for every feature i (the feature-norm bars). */
export function featureNorms(w: FloatArray, dHidden: number, nFeatures: number): Float64Array {
  check("featureNorms", w, dHidden, nFeatures);
  const out = new Float64Array(nFeatures);
  for (let i = 0; i < nFeatures; i++) {
    let ss = 0;
    for (let k = 0; k < dHidden; k++) ss += w[k * nFeatures + i] ** 2;
    out[i] = Math.sqrt(ss);
  }
  return out;
}

/** WᵀW [nFeatures, nFeatures]: W_i·W_j, the heatmap of fig. 28. */
export function featureGram(w: FloatArray, dHidden: number, nFeatures: number): Float64Array {
  check("featureGram", w, dHidden, nFeatures);
  const out = new Float64Array(nFeatures * nFeatures);
  for (let k = 0; k < dHidden; k++) {
    const row = k * nFeatures;
    for (let i = 0; i < nFeatures; i++) {
      const wi = w[row + i];
      if (wi === 0) continue;
      for (let j = 0; j < nFeatures; j++) out[i * nFeatures + j] += wi * w[row + j];
    }
  }
  return out;
}

/** D* = d_hidden / ‖W‖_F²: how many hidden dimensions each (represented) feature gets on average. */
export function dimensionsPerFeature(w: FloatArray, dHidden: number, nFeatures: number): number {
  check("dimensionsPerFeature", w, dHidden, nFeatures);
  let ss = 0;
  for (let e = 0; e < w.length; e++) ss += w[e] * w[e];
  return dHidden / ss;
}

/** (Ŵ_i·W_j)² for all i, j with Ŵ_i = W_i/(‖W_i‖ + eps): row i, column j. */
function squaredProjections(w: FloatArray, dHidden: number, nFeatures: number, eps: number): Float64Array {
  const gram = featureGram(w, dHidden, nFeatures);
  const out = new Float64Array(nFeatures * nFeatures);
  for (let i = 0; i < nFeatures; i++) {
    const scale = 1 / (Math.sqrt(gram[i * nFeatures + i]) + eps);
    for (let j = 0; j < nFeatures; j++) out[i * nFeatures + j] = (gram[i * nFeatures + j] * scale) ** 2;
  }
  return out;
}

/** D_i = ‖W_i‖² / Σ_j (Ŵ_i·W_j)² for every feature (NaN for an all-zero column). */
export function featureDimensionality(w: FloatArray, dHidden: number, nFeatures: number, eps = DIMENSIONALITY_EPS): Float64Array {
  check("featureDimensionality", w, dHidden, nFeatures);
  const proj = squaredProjections(w, dHidden, nFeatures, eps);
  const norms = featureNorms(w, dHidden, nFeatures);
  const out = new Float64Array(nFeatures);
  for (let i = 0; i < nFeatures; i++) {
    let denominator = 0;
    for (let j = 0; j < nFeatures; j++) denominator += proj[i * nFeatures + j];
    out[i] = norms[i] ** 2 / denominator;
  }
  return out;
}

/**
 * Σ_{j≠i} (Ŵ_i·W_j)² for every feature: 0 for a feature orthogonal to all others. ARENA's
 * plot colours bars by the square root of this (`{ sqrt: true }`); ε defaults to the S plot's.
 */
export function featureSuperposition(w: FloatArray, dHidden: number, nFeatures: number, options: { eps?: number; sqrt?: boolean } = {}): Float64Array {
  check("featureSuperposition", w, dHidden, nFeatures);
  const { eps = SUPERPOSITION_EPS, sqrt = false } = options;
  const proj = squaredProjections(w, dHidden, nFeatures, eps);
  const out = new Float64Array(nFeatures);
  for (let i = 0; i < nFeatures; i++) {
    let s = 0;
    for (let j = 0; j < nFeatures; j++) if (j !== i) s += proj[i * nFeatures + j];
    out[i] = sqrt ? Math.sqrt(s) : s;
  }
  return out;
}

/** One instance's W [dHidden, nFeatures] (a view) out of an [I, dHidden, nFeatures] tensor. */
export function instanceFeatureMatrix(w: FloatArray, instance: number, dHidden: number, nFeatures: number): FloatArray {
  const per = dHidden * nFeatures;
  if (!(Number.isInteger(instance) && instance >= 0 && (instance + 1) * per <= w.length)) {
    throw new Error(`instanceFeatureMatrix: instance ${instance} is outside a tensor of ${w.length / per} instances`);
  }
  return w.subarray(instance * per, (instance + 1) * per);
}
