/**
 * Initialisation, constants and the after-step hook of ARENA's toy SAEs (`ToySAE` of
 * chapter 1.3.1, formerly 1.4; reference arena-toy-models.md §2). The Gated and JumpReLU
 * toy SAEs derive from `ToySAE` in the original and share these.
 *
 * Init (S): W_enc [I, dIn, dSae] and W_dec [I, dSae, dIn] with torch's kaiming_uniform_ on
 * the 3-D tensors (fan_in = dIn·dSae for both, bound √(6/(dIn·dSae))), biases 0, W_dec not
 * normalised (the forward pass normalises it). OLD: xavier_normal_ on the same 3-D tensors,
 * std √(2/(fan_in + fan_out)) with fan_out = I·dSae for W_enc and I·dIn for W_dec.
 *
 * Tied weights: W_dec = W_encᵀ. The kernels then read the decoder from W_enc, leave the
 * wDec gradient at 0, and `arenaSaeAfterStep` mirrors W_encᵀ into wDec, so wDec always holds
 * the decoder in effect (for plots and metrics).
 */
import type { Rng } from "../../random.ts";
import { emptySaeParams, type SaeParams, type SaeShape } from "../types.ts";

/** `sparsity_coeff` of the S config; OLD called it l1_coeff and used 0.5. */
export const ARENA_SPARSITY_COEFF = 0.2;
export const ARENA_SPARSITY_COEFF_OLD = 0.5;
/** `weight_normalize_eps`: decoder rows are divided by ‖row‖ + this. */
export const ARENA_WEIGHT_NORMALIZE_EPS = 1e-8;
/** A latent counts as active in a sample when |act| exceeds this (`frac_active`). */
export const ARENA_ACTIVE_THRESHOLD = 1e-8;

export type ArenaSaeInit = "kaiming" | "xavier-old";

export interface ArenaSaeInitOptions {
  /** Default "kaiming" (S); "xavier-old" is ARENA 1.4's. */
  init?: ArenaSaeInit;
  /** W_dec = W_encᵀ. Default false. */
  tied?: boolean;
}

/** One Rng per instance: W_enc is drawn first, then (untied) W_dec. */
export function initArenaSae(shape: SaeShape, rngs: Rng[], options: ArenaSaeInitOptions = {}): SaeParams {
  const { instances: I, dIn: D, dSae: M } = shape;
  if (rngs.length !== I) throw new Error(`initArenaSae: ${rngs.length} Rngs for ${I} instances`);
  const { init = "kaiming", tied = false } = options;
  const p = emptySaeParams(shape);
  const per = D * M;
  for (let i = 0; i < I; i++) {
    const enc = p.wEnc.subarray(i * per, (i + 1) * per);
    const dec = p.wDec.subarray(i * per, (i + 1) * per);
    if (init === "kaiming") {
      const bound = Math.sqrt(6 / per);
      rngs[i].fillUniform(enc, -bound, bound);
      if (!tied) rngs[i].fillUniform(dec, -bound, bound);
    } else {
      rngs[i].fillNormal(enc, 0, Math.sqrt(2 / (per + I * M)));
      if (!tied) rngs[i].fillNormal(dec, 0, Math.sqrt(2 / (per + I * D)));
    }
  }
  if (tied) mirrorTiedDecoder(p);
  return p;
}

/** wDec[i, j, :] = wEnc[i, :, j] for every instance (the tied decoder, made visible). */
export function mirrorTiedDecoder(p: SaeParams): void {
  const { instances: I, dIn: D, dSae: M } = p;
  for (let i = 0; i < I; i++) {
    const o = i * D * M;
    for (let k = 0; k < D; k++) for (let j = 0; j < M; j++) p.wDec[o + j * D + k] = p.wEnc[o + k * M + j];
  }
}

/** Overwrite every decoder row with row/(‖row‖ + eps) (the original's `W_dec_normalized`). */
export function overwriteDecoderWithNormalisedRows(p: SaeParams, eps = ARENA_WEIGHT_NORMALIZE_EPS): void {
  const D = p.dIn;
  for (let r = 0; r < p.instances * p.dSae; r++) {
    let ss = 0;
    for (let k = 0; k < D; k++) ss += p.wDec[r * D + k] ** 2;
    const scale = 1 / (Math.sqrt(ss) + eps);
    for (let k = 0; k < D; k++) p.wDec[r * D + k] *= scale;
  }
}

/**
 * What the original does after every optimiser step: untied, W_dec := its normalised rows;
 * tied, nothing (here: mirror W_encᵀ into wDec so that it shows the decoder in effect).
 */
export function arenaSaeAfterStep(p: SaeParams, options: { tied: boolean; eps?: number }): void {
  if (options.tied) mirrorTiedDecoder(p);
  else overwriteDecoderWithNormalisedRows(p, options.eps ?? ARENA_WEIGHT_NORMALIZE_EPS);
}
