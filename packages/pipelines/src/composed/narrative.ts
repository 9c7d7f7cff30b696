/**
 * Words for the report, computed from the metrics of the run at hand (never hard-coded):
 * how many grid cells' lowest-loss SAEs learned composed directions, per condition.
 */
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
  const verdict =
    s.composedCells > s.cells / 2
      ? "the SAE learns composed, off-axis directions in most cells, as the original blog post reports"
      : s.composedCells > 0
        ? "the SAE learns composed directions in some cells, but mostly recovers the true features"
        : "the SAE recovers the true feature directions in every cell";
  return (
    `Condition "${s.condition}": in ${s.composedCells} of ${s.cells - s.divergedCells} cells (${pct(s.composedCells, s.cells - s.divergedCells)}) ` +
    `the lowest-loss SAE (black) has at least one latent closer to a composed direction (x + y) than to any true feature, and in ${s.offAxisCells} ` +
    `cells at least one latent is off-axis (|cos| < ${threshold} with every true feature): ${verdict}. ` +
    `Mean MMCS of the lowest-loss SAEs ${s.meanMmcs.toFixed(3)}, mean monosemanticity ${s.meanMonosemanticity.toFixed(3)}` +
    (s.divergedCells ? `; ${s.divergedCells} cells diverged in every realisation and are marked.` : ".")
  );
}

export function overallSummary(summaries: ConditionSummary[]): string {
  const parts = summaries.map((s) => `${s.condition}: ${s.composedCells}/${s.cells - s.divergedCells} cells with composed latents`);
  const correlated = summaries.find((s) => s.condition === "correlated");
  const lead =
    correlated && correlated.composedCells > correlated.cells / 2
      ? "With perfectly correlated amplitudes the SAEs find composed features rather than the true ones across the learning-rate × L1 grid."
      : correlated
        ? "In this run the correlated condition does not show composed features in most cells; compare with the blog post's finding and consider the paper profile's longer training."
        : "";
  return `${lead} Per condition — ${parts.join("; ")}.`.trim();
}
