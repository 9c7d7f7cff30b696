/**
 * "arena-relu": ARENA's toy ReLU SAE (`ToySAE`, chapter 1.3.1, formerly 1.4; reference
 * arena-toy-models.md §2): acts = ReLU((h − b_dec)·W_enc + b_enc), ĥ = acts·Ŵ_dec + b_dec with
 * the decoder rows normalised in the forward pass, loss = mean over dIn of (ĥ − h)² +
 * coeff·Σ|acts|, and W_dec overwritten by its normalised rows after each step (untied). S values:
 * coeff 0.2 (OLD l1_coeff 0.5), Kaiming-uniform init (OLD Xavier-normal), eps 1e-8; tied option.
 * Trained with the `arena` recipe, whose dead-latent resampling this architecture takes as is.
 */
import { Type } from "@sinclair/typebox";
import { strictObject } from "../../schema/index.ts";
import type { Architecture } from "../architecture.ts";
import { STANDARD_PARAMS, type SaeParams } from "../types.ts";
import { ARENA_HYPER, anchorTiedDecoder, arenaCommonOptions, withL0, type ArenaCommonOptions } from "./architecture-parts.ts";
import { ARENA_ACTIVE_THRESHOLD, ARENA_WEIGHT_NORMALIZE_EPS, arenaSaeAfterStep, initArenaSae } from "./init.ts";
import { arenaReluLossAndGrads, arenaReluReconstructionPerSample, encodeArenaRelu, type ArenaReluHyper } from "./kernel.ts";
import { arenaReluReferenceParts } from "./reference.ts";

const options = strictObject({
  ...arenaCommonOptions,
  eps: Type.Number({ exclusiveMinimum: 0, default: ARENA_WEIGHT_NORMALIZE_EPS, description: "weight_normalize_eps: decoder rows are divided by ‖row‖ + eps" }),
});

export interface ArenaReluOptions extends ArenaCommonOptions {
  eps: number;
}

const hyperOf = (o: ArenaReluOptions, sparsityCoeff: Float64Array): ArenaReluHyper => ({ sparsityCoeff, tied: o.tied, eps: o.eps });

/** ĥ = acts·Ŵ_dec + b_dec of one instance, with Ŵ_dec the rows of wDec (tied: the mirrored W_encᵀ) over ‖row‖ + eps. */
export function decodeArenaRelu(p: SaeParams, instance: number, codes: ArrayLike<number>, n: number, eps: number): Float32Array {
  const { dIn: D, dSae: M } = p;
  const unit = new Float64Array(M * D);
  for (let j = 0; j < M; j++) {
    let ss = 0;
    for (let k = 0; k < D; k++) ss += p.wDec[(instance * M + j) * D + k] ** 2;
    const s = 1 / (Math.sqrt(ss) + eps);
    for (let k = 0; k < D; k++) unit[j * D + k] = p.wDec[(instance * M + j) * D + k] * s;
  }
  const out = new Float32Array(n * D);
  for (let s = 0; s < n; s++) {
    for (let k = 0; k < D; k++) {
      let v = p.bDec[instance * D + k];
      for (let j = 0; j < M; j++) v += codes[s * M + j] * unit[j * D + k];
      out[s * D + k] = v;
    }
  }
  return out;
}

export const architecture: Architecture<ArenaReluOptions, null> = {
  name: "arena-relu",
  description:
    "ARENA toy ReLU SAE: decoder rows normalised in the forward pass and after each step, b_dec subtracted at the input, mean-over-d MSE + coeff·L1, tied option (ARENA 1.3.1 §2)",
  options,
  hyper: ARENA_HYPER,
  params: STANDARD_PARAMS,
  fireThreshold: ARENA_ACTIVE_THRESHOLD,
  init: (shape, o, rngs) => initArenaSae(shape, [...rngs], { init: o.init, tied: o.tied }),
  createState: () => null,
  encode: (p, instance, x, n) => encodeArenaRelu(p, instance, x, n),
  decode: (p, instance, codes, n, o) => decodeArenaRelu(p, instance, codes, n, o.eps),
  referenceLoss(tf, t, x, ctx) {
    const parts = arenaReluReferenceParts(tf, t, x, hyperOf(ctx.options, ctx.hyper.sparsityCoeff));
    return { ...parts, loss: anchorTiedDecoder(tf, parts.loss, t, ctx.options.tied) };
  },
  fused: (p, grads, batch, ctx) => withL0(arenaReluLossAndGrads(p, hyperOf(ctx.options, ctx.hyper.sparsityCoeff), batch, grads)),
  hooks: {
    afterStep: (p, ctx) => arenaSaeAfterStep(p, { tied: ctx.options.tied, eps: ctx.options.eps }),
  },
  tiedWeights: (o) => o.tied,
  reconstructionPerSample: (p, batch, ctx) => arenaReluReconstructionPerSample(p, hyperOf(ctx.options, ctx.hyper.sparsityCoeff), batch),
};
