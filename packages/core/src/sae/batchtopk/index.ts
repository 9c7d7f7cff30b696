/**
 * "batchtopk": SAELens 6.11.1 `BatchTopKTrainingSAE`, the SAE of every Sparse-but-Wrong toy run
 * (reference §1.4). k is a per-instance hyperparameter (fractional allowed: ⌊k·B⌋ codes are kept
 * per batch); aux-k trains dead latents; θ, an EMA of the smallest kept activation, is tracked
 * after each step and saved (`topk_threshold`), though the paper's evaluations use batch top-k.
 */
import { Type } from "@sinclair/typebox";
import { strictObject } from "../../schema/index.ts";
import type { Architecture } from "../architecture.ts";
import { SAELENS_DECODER_INIT_NORM, initSaeLens } from "../shared/saelens-base.ts";
import { STANDARD_PARAMS } from "../types.ts";
import { TOPK_THRESHOLD_LR, batchTopKLossAndGrads, encodeBatchTopK, updateTopKThreshold } from "./kernel.ts";
import { batchTopKReference } from "./reference.ts";

const options = strictObject({
  auxCoefficient: Type.Number({ minimum: 0, default: 1, description: "SAELens aux_loss_coefficient" }),
  thresholdLr: Type.Number({ exclusiveMinimum: 0, maximum: 1, default: TOPK_THRESHOLD_LR, description: "EMA rate of the top-k threshold θ (topk_threshold_lr)" }),
  decoderInitNorm: Type.Number({ exclusiveMinimum: 0, default: SAELENS_DECODER_INIT_NORM, description: "Norm of each decoder row at initialisation" }),
});

export interface BatchTopKOptions {
  auxCoefficient: number;
  thresholdLr: number;
  decoderInitNorm: number;
}

interface State {
  /** θ per instance, a Float64 EMA as SAELens keeps it. */
  threshold: Float64Array;
}

export const architecture: Architecture<BatchTopKOptions, State> = {
  name: "batchtopk",
  description: "SAELens 6.11.1 BatchTopK: the ⌊k·B⌋ largest ReLU pre-activations of the batch, MSE + aux-k (reference §1.4)",
  options,
  hyper: ["k"],
  params: STANDARD_PARAMS,
  fireThreshold: 0,
  init: (shape, o, rngs) => initSaeLens(shape, rngs, o.decoderInitNorm),
  createState: (shape) => ({ threshold: new Float64Array(shape.instances) }),
  encode: (p, instance, x, n, _o, hyper) => encodeBatchTopK(p, instance, x, n, hyper.k),
  referenceLoss: (tf, t, x, ctx) => batchTopKReference(tf, t, x, { k: ctx.hyper.k, auxCoefficient: ctx.options.auxCoefficient }, { dead: ctx.dead }),
  fused: (p, grads, batch, ctx) => batchTopKLossAndGrads(p, { k: ctx.hyper.k, auxCoefficient: ctx.options.auxCoefficient }, { dead: ctx.dead }, batch, grads),
  hooks: {
    afterForward: (_p, out, ctx) => updateTopKThreshold(ctx.state.threshold, out.minPositive, ctx.options.thresholdLr, ctx.active),
  },
  summary: (state) => ({ topk_threshold: state.threshold }),
};
