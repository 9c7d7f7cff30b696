/**
 * Per-instance Float64 working copies of an ARENA toy SAE's weights, shared by the ReLU,
 * Gated and JumpReLU kernels (all three have the original `ToySAE`'s tensors and its tied
 * option). The encoder is kept transposed, [dSae, dIn], so that latent j's column is
 * contiguous, like the decoder's row j.
 */
import type { SaeParams } from "../types.ts";

export interface ArenaInstanceWeights {
  /** [dSae, dIn]: row j = W_enc[:, j]. */
  encT: Float64Array;
  /** [dSae, dIn]: row j = the decoder row in effect (W_dec[j] or, tied, W_enc[:, j]). */
  dec: Float64Array;
  bEnc: Float64Array;
  bDec: Float64Array;
}

export function arenaInstanceWeights(D: number, M: number): ArenaInstanceWeights {
  return { encT: new Float64Array(M * D), dec: new Float64Array(M * D), bEnc: new Float64Array(M), bDec: new Float64Array(D) };
}

/** Load instance i into `w` (tied: the decoder rows are the encoder columns). */
export function loadArenaInstance(p: SaeParams, i: number, tied: boolean, w: ArenaInstanceWeights): void {
  const { dIn: D, dSae: M } = p;
  const o = i * D * M;
  for (let k = 0; k < D; k++) for (let j = 0; j < M; j++) w.encT[j * D + k] = p.wEnc[o + k * M + j];
  if (tied) w.dec.set(w.encT);
  else for (let e = 0; e < M * D; e++) w.dec[e] = p.wDec[o + e];
  for (let j = 0; j < M; j++) w.bEnc[j] = p.bEnc[i * M + j];
  for (let k = 0; k < D; k++) w.bDec[k] = p.bDec[i * D + k];
}

/** Gradient accumulators matching `ArenaInstanceWeights`. */
export type ArenaInstanceGrads = ArenaInstanceWeights;

export function zeroArenaGrads(g: ArenaInstanceGrads): void {
  g.encT.fill(0);
  g.dec.fill(0);
  g.bEnc.fill(0);
  g.bDec.fill(0);
}

/**
 * Write instance i's gradients into `grads`. Tied: the decoder gradient belongs to W_enc
 * (W_dec = W_encᵀ) and wDec's gradient is 0.
 */
export function storeArenaGrads(grads: SaeParams, i: number, tied: boolean, g: ArenaInstanceGrads): void {
  const { dIn: D, dSae: M } = grads;
  const o = i * D * M;
  for (let k = 0; k < D; k++) {
    for (let j = 0; j < M; j++) grads.wEnc[o + k * M + j] = g.encT[j * D + k] + (tied ? g.dec[j * D + k] : 0);
  }
  for (let e = 0; e < M * D; e++) grads.wDec[o + e] = tied ? 0 : g.dec[e];
  for (let j = 0; j < M; j++) grads.bEnc[i * M + j] = g.bEnc[j];
  for (let k = 0; k < D; k++) grads.bDec[i * D + k] = g.bDec[k];
}

/** Norm of each row of a [rows, D] matrix. */
export function rowNorms(m: Float64Array, rows: number, D: number, out: Float64Array): Float64Array {
  for (let r = 0; r < rows; r++) {
    let ss = 0;
    for (let k = 0; k < D; k++) ss += m[r * D + k] ** 2;
    out[r] = Math.sqrt(ss);
  }
  return out;
}
