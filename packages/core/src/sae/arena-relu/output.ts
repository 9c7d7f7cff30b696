/** The per-step results the ARENA toy SAEs report (the original's loss dict and frac_active). */
import { emptyStepOutput, type SaeShape, type StepOutput } from "../types.ts";

export interface ArenaSaeStepOutput extends StepOutput {
  /**
   * [I, dSae]: the share of the batch in which the latent's |act| > 1e-8 (the original's
   * `frac_active`, the input of dead-latent resampling). `fired` is 1 where this is > 0.
   */
  fracActive: Float64Array;
  /** Batch mean of L_sparsity before the coefficient (what the original logs as L_sparsity). */
  sparsityUnweighted: Float64Array;
}

/**
 * Fields, per instance (batch means): `reconstruction` = L_reconstruction,
 * `sparsity` = coeff·L_sparsity, `auxiliary` = L_aux (Gated; 0 otherwise), `loss` = their sum.
 */
export function emptyArenaSaeStepOutput(shape: SaeShape): ArenaSaeStepOutput {
  return {
    ...emptyStepOutput(shape),
    fracActive: new Float64Array(shape.instances * shape.dSae),
    sparsityUnweighted: new Float64Array(shape.instances),
  };
}

/** Turn per-latent active counts of instance i into frac_active and fired. */
export function storeActivity(out: ArenaSaeStepOutput, i: number, counts: Float64Array, batch: number): void {
  const M = counts.length;
  for (let j = 0; j < M; j++) {
    out.fracActive[i * M + j] = counts[j] / batch;
    out.fired[i * M + j] = counts[j] > 0 ? 1 : 0;
  }
}
