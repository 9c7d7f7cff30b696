/**
 * What the SAELens 6.11.1 training SAEs (BatchTopK, JumpReLU) share: initialisation, the
 * encoder pre-activations and the decoder.
 *
 * Initialisation:
 *   W_dec [dSae, dIn] ~ kaiming_uniform (torch on a 2-D tensor: fan_in = dIn, gain √2, so
 *   the bound is √(6/dIn)); every decoder row rescaled to norm `decoderInitNorm` (0.1, the
 *   "heuristic" init of Anthropic's April 2024 update); W_enc = copy of W_decᵀ (untied
 *   afterwards); b_enc = b_dec = 0.
 */
import type { Rng } from "../random.ts";
import { emptySaeParams, type SaeParams, type SaeShape } from "./types.ts";

export const SAELENS_DECODER_INIT_NORM = 0.1;

/** One Rng per instance, so adding instances never changes the existing ones' weights. */
export function initSaeLens(shape: SaeShape, rngs: Rng[], decoderInitNorm: number | null = SAELENS_DECODER_INIT_NORM): SaeParams {
  const { instances: I, dIn: D, dSae: M } = shape;
  if (rngs.length !== I) throw new Error(`initSaeLens: ${rngs.length} Rngs for ${I} instances`);
  const p = emptySaeParams(shape);
  const bound = Math.sqrt(6 / D);
  for (let i = 0; i < I; i++) {
    const rng = rngs[i];
    const wd = i * M * D;
    for (let e = 0; e < M * D; e++) p.wDec[wd + e] = rng.uniformIn(-bound, bound);
    if (decoderInitNorm !== null) {
      for (let j = 0; j < M; j++) {
        let n2 = 0;
        for (let k = 0; k < D; k++) n2 += p.wDec[wd + j * D + k] ** 2;
        const scale = decoderInitNorm / Math.sqrt(n2);
        for (let k = 0; k < D; k++) p.wDec[wd + j * D + k] *= scale;
      }
    }
  }
  copyDecoderTransposeToEncoder(p);
  return p;
}

/** W_enc[i] = W_dec[i]ᵀ for every instance. */
export function copyDecoderTransposeToEncoder(p: SaeParams): void {
  const { instances: I, dIn: D, dSae: M } = p;
  for (let i = 0; i < I; i++) {
    const o = i * M * D;
    for (let j = 0; j < M; j++) for (let k = 0; k < D; k++) p.wEnc[o + k * M + j] = p.wDec[o + j * D + k];
  }
}

/**
 * Encoder pre-activations of one instance, h = (x − b_dec)·W_enc + b_enc (SAELens applies
 * b_dec to the input: `apply_b_dec_to_input=True`), for a [B, dIn] batch → out [B, dSae].
 * Float64 accumulation; W_enc is transposed once so each h_j is a contiguous dot product.
 */
export function saePreActivations(p: SaeParams, instance: number, x: ArrayLike<number>, batch: number, out: Float64Array): Float64Array {
  const { dIn: D, dSae: M } = p;
  const we = instance * D * M;
  const bd = instance * D;
  const be = instance * M;
  const wEncT = new Float64Array(M * D);
  for (let k = 0; k < D; k++) for (let j = 0; j < M; j++) wEncT[j * D + k] = p.wEnc[we + k * M + j];
  const xc = new Float64Array(D);
  for (let s = 0; s < batch; s++) {
    for (let k = 0; k < D; k++) xc[k] = x[s * D + k] - p.bDec[bd + k];
    for (let j = 0; j < M; j++) {
      const w = j * D;
      let acc = p.bEnc[be + j];
      for (let k = 0; k < D; k++) acc += xc[k] * wEncT[w + k];
      out[s * M + j] = acc;
    }
  }
  return out;
}

/** x̂ = a·W_dec + b_dec of one instance for [B, dSae] codes → [B, dIn]. */
export function saeDecode(p: SaeParams, instance: number, acts: ArrayLike<number>, batch: number): Float32Array {
  const { dIn: D, dSae: M } = p;
  const wd = instance * M * D;
  const bd = instance * D;
  const out = new Float32Array(batch * D);
  const row = new Float64Array(D);
  for (let s = 0; s < batch; s++) {
    for (let k = 0; k < D; k++) row[k] = p.bDec[bd + k];
    for (let j = 0; j < M; j++) {
      const a = acts[s * M + j];
      if (a === 0) continue;
      for (let k = 0; k < D; k++) row[k] += a * p.wDec[wd + j * D + k];
    }
    out.set(row, s * D);
  }
  return out;
}
