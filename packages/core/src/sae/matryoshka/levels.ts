/**
 * The options of the feature-hedging paper's `MatryoshkaSAE` (chanind/feature-hedging-paper
 * `saes/matryoshka_sae.py`; reference §2.4) and how they resolve into levels.
 *
 * `matryoshkaSteps` are cumulative prefix widths, sorted and deduplicated (`sorted(set(...))`).
 * d_sae is NOT appended when missing: the original does not append it (latents past the last
 * width are then trained by the outer loss only). Each multiplier is a scalar (the same for
 * every level) or a list with one entry per level after sorting and deduplication; the
 * original zips the lists with the widths and silently drops extra levels, we reject a
 * length mismatch instead.
 */
import { STANDARD_SAE_DEFAULTS, type StandardSaeOptions } from "../standard/kernel.ts";

export interface MatryoshkaOptions extends StandardSaeOptions {
  /** `matryoshka_steps`: cumulative prefix widths (any order, duplicates allowed). */
  matryoshkaSteps: readonly number[];
  /** `include_matryoshka_inner_l1_loss` (default true). */
  includeInnerL1: boolean;
  /** `matryoshka_inner_l1_loss_multipliers` ℓ_i (default 1). */
  innerL1Multipliers: number | readonly number[];
  /** `matryoshka_inner_loss_multipliers` m_i (default 1); a level with m_i = 0 is skipped. */
  innerLossMultipliers: number | readonly number[];
  /** `outer_loss_multiplier` M (default 1). */
  outerLossMultiplier: number;
  /** `skip_outer_loss` (default false): no full-width reconstruction and no full-width L1. */
  skipOuterLoss: boolean;
  /** `normalize_losses_by_num_matryoshka_steps` (default false). */
  normaliseLossesByNumSteps: boolean;
  /** `normalize_reconstruction_losses_by_d_in` (default false). */
  normaliseReconstructionByDIn: boolean;
  /** `include_bdec_loss` (default false): adds mean_b ‖b_dec − x‖². */
  includeBDecLoss: boolean;
  /** `use_delta_loss` (default false): level i trains only its own block (and b_dec). */
  useDeltaLoss: boolean;
}

/** The original's defaults for everything but the widths (and SAELens' for the inherited options). */
export function matryoshkaOptions(options: Partial<MatryoshkaOptions> & Pick<MatryoshkaOptions, "matryoshkaSteps">): MatryoshkaOptions {
  return {
    ...STANDARD_SAE_DEFAULTS,
    includeInnerL1: true,
    innerL1Multipliers: 1,
    innerLossMultipliers: 1,
    outerLossMultiplier: 1,
    skipOuterLoss: false,
    normaliseLossesByNumSteps: false,
    normaliseReconstructionByDIn: false,
    includeBDecLoss: false,
    useDeltaLoss: false,
    ...options,
  };
}

export interface ResolvedLevels {
  /** Sorted, deduplicated widths s_0 < s_1 < … */
  widths: number[];
  /** m_i per level. */
  lossMultipliers: number[];
  /** ℓ_i per level. */
  l1Multipliers: number[];
  /**
   * What every loss term is divided by: #levels + [outer] + [b_dec term] when normalising
   * by the number of steps (levels with m_i = 0 count too, as in the original), else 1.
   */
  denominator: number;
}

function perLevel(value: number | readonly number[], n: number, what: string): number[] {
  const list = typeof value === "number" ? new Array<number>(n).fill(value) : [...value];
  if (list.length !== n) throw new Error(`matryoshka: ${what} has ${list.length} entries, expected one per level (${n} after sorting and deduplicating matryoshkaSteps)`);
  list.forEach((v, i) => {
    if (!Number.isFinite(v)) throw new Error(`matryoshka: ${what}[${i}] must be a finite number, got ${v}`);
  });
  return list;
}

export function resolveMatryoshkaLevels(options: MatryoshkaOptions, dSae: number): ResolvedLevels {
  for (const w of options.matryoshkaSteps) {
    if (!(Number.isInteger(w) && w >= 1 && w <= dSae)) throw new Error(`matryoshka: matryoshkaSteps entry ${w} must be an integer in [1, ${dSae}] (d_sae)`);
  }
  if (!Number.isFinite(options.outerLossMultiplier)) throw new Error(`matryoshka: outerLossMultiplier must be finite, got ${options.outerLossMultiplier}`);
  const widths = [...new Set(options.matryoshkaSteps)].sort((a, b) => a - b);
  const denominator = options.normaliseLossesByNumSteps ? widths.length + (options.skipOuterLoss ? 0 : 1) + (options.includeBDecLoss ? 1 : 0) : 1;
  if (denominator === 0) throw new Error("matryoshka: normaliseLossesByNumSteps with no level, no outer loss and no b_dec loss divides by zero");
  return {
    widths,
    lossMultipliers: perLevel(options.innerLossMultipliers, widths.length, "innerLossMultipliers"),
    l1Multipliers: perLevel(options.innerL1Multipliers, widths.length, "innerL1Multipliers"),
    denominator,
  };
}
