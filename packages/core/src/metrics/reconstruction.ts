/**
 * Reconstruction and sparsity metrics over an evaluation batch. Inputs are row-major:
 * x, xHat [B, d] (inputs and reconstructions), acts [B, dSae] (SAE codes z).
 *
 * Two explained-variance formulas are kept, named, because the sources differ:
 *   varianceExplained        = 1 − E‖x̂ − x‖² / E‖x‖²                 (uncentred; the Sparse-but-Wrong notebook)
 *   explainedVariancePooled  = 1 − E‖x − x̂‖² / (E‖x‖² − ‖E x‖²)        (centred, pooled over the set;
 *                                                                       SAELens ExplainedVarianceCalculator)
 * They agree when the inputs have zero mean and differ otherwise (the centred one is lower).
 */
import { assertDims, assertMatrix, type FloatArray } from "./shape.ts";

function checkPair(fn: string, x: FloatArray, xHat: FloatArray, B: number, d: number): void {
  assertDims(fn, { B, d });
  assertMatrix(fn, "x", x, B, d);
  assertMatrix(fn, "xHat", xHat, B, d);
}

/**
 * Per-sample fraction of variance unexplained ‖x̂ − x‖² / ‖x‖²; a sample with ‖x‖ = 0 uses
 * denominator 1, as the composed-feature toy's normalised-L2 loss does. Length B.
 */
export function fvuPerSample(x: FloatArray, xHat: FloatArray, B: number, d: number): Float64Array {
  checkPair("fvuPerSample", x, xHat, B, d);
  const out = new Float64Array(B);
  for (let b = 0; b < B; b++) {
    let err = 0;
    let norm = 0;
    for (let t = 0; t < d; t++) {
      const xi = x[b * d + t];
      const e = xHat[b * d + t] - xi;
      err += e * e;
      norm += xi * xi;
    }
    out[b] = err / (norm === 0 ? 1 : norm);
  }
  return out;
}

/** 1 − Σ‖x̂ − x‖² / Σ‖x‖² over all samples (uncentred). Needs only equal lengths, no shape. */
export function varianceExplained(x: FloatArray, xHat: FloatArray): number {
  if (x.length !== xHat.length) throw new Error(`varianceExplained: x has ${x.length} values, xHat ${xHat.length}`);
  let err = 0;
  let norm = 0;
  for (let k = 0; k < x.length; k++) {
    const e = xHat[k] - x[k];
    err += e * e;
    norm += x[k] * x[k];
  }
  return 1 - err / norm;
}

/** 1 − E‖x − x̂‖² / (E‖x‖² − ‖E x‖²), pooled over the B samples (centred on the set mean). */
export function explainedVariancePooled(x: FloatArray, xHat: FloatArray, B: number, d: number): number {
  checkPair("explainedVariancePooled", x, xHat, B, d);
  const mean = new Float64Array(d);
  let err = 0;
  let sq = 0;
  for (let b = 0; b < B; b++) {
    for (let t = 0; t < d; t++) {
      const xi = x[b * d + t];
      const e = xi - xHat[b * d + t];
      err += e * e;
      sq += xi * xi;
      mean[t] += xi;
    }
  }
  let meanSq = 0;
  for (let t = 0; t < d; t++) meanSq += (mean[t] / B) ** 2;
  return 1 - err / B / (sq / B - meanSq);
}

/**
 * Shrinkage = mean over samples of ‖x̂‖ / ‖x‖, skipping samples with ‖x‖ < 1e-6 (all-zero inputs
 * are common in sparse toy data and would divide by zero). Below 1 means the SAE shrinks its
 * reconstructions (the L1 penalty's signature). NaN when every sample is skipped.
 */
export function shrinkage(x: FloatArray, xHat: FloatArray, B: number, d: number): number {
  checkPair("shrinkage", x, xHat, B, d);
  let sum = 0;
  let count = 0;
  for (let b = 0; b < B; b++) {
    let nx = 0;
    let nh = 0;
    for (let t = 0; t < d; t++) {
      nx += x[b * d + t] ** 2;
      nh += xHat[b * d + t] ** 2;
    }
    nx = Math.sqrt(nx);
    if (nx < 1e-6) continue;
    sum += Math.sqrt(nh) / nx;
    count++;
  }
  return count === 0 ? NaN : sum / count;
}

/**
 * Relative reconstruction bias γ = E‖x̂‖² / E[x · x̂] (Rajamanoharan et al., Gated SAE eq. 10):
 * the γ minimising E‖x̂/γ − x‖². γ < 1 means shrinkage.
 */
export function relativeReconstructionBias(x: FloatArray, xHat: FloatArray, B: number, d: number): number {
  checkPair("relativeReconstructionBias", x, xHat, B, d);
  let hh = 0;
  let xh = 0;
  for (let k = 0; k < B * d; k++) {
    hh += xHat[k] * xHat[k];
    xh += x[k] * xHat[k];
  }
  return hh / xh;
}

/** L0 = mean over samples of #{ i : z_i > 0 }. */
export function l0(acts: FloatArray, B: number, dSae: number): number {
  assertDims("l0", { B, dSae });
  assertMatrix("l0", "acts", acts, B, dSae);
  let active = 0;
  for (let k = 0; k < B * dSae; k++) if (acts[k] > 0) active++;
  return active / B;
}

/** Firing density per latent: fraction of samples with z_i > 0. Length dSae. */
export function firingDensity(acts: FloatArray, B: number, dSae: number): Float64Array {
  assertDims("firingDensity", { B, dSae });
  assertMatrix("firingDensity", "acts", acts, B, dSae);
  const out = new Float64Array(dSae);
  for (let b = 0; b < B; b++) {
    for (let i = 0; i < dSae; i++) if (acts[b * dSae + i] > 0) out[i]++;
  }
  for (let i = 0; i < dSae; i++) out[i] /= B;
  return out;
}

/** Indices of dead latents: zero (never > 0) on every one of the B samples. The dead count is its length. */
export function deadLatents(acts: FloatArray, B: number, dSae: number): number[] {
  const density = firingDensity(acts, B, dSae);
  const dead: number[] = [];
  for (let i = 0; i < dSae; i++) if (density[i] === 0) dead.push(i);
  return dead;
}
