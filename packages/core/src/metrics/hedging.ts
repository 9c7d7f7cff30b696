// biome-ignore-all format: hand-unrolled numeric loops keep several declarations per line (one per unrolled lane)
/**
 * Hedging and absorption diagnostics on toys with known features (feature-hedging paper,
 * reference §2.5–2.7 and §4.2), all from plain row-major matrices:
 *
 * - child components in a parent's latent: for each parent → child edge, the signed cosine of
 *   the child's direction with the parent's latent, for the encoder column and the decoder
 *   row. Positive = hedging (the latent mixes in the child, as MSE rewards when the latent is
 *   too narrow to hold both); negative = absorption (the latent subtracts the child, which a
 *   separate child latent then carries). This is what the paper's heatmaps show per latent.
 * - b_dec's cosine with each feature and its norm (the single-latent notebook prints both;
 *   with independent features b_dec ≈ P(f1)·f1).
 * - the absorption gap of SAELens issue #729 per edge:
 *   P(parent latent fires | parent on, child off) − P(parent latent fires | parent on, child on).
 * - per-latent classification as SAELens `sae_lens.synthetic` evals (§4.2): each latent is
 *   matched to its best-|cos| feature (decoder row vs feature; ties to the lower index, as
 *   torch.argmax), and [a > 0] is scored against [f > 0]: precision, recall and F1 (0 when
 *   undefined) and accuracy, per latent and averaged over latents (dead latents count as 0).
 *
 * Shapes: W_enc [dIn, dSae] (column j = latent j's encoder), W_dec [dSae, dIn], features
 * [nFeatures, dIn], codes [nSamples, dSae], feature activations [nSamples, nFeatures].
 */
import { cosineMatrix } from "./cosine.ts";
import { assertDims, assertMatrix, type FloatArray } from "./shape.ts";

/** A parent → child relation between true features (e.g. a tree sampler's `edges`). */
export interface HierarchyEdge {
  parent: number;
  child: number;
}

export interface LatentFeatureCosines {
  /** [dSae, nFeatures] cos(W_enc[:, i], g_j). */
  encoder: Float64Array;
  /** [dSae, nFeatures] cos(W_dec[i], g_j). */
  decoder: Float64Array;
}

/** Signed encoder and decoder cosines of every latent with every feature. */
export function latentFeatureCosines(
  wEnc: FloatArray,
  wDec: FloatArray,
  features: FloatArray,
  dIn: number,
  dSae: number,
  nFeatures: number,
): LatentFeatureCosines {
  assertDims("latentFeatureCosines", { dIn, dSae, nFeatures });
  assertMatrix("latentFeatureCosines", "wEnc", wEnc, dIn, dSae);
  const encoderRows = new Float64Array(dSae * dIn);
  for (let k = 0; k < dIn; k++) for (let i = 0; i < dSae; i++) encoderRows[i * dIn + k] = wEnc[k * dSae + i];
  return {
    encoder: cosineMatrix(encoderRows, dSae, features, nFeatures, dIn),
    decoder: cosineMatrix(wDec, dSae, features, nFeatures, dIn),
  };
}

/** For every feature, the latent whose decoder has the highest signed cosine with it (ties: lower latent). */
export function bestLatentPerFeature(decoderCos: FloatArray, dSae: number, nFeatures: number): Int32Array {
  assertDims("bestLatentPerFeature", { dSae, nFeatures });
  assertMatrix("bestLatentPerFeature", "decoderCos", decoderCos, dSae, nFeatures);
  const best = new Int32Array(nFeatures);
  for (let f = 0; f < nFeatures; f++) {
    for (let i = 1; i < dSae; i++) if (decoderCos[i * nFeatures + f] > decoderCos[best[f] * nFeatures + f]) best[f] = i;
  }
  return best;
}

export interface ChildComponent extends HierarchyEdge {
  /** The latent taken as the parent's. */
  latent: number;
  /** cos(encoder of the latent, child direction): > 0 hedging, < 0 absorption. */
  encoderCos: number;
  /** cos(decoder row of the latent, child direction). */
  decoderCos: number;
}

function latentOf(parentLatent: ArrayLike<number>, feature: number, dSae: number, what: string): number {
  const l = parentLatent[feature];
  if (!(Number.isInteger(l) && l >= 0 && l < dSae)) throw new Error(`${what}: no latent in [0, ${dSae}) for parent feature ${feature} (got ${l})`);
  return l;
}

function checkEdges(what: string, edges: readonly HierarchyEdge[], nFeatures: number): void {
  for (const { parent, child } of edges) {
    for (const f of [parent, child]) {
      if (!(Number.isInteger(f) && f >= 0 && f < nFeatures)) throw new Error(`${what}: edge ${parent} → ${child} names feature ${f}, outside [0, ${nFeatures})`);
    }
  }
}

/**
 * The signed child components in each parent's latent, one record per edge. `parentLatent`
 * maps a feature to its latent (indexed by feature; default: `bestLatentPerFeature`).
 */
export function childComponentsInParentLatents(
  cos: LatentFeatureCosines,
  dSae: number,
  nFeatures: number,
  edges: readonly HierarchyEdge[],
  parentLatent: ArrayLike<number> = bestLatentPerFeature(cos.decoder, dSae, nFeatures),
): ChildComponent[] {
  assertMatrix("childComponentsInParentLatents", "cos.encoder", cos.encoder, dSae, nFeatures);
  assertMatrix("childComponentsInParentLatents", "cos.decoder", cos.decoder, dSae, nFeatures);
  checkEdges("childComponentsInParentLatents", edges, nFeatures);
  return edges.map(({ parent, child }) => {
    const latent = latentOf(parentLatent, parent, dSae, "childComponentsInParentLatents");
    return { parent, child, latent, encoderCos: cos.encoder[latent * nFeatures + child], decoderCos: cos.decoder[latent * nFeatures + child] };
  });
}

export interface DecoderBiasComponents {
  /** cos(b_dec, g_j) per feature (0 when b_dec = 0). */
  cos: Float64Array;
  /** ‖b_dec‖. */
  norm: number;
}

export function decoderBiasComponents(bDec: FloatArray, features: FloatArray, dIn: number, nFeatures: number): DecoderBiasComponents {
  assertDims("decoderBiasComponents", { dIn, nFeatures });
  assertMatrix("decoderBiasComponents", "bDec", bDec, 1, dIn);
  let n2 = 0;
  for (let k = 0; k < dIn; k++) n2 += bDec[k] * bDec[k];
  return { cos: cosineMatrix(bDec, 1, features, nFeatures, dIn), norm: Math.sqrt(n2) };
}

export interface AbsorptionGap extends HierarchyEdge {
  latent: number;
  /** Samples with the parent on and the child off, and the fraction where the latent fired. */
  parentOnly: number;
  firesWhenParentOnly: number;
  /** Samples with both on, and the fraction where the latent fired. */
  parentAndChild: number;
  firesWhenParentAndChild: number;
  /** firesWhenParentOnly − firesWhenParentAndChild (NaN when either set is empty). */
  gap: number;
}

/** The absorption gap per edge from codes [nSamples, dSae] and feature activations [nSamples, nFeatures]. */
export function absorptionGaps(
  codes: FloatArray,
  featureActs: FloatArray,
  nSamples: number,
  dSae: number,
  nFeatures: number,
  edges: readonly HierarchyEdge[],
  parentLatent: ArrayLike<number>,
): AbsorptionGap[] {
  assertDims("absorptionGaps", { nSamples, dSae, nFeatures });
  assertMatrix("absorptionGaps", "codes", codes, nSamples, dSae);
  assertMatrix("absorptionGaps", "featureActs", featureActs, nSamples, nFeatures);
  checkEdges("absorptionGaps", edges, nFeatures);
  return edges.map(({ parent, child }) => {
    const latent = latentOf(parentLatent, parent, dSae, "absorptionGaps");
    let only = 0, onlyFires = 0, both = 0, bothFires = 0;
    for (let s = 0; s < nSamples; s++) {
      if (!(featureActs[s * nFeatures + parent] > 0)) continue;
      const fires = codes[s * dSae + latent] > 0 ? 1 : 0;
      if (featureActs[s * nFeatures + child] > 0) {
        both++;
        bothFires += fires;
      } else {
        only++;
        onlyFires += fires;
      }
    }
    const firesWhenParentOnly = only > 0 ? onlyFires / only : Number.NaN;
    const firesWhenParentAndChild = both > 0 ? bothFires / both : Number.NaN;
    return {
      parent,
      child,
      latent,
      parentOnly: only,
      firesWhenParentOnly,
      parentAndChild: both,
      firesWhenParentAndChild,
      gap: firesWhenParentOnly - firesWhenParentAndChild,
    };
  });
}

export interface LatentClassification {
  latent: number;
  /** The best-|cos| feature the latent is scored against. */
  feature: number;
  absCos: number;
  tp: number;
  fp: number;
  fn: number;
  tn: number;
  precision: number;
  recall: number;
  f1: number;
  accuracy: number;
}

export interface ClassificationSummary {
  perLatent: LatentClassification[];
  /** Means over latents. */
  precision: number;
  recall: number;
  f1: number;
  accuracy: number;
}

/** SAELens synthetic-eval classification of every latent against its best-|cos| feature. */
export function latentClassification(
  codes: FloatArray,
  featureActs: FloatArray,
  nSamples: number,
  wDec: FloatArray,
  features: FloatArray,
  dIn: number,
  dSae: number,
  nFeatures: number,
): ClassificationSummary {
  assertDims("latentClassification", { nSamples, dIn, dSae, nFeatures });
  assertMatrix("latentClassification", "codes", codes, nSamples, dSae);
  assertMatrix("latentClassification", "featureActs", featureActs, nSamples, nFeatures);
  const cos = cosineMatrix(wDec, dSae, features, nFeatures, dIn);
  const perLatent: LatentClassification[] = [];
  for (let i = 0; i < dSae; i++) {
    let feature = 0;
    for (let f = 1; f < nFeatures; f++) if (Math.abs(cos[i * nFeatures + f]) > Math.abs(cos[i * nFeatures + feature])) feature = f;
    let tp = 0, fp = 0, fn = 0, tn = 0;
    for (let s = 0; s < nSamples; s++) {
      const predicted = codes[s * dSae + i] > 0;
      const actual = featureActs[s * nFeatures + feature] > 0;
      if (predicted && actual) tp++;
      else if (predicted) fp++;
      else if (actual) fn++;
      else tn++;
    }
    const precision = tp + fp > 0 ? tp / (tp + fp) : 0;
    const recall = tp + fn > 0 ? tp / (tp + fn) : 0;
    const f1 = precision + recall > 0 ? (2 * precision * recall) / (precision + recall) : 0;
    perLatent.push({ latent: i, feature, absCos: Math.abs(cos[i * nFeatures + feature]), tp, fp, fn, tn, precision, recall, f1, accuracy: (tp + tn) / nSamples });
  }
  const mean = (key: "precision" | "recall" | "f1" | "accuracy") => perLatent.reduce((s, l) => s + l[key], 0) / dSae;
  return { perLatent, precision: mean("precision"), recall: mean("recall"), f1: mean("f1"), accuracy: mean("accuracy") };
}
