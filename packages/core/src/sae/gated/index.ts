/**
 * "gated": ARENA's toy Gated SAE (`GatedToySAE`, chapter 1.3.1; reference arena-toy-models.md
 * §2, after Rajamanoharan et al. 2024). W_gate and b_gate are the W_enc and b_enc slots; r_mag
 * and b_mag are parameters of their own ([dSae] per instance, saved as r_mag, b_mag):
 *   π_gate = h_c·W_gate + b_gate,  acts = 1[π_gate > 0]·ReLU(h_c·(exp(r_mag) ⊙ W_gate) + b_mag)
 *   loss = L_rec + coeff·Σ ReLU(π_gate)·‖W_dec,j‖ (untied) + L_aux (through a detached decoder).
 * Inherits ToySAE's after-step decoder normalisation and tie; resampling zeroes r_mag, b_mag
 * (and b_gate, the b_enc slot the resampler resets). Demo: coeff 1.0, advanced resampling.
 */
import type * as tfTypes from "@tensorflow/tfjs-core";
import { strictObject } from "../../schema/index.ts";
import type { Architecture } from "../architecture.ts";
import { STANDARD_PARAMS, type SaeParams } from "../types.ts";
import { ARENA_HYPER, anchorTiedDecoder, arenaCommonOptions, withL0, type ArenaCommonOptions } from "../arena-relu/architecture-parts.ts";
import { ARENA_ACTIVE_THRESHOLD, arenaSaeAfterStep, initArenaSae } from "../arena-relu/init.ts";
import { encodeGated, gatedLossAndGrads, gatedReconstructionPerSample, type GatedExtras, type GatedHyper } from "./kernel.ts";
import { gatedReferenceParts } from "./reference.ts";

const options = strictObject({ ...arenaCommonOptions });

export type GatedOptions = ArenaCommonOptions;

const hyperOf = (o: GatedOptions, sparsityCoeff: Float64Array): GatedHyper => ({ sparsityCoeff, tied: o.tied });
const extrasOf = (p: SaeParams): GatedExtras => ({ rMag: p.extra.rMag, bMag: p.extra.bMag });

export const architecture: Architecture<GatedOptions, null> = {
  name: "gated",
  description:
    "ARENA toy Gated SAE: gate path ReLU(π_gate) with a decoder-norm-weighted sparsity loss, magnitude path exp(r_mag)⊙W_gate, detached auxiliary reconstruction (ARENA 1.3.1 §2)",
  options,
  hyper: ARENA_HYPER,
  params: [...STANDARD_PARAMS, { name: "rMag", shape: ["dSae"] }, { name: "bMag", shape: ["dSae"] }],
  fireThreshold: ARENA_ACTIVE_THRESHOLD,
  init(shape, o, rngs) {
    const p = initArenaSae(shape, [...rngs], { init: o.init, tied: o.tied });
    p.extra.rMag = new Float32Array(shape.instances * shape.dSae);
    p.extra.bMag = new Float32Array(shape.instances * shape.dSae);
    return p;
  },
  createState: () => null,
  encode: (p, instance, x, n) => encodeGated(p, extrasOf(p), instance, x, n),
  referenceLoss(tf, t, x, ctx) {
    const parts = gatedReferenceParts(tf, t, t.extra.rMag as tfTypes.Tensor2D, t.extra.bMag as tfTypes.Tensor2D, x, hyperOf(ctx.options, ctx.hyper.sparsityCoeff));
    return { ...parts, loss: anchorTiedDecoder(tf, parts.loss, t, ctx.options.tied) };
  },
  fused: (p, grads, batch, ctx) => withL0(gatedLossAndGrads(p, extrasOf(p), hyperOf(ctx.options, ctx.hyper.sparsityCoeff), batch, grads, extrasOf(grads))),
  hooks: {
    afterStep: (p, ctx) => arenaSaeAfterStep(p, { tied: ctx.options.tied }),
    resetLatents(p, instance, latents) {
      for (const j of latents) {
        p.extra.rMag[instance * p.dSae + j] = 0;
        p.extra.bMag[instance * p.dSae + j] = 0;
      }
    },
  },
  tiedWeights: (o) => o.tied,
  reconstructionPerSample: (p, batch, ctx) => gatedReconstructionPerSample(p, extrasOf(p), hyperOf(ctx.options, ctx.hyper.sparsityCoeff), batch),
};
