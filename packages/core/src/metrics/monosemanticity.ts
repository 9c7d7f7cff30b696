/**
 * Monosemanticity of SAE latents on the identity batch (Engineering Monosemanticity,
 * Jermyn et al. arXiv 2211.09169, eq. 7; as the composed-feature toy code computes it).
 *
 * Present each true feature alone at value 1 (so the model's hidden vector is h_i = W[i]) and
 * record the SAE's latent activations A[i, j] = a_j(feature i alone), A is [nFeatures, dSae].
 *
 *   mono_j = max_i A_ij / (1e-10 + Σ_i A_ij)        (per latent)
 *   mono   = (1/dSae) Σ_j mono_j                     (the reported score, maximum 1)
 *
 * A latent that fires for exactly one feature scores 1; one that fires equally for all n features
 * scores 1/n. A dead latent (Σ_i A_ij = 0) scores 0 through the 1e-10 — it still counts in the
 * 1/dSae average, so dead latents pull the score down, as in the original.
 * Negative activations (possible only for non-ReLU variants) are clamped to 0 first, as Jermyn
 * et al. clamp; for ReLU/TopK/JumpReLU latents this changes nothing.
 */
import { assertDims, assertMatrix, type FloatArray } from "./shape.ts";

/** The per-latent scores mono_j, length dSae. */
export function monosemanticityPerLatent(acts: FloatArray, nFeatures: number, dSae: number): Float64Array {
  assertDims("monosemanticityPerLatent", { nFeatures, dSae });
  assertMatrix("monosemanticityPerLatent", "acts", acts, nFeatures, dSae);
  const out = new Float64Array(dSae);
  for (let j = 0; j < dSae; j++) {
    let max = 0;
    let sum = 0;
    for (let i = 0; i < nFeatures; i++) {
      const a = Math.max(0, acts[i * dSae + j]);
      if (a > max) max = a;
      sum += a;
    }
    out[j] = max / (1e-10 + sum);
  }
  return out;
}

/** mono = mean over latents of `monosemanticityPerLatent`. */
export function monosemanticity(acts: FloatArray, nFeatures: number, dSae: number): number {
  const per = monosemanticityPerLatent(acts, nFeatures, dSae);
  let s = 0;
  for (let j = 0; j < dSae; j++) s += per[j];
  return s / dSae;
}
