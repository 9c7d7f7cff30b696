/**
 * The n-th decoder projection s_n^dec of Sparse-but-Wrong (`nth_decoder_projection.py`):
 * a way to find the true L0 without ground truth.
 *
 *   P = (x − b_dec)·W_decᵀ   [B, dSae]  (the decoder, with no ReLU and no b_enc)
 *   s_n = the value at index n·B of all B·dSae entries of P sorted in descending order,
 *         i.e. the level exceeded by n latents per input on average.
 *
 * The paper's claim: for n above the true L0, s_n is smallest when the SAE's L0 is the true L0.
 */
import { assertDims, assertMatrix, type FloatArray } from "./shape.ts";
import { nthLargest } from "../sae/shared/top-k-select.ts";

/** P = (x − b_dec)·W_decᵀ for x [B, dIn], wDec [dSae, dIn], bDec [dIn] → [B, dSae] (float32, as torch). */
export function decoderProjections(x: FloatArray, B: number, dIn: number, wDec: FloatArray, bDec: FloatArray, dSae: number): Float32Array {
  assertDims("decoderProjections", { B, dIn, dSae });
  assertMatrix("decoderProjections", "x", x, B, dIn);
  assertMatrix("decoderProjections", "wDec", wDec, dSae, dIn);
  assertMatrix("decoderProjections", "bDec", bDec, 1, dIn);
  const out = new Float32Array(B * dSae);
  const xc = new Float64Array(dIn);
  for (let s = 0; s < B; s++) {
    for (let k = 0; k < dIn; k++) xc[k] = x[s * dIn + k] - bDec[k];
    for (let j = 0; j < dSae; j++) {
      let dot = 0;
      for (let k = 0; k < dIn; k++) dot += xc[k] * wDec[j * dIn + k];
      out[s * dSae + j] = dot;
    }
  }
  return out;
}

/** s_n for one n (O(B·dSae) selection, no sort). */
export function nthDecoderProjection(x: FloatArray, B: number, dIn: number, wDec: FloatArray, bDec: FloatArray, dSae: number, n: number): number {
  if (!(Number.isInteger(n) && n >= 0 && n < dSae)) throw new Error(`nthDecoderProjection: n = ${n} is outside [0, ${dSae})`);
  const proj = decoderProjections(x, B, dIn, wDec, bDec, dSae);
  return nthLargest(Float64Array.from(proj), proj.length, n * B);
}

/** s_n for every n = 0..dSae−1 from one sort (the notebook's curves). */
export function nthDecoderProjections(x: FloatArray, B: number, dIn: number, wDec: FloatArray, bDec: FloatArray, dSae: number): Float64Array {
  const proj = decoderProjections(x, B, dIn, wDec, bDec, dSae).sort(); // ascending
  const L = proj.length;
  const out = new Float64Array(dSae);
  for (let n = 0; n < dSae; n++) out[n] = proj[L - 1 - n * B];
  return out;
}
