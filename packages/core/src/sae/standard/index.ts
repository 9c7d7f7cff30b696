/**
 * "standard": SAELens 5.10.2 `TrainingSAE` with architecture "standard", as the
 * feature-hedging paper trains it (chanind/feature-hedging-paper `saes/base_sae.py`; reference
 * §2.3): a ReLU SAE, MSE (or unsquared L2) reconstruction plus λ·mean_b Σ_j a_j·w_j with
 * w_j = ‖W_dec,j‖ under `scaleSparsityByDecoderNorm`. λ is the per-instance hyperparameter
 * "l1" (a warm-up is a trainer schedule).
 *
 * Options are the SAELens runner's, with its defaults: the hedging toys set
 * `scaleSparsityByDecoderNorm: true`, `normaliseDecoder: false`,
 * `initEncoderAsDecoderTranspose: true` (`train_toy_sae`). With `normaliseDecoder` the decoder
 * rows are set to unit norm at initialisation and before every step, as 5.10.2's trainer does
 * (its parallel-gradient removal runs after the optimiser step and so changes nothing; it is
 * not reproduced). Kernel and tfjs reference: kernel.ts, reference.ts.
 */
import type * as tfTypes from "@tensorflow/tfjs-core";
import { Type } from "@sinclair/typebox";
import { oneOf, strictObject } from "../../schema/index.ts";
import type { Architecture, ReferenceOutput } from "../architecture.ts";
import { STANDARD_PARAMS, type SaeParams, type SaeTensors } from "../types.ts";
import { encodeStandardSae, initStandardSae, standardSaeLossAndGrads, type ReconstructionLoss, type StandardSaeInitOptions } from "./kernel.ts";
import { l1Penalty, reconstructionLoss, standardForward } from "./reference.ts";

/** The init options of SAELens 5.10.2 that both the standard and the Matryoshka SAE take (schema fields). */
export const STANDARD_INIT_OPTION_FIELDS = {
  normaliseDecoder: Type.Boolean({
    default: true,
    description: "SAELens normalize_sae_decoder: unit decoder rows at init and before every step (runner default true; the hedging toys false)",
  }),
  initEncoderAsDecoderTranspose: Type.Boolean({ default: false, description: "SAELens init_encoder_as_decoder_transpose: W_enc = W_decᵀ at init (the hedging toys: true)" }),
  decoderHeuristicInit: Type.Boolean({
    default: false,
    description: "SAELens decoder_heuristic_init: randn decoder rows of norm decoderHeuristicInitNorm (not with normaliseDecoder)",
  }),
  decoderHeuristicInitNorm: Type.Number({ exclusiveMinimum: 0, default: 0.1, description: "SAELens decoder_heuristic_init_norm" }),
};

/** The loss options of SAELens 5.10.2 (schema fields). */
export const STANDARD_LOSS_OPTION_FIELDS = {
  reconstructionLoss: oneOf(["MSE", "L2"], { default: "MSE", description: "SAELens reconstruction_loss: MSE = mean_b ‖x̂ − x‖², L2 = mean_b ‖x̂ − x‖ (unsquared)" }),
  scaleSparsityByDecoderNorm: Type.Boolean({
    default: false,
    description: "SAELens scale_sparsity_penalty_by_decoder_norm: L1 of a_j·‖W_dec,j‖ (runner default false; the hedging toys true)",
  }),
  applyBDecToInput: Type.Boolean({ default: true, description: "SAELens apply_b_dec_to_input: encode x − b_dec" }),
};

const options = strictObject({ ...STANDARD_LOSS_OPTION_FIELDS, ...STANDARD_INIT_OPTION_FIELDS });

export interface StandardOptions extends StandardSaeInitOptions {
  reconstructionLoss: ReconstructionLoss;
  scaleSparsityByDecoderNorm: boolean;
  applyBDecToInput: boolean;
  normaliseDecoder: boolean;
  initEncoderAsDecoderTranspose: boolean;
  decoderHeuristicInit: boolean;
  decoderHeuristicInitNorm: number;
}

/** SAELens `set_decoder_norm_to_unit_norm` on every instance (a zero row stays zero; torch would give NaN). */
export function setDecoderRowsToUnitNorm(p: SaeParams): void {
  const rows = p.instances * p.dSae;
  const D = p.dIn;
  for (let r = 0; r < rows; r++) {
    let n2 = 0;
    for (let k = 0; k < D; k++) n2 += p.wDec[r * D + k] ** 2;
    if (n2 === 0) continue;
    const inv = 1 / Math.sqrt(n2);
    for (let k = 0; k < D; k++) p.wDec[r * D + k] *= inv;
  }
}

/** The standard loss per instance with its parts, x [I, B, dIn]. */
export function standardReference(tf: typeof tfTypes, t: SaeTensors, x: tfTypes.Tensor3D, l1: Float64Array, o: StandardOptions): ReferenceOutput {
  const { acts, reconstruction: xHat } = standardForward(tf, t, x, o.applyBDecToInput);
  const reconstruction = reconstructionLoss(tf, xHat, x, o.reconstructionLoss);
  const lambda = tf.tensor1d(Float32Array.from(l1), "float32");
  const sparsity = tf.mul(lambda, l1Penalty(tf, acts, t.wDec, o.scaleSparsityByDecoderNorm)) as tfTypes.Tensor1D;
  return { loss: tf.add(reconstruction, sparsity) as tfTypes.Tensor1D, reconstruction, sparsity, codes: acts };
}

export const architecture: Architecture<StandardOptions, null> = {
  name: "standard",
  description: "SAELens 5.10.2 standard SAE: ReLU, MSE (or L2) + λ·L1 optionally scaled by ‖W_dec,j‖, the feature-hedging paper's base SAE (reference §2.3)",
  options,
  hyper: ["l1"],
  params: STANDARD_PARAMS,
  fireThreshold: 0,
  init: (shape, o, rngs) => initStandardSae(shape, [...rngs], o),
  createState: () => null,
  encode: (p, instance, x, n, o) => encodeStandardSae(p, instance, x, n, o.applyBDecToInput),
  referenceLoss: (tf, t, x, ctx) => standardReference(tf, t, x, ctx.hyper.l1, ctx.options),
  fused: (p, grads, batch, ctx) => standardSaeLossAndGrads(p, { l1: ctx.hyper.l1, options: ctx.options }, batch, grads),
  hooks: {
    beforeStep(p, ctx) {
      if (ctx.options.normaliseDecoder) setDecoderRowsToUnitNorm(p);
    },
  },
};
