/**
 * One grid instance's weights as plain row-major matrices (views, not copies), the form
 * the metrics take: wEnc [dIn, dSae], bEnc [dSae], wDec [dSae, dIn] (rows = latent
 * directions), bDec [dIn].
 */
import type { SaeParams } from "../types.ts";

export interface SaeInstanceView {
  dIn: number;
  dSae: number;
  wEnc: Float32Array;
  bEnc: Float32Array;
  wDec: Float32Array;
  bDec: Float32Array;
}

export function instanceView(p: SaeParams, instance: number): SaeInstanceView {
  const { dIn: D, dSae: M, instances } = p;
  if (!(Number.isInteger(instance) && instance >= 0 && instance < instances)) {
    throw new Error(`instanceView: instance ${instance} is outside [0, ${instances})`);
  }
  return {
    dIn: D,
    dSae: M,
    wEnc: p.wEnc.subarray(instance * D * M, (instance + 1) * D * M),
    bEnc: p.bEnc.subarray(instance * M, (instance + 1) * M),
    wDec: p.wDec.subarray(instance * M * D, (instance + 1) * M * D),
    bDec: p.bDec.subarray(instance * D, (instance + 1) * D),
  };
}
