/**
 * The evaluation of one hedging SAE on its dataset's held-out sample (reference §2.5, §4.2):
 * reconstruction (MSE, variance explained as SAELens' synthetic evals), L0 and dead latents,
 * encoder and decoder cosines of every latent with every true feature, b_dec's cosine with each
 * feature and its norm, MCC (Hungarian match on |decoder cos|) and the per-latent
 * classification F1, and per parent → child edge the child's signed component in the parent's
 * latent (positive = hedging, negative = absorption) and the absorption gap.
 */
import type { JsonValue } from "@toy-sae/core/artifact/provenance";
import type { AnyArchitecture } from "@toy-sae/core/sae/architecture";
import { saeDecode } from "@toy-sae/core/sae/shared/saelens-base";
import type { SaeParams } from "@toy-sae/core/sae/types";
import {
  absorptionGaps,
  bestLatentPerFeature,
  childComponentsInParentLatents,
  decoderBiasComponents,
  latentClassification,
  latentFeatureCosines,
  type AbsorptionGap,
  type ChildComponent,
  type HierarchyEdge,
} from "@toy-sae/core/metrics/hedging";
import { mcc } from "@toy-sae/core/metrics/mcc";

export interface EvalInput {
  /** Feature magnitudes [n, nFeatures] and x = features·E [n, dIn]. */
  features: Float32Array;
  x: Float32Array;
  n: number;
  /** [nFeatures, dIn], row i = true feature i. */
  embedding: Float32Array;
  nFeatures: number;
  edges: readonly HierarchyEdge[];
}

export interface EvalSae {
  params: SaeParams;
  arch: AnyArchitecture;
  options: Record<string, JsonValue>;
  hyper: Record<string, number>;
  /** Ground-truth start: latent j started at feature ordering[j] (j < min(dSae, nFeatures)); null for a random init. */
  ordering: number[] | null;
}

export interface HedgingEvaluation {
  mse: number;
  varianceExplained: number;
  l0: number;
  dead: number;
  /** [dSae, nFeatures] */
  encCos: Float64Array;
  decCos: Float64Array;
  bDecCos: Float64Array;
  bDecNorm: number;
  mcc: number;
  f1: number;
  precision: number;
  recall: number;
  components: ChildComponent[];
  gaps: AbsorptionGap[];
}

/**
 * Each feature's latent: where the ground-truth start put it (latent j = feature ordering[j]),
 * else the latent whose decoder is closest to it.
 */
export function latentOfFeature(decCos: Float64Array, dSae: number, nFeatures: number, ordering: number[] | null): Int32Array {
  const best = bestLatentPerFeature(decCos, dSae, nFeatures);
  if (ordering === null) return best;
  return Int32Array.from({ length: nFeatures }, (_, f) => {
    const j = ordering.indexOf(f);
    return j >= 0 ? j : best[f];
  });
}

export function evaluateHedgingSae(sae: EvalSae, input: EvalInput): HedgingEvaluation {
  const { params: p } = sae;
  const { n, x, nFeatures: N, embedding } = input;
  const D = p.dIn;
  const M = p.dSae;
  const codes = sae.arch.encode(p, 0, x, n, sae.options, sae.hyper);
  const xHat = sae.arch.decode ? sae.arch.decode(p, 0, codes, n, sae.options) : saeDecode(p, 0, codes, n);
  let sse = 0;
  const mean = new Float64Array(D);
  let sq = 0;
  for (let s = 0; s < n; s++) {
    for (let k = 0; k < D; k++) {
      const v = x[s * D + k];
      sse += (xHat[s * D + k] - v) ** 2;
      mean[k] += v / n;
      sq += v * v;
    }
  }
  const mse = sse / n;
  const variance = sq / n - mean.reduce((acc, v) => acc + v * v, 0);
  let nonZero = 0;
  const fired = new Uint8Array(M);
  for (let e = 0; e < n * M; e++) {
    if (codes[e] > 0) {
      nonZero++;
      fired[e % M] = 1;
    }
  }
  const cos = latentFeatureCosines(p.wEnc, p.wDec, embedding, D, M, N);
  const bDec = decoderBiasComponents(p.bDec, embedding, D, N);
  const classification = latentClassification(codes, input.features, n, p.wDec, embedding, D, M, N);
  const latentOf = latentOfFeature(cos.decoder, M, N, sae.ordering);
  return {
    mse,
    varianceExplained: variance > 0 ? 1 - mse / variance : NaN,
    l0: nonZero / n,
    dead: M - fired.reduce((acc, f) => acc + f, 0),
    encCos: cos.encoder,
    decCos: cos.decoder,
    bDecCos: bDec.cos,
    bDecNorm: bDec.norm,
    mcc: mcc(cos.decoder, M, N),
    f1: classification.f1,
    precision: classification.precision,
    recall: classification.recall,
    components: childComponentsInParentLatents(cos, M, N, input.edges, latentOf),
    gaps: absorptionGaps(codes, input.features, n, M, N, input.edges, latentOf),
  };
}
