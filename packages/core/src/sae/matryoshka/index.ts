/**
 * "matryoshka": the feature-hedging paper's `MatryoshkaSAE` on the SAELens 5.10.2 standard SAE
 * (chanind/feature-hedging-paper `saes/matryoshka_sae.py`; reference §2.4), with every option
 * of the original: prefix widths (`matryoshkaSteps`), inner loss multipliers m_i, inner L1
 * multipliers ℓ_i, the outer loss multiplier and `skipOuterLoss`, delta loss (each level trains
 * only its own block, the lower levels' reconstruction detached), the L2 outer loss (inner
 * losses stay squared), normalisation by the number of terms or by d_in, and the b_dec loss;
 * plus the standard SAE's options (decoder-norm-scaled L1, decoder normalisation, W_enc = W_decᵀ
 * init, apply_b_dec_to_input) and SAELens' `min_l1_during_warm_up`, which floors the outer L1.
 *
 * The balancing notebook's β is the first inner loss multiplier: widths [1, d_sae] with
 * `innerLossMultipliers: [β, 1]` and no outer loss; β = 0 is the standard SAE (widths [d_sae]),
 * β = ∞ is delta loss ("detached"). Kernel: kernel.ts; tfjs reference: reference.ts; the
 * options resolve into levels in levels.ts.
 *
 * `matryoshkaSteps` defaults to [] (no inner level: with the outer loss on, the standard SAE);
 * the original has no default. Levels are resolved at initialisation, so a width above d_sae
 * or a multiplier list of the wrong length fails before training starts.
 */
import type * as tfTypes from "@tensorflow/tfjs-core";
import { Type } from "@sinclair/typebox";
import { strictObject } from "../../schema/index.ts";
import type { Architecture } from "../architecture.ts";
import { STANDARD_INIT_OPTION_FIELDS, STANDARD_LOSS_OPTION_FIELDS, setDecoderRowsToUnitNorm, type StandardOptions } from "../standard/index.ts";
import { encodeStandardSae, initStandardSae } from "../standard/kernel.ts";
import { standardForward } from "../standard/reference.ts";
import { STANDARD_PARAMS } from "../types.ts";
import { matryoshkaLossAndGrads, type MatryoshkaHyper } from "./kernel.ts";
import { resolveMatryoshkaLevels, type MatryoshkaOptions as MatryoshkaLossOptions } from "./levels.ts";
import { matryoshkaReferenceLoss } from "./reference.ts";

const multiplier = (what: string) =>
  Type.Union([Type.Number(), Type.Array(Type.Number(), { minItems: 1 })], {
    default: 1,
    description: `${what}: one number for every level, or one per level after sorting and deduplicating matryoshkaSteps`,
  });

const options = strictObject({
  matryoshkaSteps: Type.Array(Type.Integer({ minimum: 1 }), {
    default: [],
    description: "matryoshka_steps: cumulative prefix widths (sorted and deduplicated; d_sae is not appended)",
  }),
  includeInnerL1: Type.Boolean({ default: true, description: "include_matryoshka_inner_l1_loss" }),
  innerL1Multipliers: multiplier("matryoshka_inner_l1_loss_multipliers ℓ_i"),
  innerLossMultipliers: multiplier("matryoshka_inner_loss_multipliers m_i (a level with m_i = 0 is skipped)"),
  outerLossMultiplier: Type.Number({ default: 1, description: "outer_loss_multiplier M" }),
  skipOuterLoss: Type.Boolean({ default: false, description: "skip_outer_loss: no full-width reconstruction and L1 term" }),
  normaliseLossesByNumSteps: Type.Boolean({ default: false, description: "normalize_losses_by_num_matryoshka_steps: every term / (#levels + [outer] + [b_dec])" }),
  normaliseReconstructionByDIn: Type.Boolean({ default: false, description: "normalize_reconstruction_losses_by_d_in" }),
  includeBDecLoss: Type.Boolean({ default: false, description: "include_bdec_loss: + mean_b ‖b_dec − x‖²" }),
  useDeltaLoss: Type.Boolean({ default: false, description: "use_delta_loss: level i reconstructs from the detached levels below it and trains only its own block" }),
  minL1DuringWarmUp: Type.Number({ minimum: 0, default: 0, description: "SAELens min_l1_during_warm_up: the outer L1 uses max(λ, this)" }),
  ...STANDARD_LOSS_OPTION_FIELDS,
  ...STANDARD_INIT_OPTION_FIELDS,
});

export interface MatryoshkaOptions extends MatryoshkaLossOptions, StandardOptions {
  minL1DuringWarmUp: number;
}

const hyperOf = (o: MatryoshkaOptions, l1: Float64Array): MatryoshkaHyper => ({ l1, minL1DuringWarmUp: o.minL1DuringWarmUp, options: o });

export const architecture: Architecture<MatryoshkaOptions, null> = {
  name: "matryoshka",
  description: "Feature-hedging paper MatryoshkaSAE on the SAELens 5.10.2 standard SAE: prefix reconstructions with every option of the original (reference §2.4)",
  options,
  hyper: ["l1"],
  params: STANDARD_PARAMS,
  fireThreshold: 0,
  init(shape, o, rngs) {
    resolveMatryoshkaLevels(o, shape.dSae); // throws on widths or multiplier lists that do not fit
    if (o.skipOuterLoss && o.matryoshkaSteps.length === 0 && !o.includeBDecLoss)
      throw new Error("matryoshka: skipOuterLoss with no matryoshkaSteps and no b_dec loss leaves no loss to train");
    return initStandardSae(shape, [...rngs], o);
  },
  createState: () => null,
  encode: (p, instance, x, n, o) => encodeStandardSae(p, instance, x, n, o.applyBDecToInput),
  referenceLoss(tf, t, x, ctx) {
    const o = ctx.options;
    const loss = matryoshkaReferenceLoss(tf, t, x, hyperOf(o, ctx.hyper.l1));
    // the reconstruction terms alone: the same loss with λ = 0 and no floor
    const reconstruction = matryoshkaReferenceLoss(tf, t, x, { l1: new Float64Array(ctx.hyper.l1.length), minL1DuringWarmUp: 0, options: o });
    const sparsity = tf.sub(loss, reconstruction) as tfTypes.Tensor1D;
    return { loss, reconstruction, sparsity, codes: standardForward(tf, t, x, o.applyBDecToInput).acts };
  },
  fused: (p, grads, batch, ctx) => matryoshkaLossAndGrads(p, hyperOf(ctx.options, ctx.hyper.l1), batch, grads),
  hooks: {
    beforeStep(p, ctx) {
      if (ctx.options.normaliseDecoder) setDecoderRowsToUnitNorm(p);
    },
  },
};
