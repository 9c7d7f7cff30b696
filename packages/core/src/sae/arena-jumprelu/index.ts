/**
 * "arena-jumprelu": ARENA's toy JumpReLU SAE (`JumpReLUToySAE`, chapter 1.3.1; reference
 * arena-toy-models.md §2, after Rajamanoharan et al. 2024): z = ReLU((h − b_dec)·W_enc + b_enc),
 * acts = z·1[z > θ], loss = L_rec + coeff·L0 with rectangle-kernel straight-through gradients
 * for θ = exp(log θ). log θ is a parameter ([dSae] per instance, saved as log_theta), initialised
 * and reset on resampling to log 0.1. Inherits ToySAE's after-step decoder normalisation and tie.
 * Demo: tied weights, coeff 0.1, ε 0.01, advanced resampling. Not SAELens' "jumprelu".
 */
import type * as tfTypes from "@tensorflow/tfjs-core";
import { Type } from "@sinclair/typebox";
import { strictObject } from "../../schema/index.ts";
import type { Architecture } from "../architecture.ts";
import { STANDARD_PARAMS } from "../types.ts";
import { ARENA_HYPER, anchorTiedDecoder, arenaCommonOptions, withL0, type ArenaCommonOptions } from "../arena-relu/architecture-parts.ts";
import { ARENA_ACTIVE_THRESHOLD, arenaSaeAfterStep, initArenaSae } from "../arena-relu/init.ts";
import {
  ARENA_STE_EPSILON,
  ARENA_THETA_INIT,
  arenaJumpReluLossAndGrads,
  arenaJumpReluReconstructionPerSample,
  encodeArenaJumpRelu,
  initArenaLogTheta,
  type ArenaJumpReluHyper,
} from "./kernel.ts";
import { arenaJumpReluReferenceParts } from "./reference.ts";

const options = strictObject({
  ...arenaCommonOptions,
  steEpsilon: Type.Number({ exclusiveMinimum: 0, default: ARENA_STE_EPSILON, description: "ste_epsilon ε: width of the rectangle kernel of the straight-through estimators" }),
  thetaInit: Type.Number({ exclusiveMinimum: 0, default: ARENA_THETA_INIT, description: "θ at initialisation and after resampling (log θ = log of this)" }),
});

export interface ArenaJumpReluOptions extends ArenaCommonOptions {
  steEpsilon: number;
  thetaInit: number;
}

const hyperOf = (o: ArenaJumpReluOptions, sparsityCoeff: Float64Array): ArenaJumpReluHyper => ({ sparsityCoeff, tied: o.tied, steEpsilon: o.steEpsilon });

export const architecture: Architecture<ArenaJumpReluOptions, null> = {
  name: "arena-jumprelu",
  description: "ARENA toy JumpReLU SAE: JumpReLU after a ReLU, L0 sparsity with rectangle-kernel straight-through gradients for log θ (init log 0.1), tied option (ARENA 1.3.1 §2)",
  options,
  hyper: ARENA_HYPER,
  params: [...STANDARD_PARAMS, { name: "logTheta", shape: ["dSae"] }],
  fireThreshold: ARENA_ACTIVE_THRESHOLD,
  init(shape, o, rngs) {
    const p = initArenaSae(shape, [...rngs], { init: o.init, tied: o.tied });
    p.extra.logTheta = initArenaLogTheta(shape, o.thetaInit);
    return p;
  },
  createState: () => null,
  encode: (p, instance, x, n) => encodeArenaJumpRelu(p, p.extra.logTheta, instance, x, n),
  referenceLoss(tf, t, x, ctx) {
    const parts = arenaJumpReluReferenceParts(tf, t, t.extra.logTheta as tfTypes.Tensor2D, x, hyperOf(ctx.options, ctx.hyper.sparsityCoeff));
    return { ...parts, loss: anchorTiedDecoder(tf, parts.loss, t, ctx.options.tied) };
  },
  fused: (p, grads, batch, ctx) => withL0(arenaJumpReluLossAndGrads(p, p.extra.logTheta, hyperOf(ctx.options, ctx.hyper.sparsityCoeff), batch, grads, grads.extra.logTheta)),
  hooks: {
    afterStep: (p, ctx) => arenaSaeAfterStep(p, { tied: ctx.options.tied }),
    resetLatents(p, instance, latents, o) {
      for (const j of latents) p.extra.logTheta[instance * p.dSae + j] = Math.log(o.thetaInit);
    },
  },
  tiedWeights: (o) => o.tied,
  reconstructionPerSample: (p, batch, ctx) => arenaJumpReluReconstructionPerSample(p, p.extra.logTheta, hyperOf(ctx.options, ctx.hyper.sparsityCoeff), batch),
};
