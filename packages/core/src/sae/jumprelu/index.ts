/**
 * "jumprelu": SAELens 6.11.1 `JumpReLUTrainingSAE` with the tanh sparsity loss, the SAE of the
 * Sparse-but-Wrong JumpReLU appendix (reference §1.6). The per-latent log threshold is a
 * parameter like W_enc (optimised, clipped, saved as `log_threshold`); the L0 coefficient is a
 * per-instance hyperparameter (its warm-up is a trainer schedule).
 */
import { Type } from "@sinclair/typebox";
import { strictObject } from "../../schema/index.ts";
import type { Architecture } from "../architecture.ts";
import { SAELENS_DECODER_INIT_NORM, initSaeLens } from "../shared/saelens-base.ts";
import { STANDARD_PARAMS, type SaeParams } from "../types.ts";
import { JUMPRELU_BANDWIDTH, JUMPRELU_INIT_THRESHOLD, JUMPRELU_TANH_SCALE, encodeJumpRelu, jumpReluLossAndGrads } from "./kernel.ts";
import { jumpReluReference } from "./reference.ts";

const options = strictObject({
  bandwidth: Type.Number({ exclusiveMinimum: 0, default: JUMPRELU_BANDWIDTH, description: "Width of the rectangle kernel of the straight-through estimator (jumprelu_bandwidth)" }),
  tanhScale: Type.Number({ exclusiveMinimum: 0, default: JUMPRELU_TANH_SCALE, description: "s in tanh(s·a·‖W_dec‖) of the sparsity loss" }),
  initThreshold: Type.Number({ exclusiveMinimum: 0, default: JUMPRELU_INIT_THRESHOLD, description: "Initial threshold of every latent (jumprelu_init_threshold)" }),
  decoderInitNorm: Type.Number({ exclusiveMinimum: 0, default: SAELENS_DECODER_INIT_NORM, description: "Norm of each decoder row at initialisation" }),
});

export interface JumpReluOptions {
  bandwidth: number;
  tanhScale: number;
  initThreshold: number;
  decoderInitNorm: number;
}

const hyperOf = (o: JumpReluOptions, l0Coefficient: Float64Array) => ({ l0Coefficient, bandwidth: o.bandwidth, tanhScale: o.tanhScale });
const logThreshold = (p: SaeParams): Float32Array => p.extra.logThreshold;

export const architecture: Architecture<JumpReluOptions, null> = {
  name: "jumprelu",
  description: "SAELens 6.11.1 JumpReLU: a = h·[h > θ] with straight-through threshold gradients, MSE + c·tanh L0 proxy (reference §1.6)",
  options,
  hyper: ["l0Coefficient"],
  params: [...STANDARD_PARAMS, { name: "logThreshold", shape: ["dSae"] }],
  fireThreshold: 0,
  init(shape, o, rngs) {
    const p = initSaeLens(shape, rngs, o.decoderInitNorm);
    p.extra.logThreshold = new Float32Array(shape.instances * shape.dSae).fill(Math.log(o.initThreshold));
    return p;
  },
  createState: () => null,
  encode: (p, instance, x, n) => encodeJumpRelu(p, logThreshold(p), instance, x, n),
  referenceLoss: (tf, t, x, ctx) => jumpReluReference(tf, t, t.extra.logThreshold, x, hyperOf(ctx.options, ctx.hyper.l0Coefficient)),
  fused: (p, grads, batch, ctx) => jumpReluLossAndGrads(p, logThreshold(p), hyperOf(ctx.options, ctx.hyper.l0Coefficient), batch, grads, logThreshold(grads)),
};
