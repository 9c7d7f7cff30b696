/**
 * "topk": SAELens `TopKTrainingSAE` (per-sample top-k; reference §4.1). Written only in tfjs
 * ops — no fused kernel — so it trains through the generic autodiff engine: the worked example
 * of adding an architecture (docs/ARCHITECTURE.md).
 */
import { Type } from "@sinclair/typebox";
import { strictObject } from "../../schema/index.ts";
import type { Architecture } from "../architecture.ts";
import { SAELENS_DECODER_INIT_NORM, initSaeLens, saePreActivations } from "../shared/saelens-base.ts";
import { nthLargest } from "../shared/top-k-select.ts";
import { STANDARD_PARAMS, type SaeParams } from "../types.ts";
import { topKReference } from "./reference.ts";

const options = strictObject({
  auxCoefficient: Type.Number({ minimum: 0, default: 1, description: "SAELens aux_loss_coefficient" }),
  decoderInitNorm: Type.Number({ exclusiveMinimum: 0, default: SAELENS_DECODER_INIT_NORM, description: "Norm of each decoder row at initialisation" }),
});

export interface TopKOptions {
  auxCoefficient: number;
  decoderInitNorm: number;
}

/** Codes of one instance: per sample, the ⌊k⌋ largest pre-activations, ReLU'd; ties at the cut keep the first. */
export function encodeTopK(p: SaeParams, instance: number, x: ArrayLike<number>, n: number, k: number): Float32Array {
  const M = p.dSae;
  const kept = Math.min(M, Math.floor(k));
  const h = saePreActivations(p, instance, x, n, new Float64Array(n * M));
  const codes = new Float32Array(n * M);
  const scratch = new Float64Array(M);
  for (let s = 0; s < n; s++) {
    if (kept === 0) continue;
    for (let j = 0; j < M; j++) scratch[j] = h[s * M + j];
    const cut = nthLargest(scratch, M, kept - 1);
    let above = 0;
    for (let j = 0; j < M; j++) if (h[s * M + j] > cut) above++;
    let ties = kept - above;
    for (let j = 0; j < M; j++) {
      const v = h[s * M + j];
      const keep = v > cut || (v === cut && ties-- > 0);
      if (keep && v > 0) codes[s * M + j] = v;
    }
  }
  return codes;
}

export const architecture: Architecture<TopKOptions, null> = {
  name: "topk",
  description: "SAELens TopK: per sample the k largest pre-activations, ReLU'd; MSE + aux-k; tfjs ops only (trained by autodiff)",
  options,
  hyper: ["k"],
  params: STANDARD_PARAMS,
  fireThreshold: 0,
  init: (shape, o, rngs) => initSaeLens(shape, rngs, o.decoderInitNorm),
  createState: () => null,
  encode: (p, instance, x, n, _o, hyper) => encodeTopK(p, instance, x, n, hyper.k),
  referenceLoss: (tf, t, x, ctx) => topKReference(tf, t, x, ctx.hyper.k, ctx.options.auxCoefficient, ctx.dead),
};
