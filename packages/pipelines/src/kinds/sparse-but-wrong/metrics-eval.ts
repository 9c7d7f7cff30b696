/**
 * The evaluation of one SAE as the Sparse-but-Wrong notebooks do it (§1.8): the training SAE
 * on a held-out batch, BatchTopK with top-k over that whole batch (not the θ threshold).
 */
import type { JsonValue } from "@toy-sae/core/artifact/provenance";
import type { AnyArchitecture } from "@toy-sae/core/sae/architecture";
import { saeDecode } from "@toy-sae/core/sae/shared/saelens-base";
import type { SaeParams } from "@toy-sae/core/sae/types";
import { findBestIndexReordering, roundCos } from "@toy-sae/core/metrics/cos-reordering";
import { mmcsTrueToSae } from "@toy-sae/core/metrics/mmcs";
import { nthDecoderProjections } from "@toy-sae/core/metrics/nth-decoder-projection";
import { columnsAsRows, meanAbsPairwiseCosine } from "@toy-sae/core/metrics/pairwise-cosine";
import { decoderFeatureCos, encoderFeatureCos, evalSparseButWrong, featureMixingScore } from "@toy-sae/core/metrics/sparse-but-wrong";

export interface EvalInput {
  /** Feature magnitudes [n, nFeatures] and the model's output x = features·E [n, dIn]. */
  features: Float32Array;
  x: Float32Array;
  n: number;
  embedding: Float32Array;
  nFeatures: number;
}

export interface SaeEvaluation {
  trueL0: number;
  l0: number;
  dead: number;
  shrinkage: number;
  varianceExplained: number;
  /** mean_b ‖x̂ − x‖² (the trainer's reconstruction loss). */
  mse: number;
  featureMixing: number;
  pairwiseDecoderCos: number;
  pairwiseEncoderCos: number;
  /** Mean reordered-diagonal decoder cosine (the plots' reordering score): 1 when every latent is one feature. */
  diagonalCos: number;
  mmcs: number;
  /** [dSae, nFeatures] */
  decCos: Float64Array;
  encCos: Float64Array;
  /** s_n^dec for n = 0..dSae−1. */
  projections: Float64Array;
}

export interface EvalSae {
  params: SaeParams;
  instance: number;
  arch: AnyArchitecture;
  options: Record<string, JsonValue>;
  /** The SAE's hyperparameters after training (a k transition ends at its final int(k)). */
  hyper: Record<string, number>;
}

/**
 * Codes of one SAE for the evaluation batch, as its architecture encodes (BatchTopK: top-k over
 * the whole batch, as the notebooks call the training SAE). `hyper` overrides, e.g. a forced k.
 */
export function encode(sae: EvalSae, x: Float32Array, n: number, hyper: Record<string, number> = sae.hyper): Float32Array {
  return sae.arch.encode(sae.params, sae.instance, x, n, sae.options, hyper);
}

export function mseOf(xHat: Float32Array, x: Float32Array, n: number): number {
  let sum = 0;
  for (let e = 0; e < x.length; e++) sum += (xHat[e] - x[e]) ** 2;
  return sum / n;
}

/**
 * W_dec with unit rows. The JumpReLU notebook's eval_sae calls fold_W_dec_norm on the SAE
 * before the decoder projections are taken (a no-op on its outputs, but P uses W_dec); the
 * BatchTopK SAEs of 6.11.1 cannot fold, so theirs are used as trained.
 */
function unitRows(w: Float32Array, rows: number, dim: number): Float32Array {
  const out = new Float32Array(w.length);
  for (let r = 0; r < rows; r++) {
    let n2 = 0;
    for (let k = 0; k < dim; k++) n2 += w[r * dim + k] ** 2;
    const inv = n2 > 0 ? 1 / Math.sqrt(n2) : 0;
    for (let k = 0; k < dim; k++) out[r * dim + k] = w[r * dim + k] * inv;
  }
  return out;
}

export function evaluateSae(sae: EvalSae, input: EvalInput, mixing: { latents: readonly number[]; feature: number }): SaeEvaluation {
  const { params: p, instance: i } = sae;
  const { dIn: D, dSae: M } = p;
  const { x, n, features, embedding, nFeatures: N } = input;
  const acts = encode(sae, x, n);
  const xHat = saeDecode(p, i, acts, n);
  const summary = evalSparseButWrong(features, N, x, xHat, acts, n, D, M);
  const wDec = p.wDec.subarray(i * M * D, (i + 1) * M * D);
  const wEnc = p.wEnc.subarray(i * D * M, (i + 1) * D * M);
  const bDec = p.bDec.subarray(i * D, (i + 1) * D);
  const decCos = decoderFeatureCos(wDec, M, embedding, N, D);
  const encCos = encoderFeatureCos(wEnc, M, embedding, N, D);
  const projectionDecoder = sae.arch.name === "jumprelu" ? unitRows(wDec, M, D) : wDec;
  return {
    trueL0: summary.trueL0,
    l0: summary.saeL0,
    dead: summary.dead,
    shrinkage: summary.shrinkage,
    varianceExplained: summary.varianceExplained,
    mse: mseOf(xHat, x, n),
    featureMixing: featureMixingScore(decCos, M, N, mixing.latents, mixing.feature),
    pairwiseDecoderCos: meanAbsPairwiseCosine(wDec, M, D),
    pairwiseEncoderCos: meanAbsPairwiseCosine(columnsAsRows(wEnc, D, M), M, D),
    diagonalCos: findBestIndexReordering(roundCos(decCos), M, N).score,
    mmcs: mmcsTrueToSae(decCos, M, N),
    decCos,
    encCos,
    projections: nthDecoderProjections(x, n, D, projectionDecoder, bDec, M),
  };
}

/** Per-sample number of firing features: mean and its standard error (the true L0 and how well it is known). */
export function trueL0WithError(features: Float32Array, n: number, nFeatures: number): { mean: number; se: number } {
  let sum = 0;
  let sum2 = 0;
  for (let s = 0; s < n; s++) {
    let c = 0;
    for (let f = 0; f < nFeatures; f++) if (features[s * nFeatures + f] > 0) c++;
    sum += c;
    sum2 += c * c;
  }
  const mean = sum / n;
  const variance = n > 1 ? (sum2 - n * mean * mean) / (n - 1) : 0;
  return { mean, se: Math.sqrt(Math.max(variance, 0) / n) };
}

/**
 * Mean over the other features j of the Pearson correlation between [f_feature > 0] and
 * [f_j > 0] on a sample: the firing correlation the copula's latent ρ produces (weaker than ρ).
 */
export function meanFiringCorrelation(features: Float32Array, n: number, nFeatures: number, feature: number): number {
  const fires = (s: number, j: number) => (features[s * nFeatures + j] > 0 ? 1 : 0);
  let p0 = 0;
  for (let s = 0; s < n; s++) p0 += fires(s, feature);
  p0 /= n;
  let sum = 0;
  let count = 0;
  for (let j = 0; j < nFeatures; j++) {
    if (j === feature) continue;
    let pj = 0;
    let both = 0;
    for (let s = 0; s < n; s++) {
      const f = fires(s, j);
      pj += f;
      both += f * fires(s, feature);
    }
    pj /= n;
    const denominator = Math.sqrt(p0 * (1 - p0) * pj * (1 - pj));
    if (denominator === 0) continue;
    sum += (both / n - p0 * pj) / denominator;
    count++;
  }
  return count ? sum / count : NaN;
}
