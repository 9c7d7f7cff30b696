/**
 * Words for the report, computed from the metrics of the run at hand (never hard-coded):
 * how many grid cells' lowest-loss SAEs learned composed directions, per condition.
 */
import type { Finding } from "../../framework/manifest.ts";
import type { ConditionConfig } from "./config.ts";

export interface CellSummary {
  condition: string;
  lr: number;
  l1: number;
  /** Metrics of the lowest-loss instance, or null when every instance diverged. */
  best: { loss: number; monosemanticity: number; mmcs: number; offAxis: number; composed: number; l0: number; dead: number } | null;
}

export interface ConditionSummary {
  condition: string;
  cells: number;
  divergedCells: number;
  /** Cells whose lowest-loss SAE has at least one latent closer to a composed direction than to any true feature. */
  composedCells: number;
  /** Cells whose lowest-loss SAE has at least one off-axis latent. */
  offAxisCells: number;
  meanMmcs: number;
  meanMonosemanticity: number;
}

export function summariseCondition(condition: string, cells: CellSummary[]): ConditionSummary {
  const mine = cells.filter((c) => c.condition === condition);
  const alive = mine.flatMap((c) => (c.best ? [c.best] : []));
  const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : NaN);
  return {
    condition,
    cells: mine.length,
    divergedCells: mine.length - alive.length,
    composedCells: alive.filter((b) => b.composed > 0).length,
    offAxisCells: alive.filter((b) => b.offAxis > 0).length,
    meanMmcs: mean(alive.map((b) => b.mmcs)),
    meanMonosemanticity: mean(alive.map((b) => b.monosemanticity)),
  };
}

const pct = (a: number, b: number) => (b ? `${Math.round((100 * a) / b)} %` : "n/a");

/** One sentence per condition describing its arrow grid. */
export function gridCaption(s: ConditionSummary, threshold: number): string {
  const alive = s.cells - s.divergedCells;
  // each verdict must follow from the counts: "recovers the true features" only when no latent is off-axis
  const verdict =
    s.composedCells > alive / 2
      ? "the SAE learns composed, off-axis directions in most cells, as the original blog post reports"
      : s.composedCells > 0
        ? "the SAE learns composed directions in some cells, but not in most"
        : s.offAxisCells > 0
          ? "no cell's lowest-loss SAE learns a composed direction, though some have off-axis latents"
          : "the SAE recovers the true feature directions in every cell";
  return (
    `Condition "${s.condition}": in ${s.composedCells} of ${s.cells - s.divergedCells} cells (${pct(s.composedCells, s.cells - s.divergedCells)}) ` +
    `the lowest-loss SAE (black) has at least one latent closer to a composed direction (x + y) than to any true feature, and in ${s.offAxisCells} ` +
    `cells at least one latent is off-axis (|cos| < ${threshold} with every true feature): ${verdict}. ` +
    `Mean MMCS of the lowest-loss SAEs ${s.meanMmcs.toFixed(3)}, mean monosemanticity ${s.meanMonosemanticity.toFixed(3)}` +
    (s.divergedCells ? `; ${s.divergedCells} cells diverged in every realisation and are marked.` : ".")
  );
}

/** The paragraphs of a condition's report section: its data, and what its grid shows. */
export function conditionText(c: ConditionConfig, model: { nIn: number; nHidden: number }, s: ConditionSummary): string[] {
  const amplitudes =
    c.setMagnitudeCorrelation === 1
      ? "the same amplitude A ~ U[0, 1)"
      : c.setMagnitudeCorrelation === 0
        ? "independent amplitudes ~ U[0, 1)"
        : `amplitude correlation f = ${c.setMagnitudeCorrelation}`;
  const data =
    c.oneHotProbability > 0
      ? `${Math.round(c.oneHotProbability * 100)} % of draws activate a single feature; the rest one x and one y feature` +
        (c.setMagnitudeCorrelation === 1 ? " with equal amplitudes." : ".")
      : `Every sample activates one x and one y feature with ${amplitudes}.`;
  const shape =
    `${model.nIn} features (two sets) in ${model.nHidden} hidden dimensions` +
    (c.correlatedPair && c.correlatedBoost ? `; pair (x${c.correlatedPair[0] + 1}, y${c.correlatedPair[1] + 1}) boosted by ${c.correlatedBoost}` : "") +
    ".";
  return [
    `${data} ${shape}`,
    `The lowest-loss SAE learned at least one composed latent in ${s.composedCells} of ${s.cells - s.divergedCells} grid cells and an off-axis latent in ${s.offAxisCells}; ` +
      `mean MMCS ${s.meanMmcs.toFixed(3)}, mean monosemanticity ${s.meanMonosemanticity.toFixed(3)}.` +
      (s.divergedCells ? ` ${s.divergedCells} cells diverged in every realisation.` : ""),
  ];
}

/** The blog's claim for one condition: composed features in most cells, whatever lr and λ. */
export function composedFinding(c: ConditionConfig, s: ConditionSummary): Finding {
  const alive = s.cells - s.divergedCells;
  const what =
    c.oneHotProbability > 0
      ? `with ${Math.round(c.oneHotProbability * 100)} % one-hot draws`
      : c.setMagnitudeCorrelation === 1
        ? "with perfectly correlated amplitudes"
        : c.setMagnitudeCorrelation === 0
          ? "with uncorrelated amplitudes"
          : `with amplitude correlation ${c.setMagnitudeCorrelation}`;
  return {
    id: `composed-${s.condition}`,
    claim: `SAEs find composed features rather than the true features regardless of learning rate or L1 coefficient (${s.condition}: ${what}).`,
    holds: alive > 0 ? s.composedCells > alive / 2 : null,
    text: `The lowest-loss SAE has a latent closer to a composed direction than to any true feature in ${s.composedCells} of ${alive} cells (${pct(s.composedCells, alive)}).`,
  };
}
