/**
 * "matryoshka-batchtopk": SAELens 6.18 `MatryoshkaBatchTopKTrainingSAE` (reference §4.1): one
 * BatchTopK selection over the batch (⌊k·B⌋ codes kept, k a per-instance hyperparameter),
 * shared by every prefix, and loss = BatchTopK loss (MSE + aux-k) + Σ over the inner widths of
 * the prefix reconstructions' MSE, unweighted and not detached. The base is this project's
 * SAELens 6.11.1 BatchTopK (no `rescale_acts_by_decoder_norm`), so it is 6.18's loss with
 * rescaling off. θ (the EMA of the smallest kept code) is tracked and saved as for "batchtopk".
 *
 * `widths` are 6.18's `matryoshka_widths`: d_sae is appended when the last width is not d_sae
 * and the list must be strictly increasing. The default [] means no inner level (the plain
 * BatchTopK loss); 6.18 has no usable default. Kernel: kernel.ts; tfjs reference: reference.ts.
 */
import type * as tfTypes from "@tensorflow/tfjs-core";
import { Type } from "@sinclair/typebox";
import { strictObject } from "../../schema/index.ts";
import type { Architecture } from "../architecture.ts";
import { TOPK_THRESHOLD_LR, encodeBatchTopK, updateTopKThreshold } from "../batchtopk/kernel.ts";
import { batchTopKReference } from "../batchtopk/reference.ts";
import { SAELENS_DECODER_INIT_NORM, initSaeLens } from "../shared/saelens-base.ts";
import { STANDARD_PARAMS } from "../types.ts";
import { matryoshkaBatchTopKLossAndGrads, resolveMatryoshkaWidths, type MatryoshkaBatchTopKHyper } from "./kernel.ts";
import { matryoshkaBatchTopKReferenceLoss } from "./reference.ts";

const options = strictObject({
  widths: Type.Array(Type.Integer({ minimum: 1 }), {
    default: [],
    description: "matryoshka_widths: strictly increasing prefix widths; d_sae is appended when missing ([]: no inner level)",
  }),
  auxCoefficient: Type.Number({ minimum: 0, default: 1, description: "SAELens aux_loss_coefficient" }),
  thresholdLr: Type.Number({ exclusiveMinimum: 0, maximum: 1, default: TOPK_THRESHOLD_LR, description: "EMA rate of the top-k threshold θ (topk_threshold_lr)" }),
  decoderInitNorm: Type.Number({ exclusiveMinimum: 0, default: SAELENS_DECODER_INIT_NORM, description: "Norm of each decoder row at initialisation" }),
});

export interface MatryoshkaBatchTopKOptions {
  widths: number[];
  auxCoefficient: number;
  thresholdLr: number;
  decoderInitNorm: number;
}

interface State {
  /** θ per instance, a Float64 EMA as SAELens keeps it. */
  threshold: Float64Array;
}

/** The widths the kernel takes: [] stands for [d_sae] (no inner level). */
function widthsOf(o: MatryoshkaBatchTopKOptions, dSae: number): number[] {
  return o.widths.length ? o.widths : [dSae];
}

function hyperOf(o: MatryoshkaBatchTopKOptions, k: Float64Array, dSae: number): MatryoshkaBatchTopKHyper {
  return { k, auxCoefficient: o.auxCoefficient, widths: widthsOf(o, dSae) };
}

export const architecture: Architecture<MatryoshkaBatchTopKOptions, State> = {
  name: "matryoshka-batchtopk",
  description: "SAELens 6.18 Matryoshka BatchTopK: one batch top-k selection shared by every prefix, BatchTopK loss + the inner prefixes' MSE (reference §4.1)",
  options,
  hyper: ["k"],
  params: STANDARD_PARAMS,
  fireThreshold: 0,
  init(shape, o, rngs) {
    resolveMatryoshkaWidths(widthsOf(o, shape.dSae), shape.dSae); // throws on widths that do not fit
    return initSaeLens(shape, rngs, o.decoderInitNorm);
  },
  createState: (shape) => ({ threshold: new Float64Array(shape.instances) }),
  encode: (p, instance, x, n, _o, hyper) => encodeBatchTopK(p, instance, x, n, hyper.k),
  referenceLoss(tf, t, x, ctx) {
    const M = t.bEnc.shape[1];
    const hyper = hyperOf(ctx.options, ctx.hyper.k, M);
    const base = batchTopKReference(tf, t, x, hyper, { dead: ctx.dead });
    const loss = matryoshkaBatchTopKReferenceLoss(tf, t, x, hyper, { dead: ctx.dead });
    const auxiliary = base.auxiliary ?? tf.zeros([x.shape[0]]);
    return { loss, reconstruction: tf.sub(loss, auxiliary) as tfTypes.Tensor1D, auxiliary: auxiliary as tfTypes.Tensor1D, codes: base.codes };
  },
  fused: (p, grads, batch, ctx) => matryoshkaBatchTopKLossAndGrads(p, hyperOf(ctx.options, ctx.hyper.k, p.dSae), { dead: ctx.dead }, batch, grads),
  hooks: {
    afterForward: (_p, out, ctx) => updateTopKThreshold(ctx.state.threshold, out.minPositive, ctx.options.thresholdLr, ctx.active),
  },
  summary: (state) => ({ topk_threshold: state.threshold }),
};
