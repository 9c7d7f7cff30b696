/**
 * "relu-l1": the composed-feature experiments' ReLU SAE with an L1 penalty, ghost grads and unit
 * decoder rows (superposition-geometry-toys `autoencoder_fns.AutoEncoder`, reference §3.3).
 *
 * Around each optimiser step, as the original: decoder rows renormalised before the forward
 * pass, the dead mask feeding ghost grads and the L1 cooldown, the gradient component parallel
 * to each decoder row removed before the step, and the rows renormalised once more at the end
 * so the saved decoder is what the next step would see.
 */
import { Type } from "@sinclair/typebox";
import { strictObject } from "../../schema/index.ts";
import type { Architecture, StepContext } from "../architecture.ts";
import { STANDARD_PARAMS } from "../types.ts";
import { FIRE_THRESHOLD, encodeReluL1, initReluL1, normaliseDecoderRows, reluL1LossAndGrads, removeParallelDecoderGrad, type ReluL1State } from "./kernel.ts";
import { reluL1Reference } from "./reference.ts";

const options = strictObject({
  ghostGrads: Type.Boolean({ default: true, description: "Ghost grads for dead latents (Anthropic, Jan 2024), as the original's default" }),
  ghostCooldown: Type.Integer({ minimum: 0, default: 1000, description: "Steps over which a revived latent's L1 multiplier returns to 1" }),
});

export interface ReluL1Options {
  ghostGrads: boolean;
  ghostCooldown: number;
}

/** The kernel's state plus the cooldown counters behind its L1 multipliers. */
interface State extends ReluL1State {
  cooldown: Int32Array;
}

type Ctx = StepContext<ReluL1Options, State>;

/** The kernel's view of this step: the trainer's dead mask, this architecture's multipliers. */
function kernelState(ctx: Ctx): ReluL1State {
  return { dead: ctx.dead, l1Scale: ctx.state.l1Scale, ghostGrads: ctx.options.ghostGrads };
}

export const architecture: Architecture<ReluL1Options, State> = {
  name: "relu-l1",
  description: "ReLU SAE, per-sample FVU + λ·L1 loss, ghost grads, unit decoder rows with the parallel gradient removed (composed-feature toys, reference §3.3)",
  options,
  hyper: ["l1"],
  params: STANDARD_PARAMS,
  fireThreshold: FIRE_THRESHOLD,
  init: (shape, _options, rngs) => initReluL1(shape, rngs),
  createState(shape, o) {
    const n = shape.instances * shape.dSae;
    return { dead: new Uint8Array(n), l1Scale: new Float32Array(n).fill(1), ghostGrads: o.ghostGrads, cooldown: new Int32Array(n) };
  },
  encode: (p, instance, x, n) => encodeReluL1(p, instance, x, n),
  referenceLoss: (tf, t, x, ctx) => reluL1Reference(tf, t, x, { l1: ctx.hyper.l1 }, kernelState(ctx)),
  fused: (p, grads, batch, ctx) => reluL1LossAndGrads(p, { l1: ctx.hyper.l1 }, kernelState(ctx), batch, grads),
  hooks: {
    beforeStep(p, ctx) {
      normaliseDecoderRows(p);
      const { cooldown, l1Scale } = ctx.state;
      const length = ctx.options.ghostCooldown;
      for (let e = 0; e < cooldown.length; e++) {
        cooldown[e] = ctx.dead[e] ? length : Math.max(0, cooldown[e] - 1);
        l1Scale[e] = length > 0 ? 1 - cooldown[e] / length : 1;
      }
    },
    editGradients: (p, grads) => removeParallelDecoderGrad(p, grads.wDec),
    finish: (p) => normaliseDecoderRows(p),
  },
};
