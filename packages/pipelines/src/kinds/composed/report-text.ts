/**
 * The words of a composed-grid report that describe the run — its summary and "What was run" —
 * computed from the config as run (this profile's) and the metrics. The config's free-text
 * description is not among them: it is written once for the default profile, and said
 * "5×5 grid (5 realisations each)" of a smoke run's 2×2 grid with 2.
 */
import { formatCompact, formatScientific } from "@toy-sae/report";
import { saeSteps, type ComposedGridConfig } from "./config.ts";

/** The original's SAE training length: 128M samples. */
export const PAPER_SAMPLES = 128_000_000;

const plural = (n: number, word: string, many = `${word}s`) => `${n.toLocaleString("en")} ${n === 1 ? word : many}`;

/** "a, b and c". */
function andList(items: readonly string[]): string {
  return items.length > 1 ? `${items.slice(0, -1).join(", ")} and ${items.at(-1)}` : (items[0] ?? "");
}

/** Toy-model shapes: "2 + 2 features in 2 hidden dimensions", "8 + 8 features in 8, 6, 5 or 4 hidden dimensions". */
export function modelShapes(c: ComposedGridConfig): string[] {
  const bySets = new Map<string, number[]>();
  for (const cond of c.data.conditions) {
    const sets = (cond.setSizes ?? c.data.setSizes).join(" + ");
    const hidden = cond.hidden ?? c.data.hidden;
    const list = bySets.get(sets) ?? [];
    if (!list.includes(hidden)) list.push(hidden);
    bySets.set(sets, list);
  }
  return [...bySets].map(
    ([sets, hidden]) => `${sets} features in ${hidden.join(", ").replace(/, (\d+)$/, " or $1")} hidden dimension${hidden.length === 1 && hidden[0] === 1 ? "" : "s"}`,
  );
}

/** The SAE grid in words: "a 2 × 2 grid of learning rates {…} × L1 coefficients λ {…}", or the one cell. */
export function gridWords(c: ComposedGridConfig): string {
  const lrs = c.sae.lr.map((v) => formatScientific(v, 2));
  const l1s = c.sae.l1.map((v) => formatCompact(v));
  if (lrs.length === 1 && l1s.length === 1) return `one cell (lr ${lrs[0]}, λ ${l1s[0]})`;
  return `a ${lrs.length} × ${l1s.length} grid of learning rates {${lrs.join(", ")}} × L1 coefficients λ {${l1s.join(", ")}}`;
}

/** The report's summary: what was trained on what, in this run. */
export function experimentSummary(c: ComposedGridConfig, nSaes: number): string {
  const names = c.data.conditions.map((cond) => cond.name);
  return (
    `${c.sae.architecture} SAEs over ${gridWords(c)}, ${plural(c.sae.realisations, "realisation")} per cell (${plural(nSaes, "SAE")} in all), ` +
    `on the hidden layer of ReLU-output toy models with ${andList(modelShapes(c))}, under ${plural(names.length, "data condition")}: ${names.join(", ")}.`
  );
}

export interface MethodsInput {
  config: ComposedGridConfig;
  profile: string;
  nSaes: number;
  evalSamples: string | undefined;
  /** Some condition has a 2-d hidden layer, so the report draws arrow grids and metric heatmaps. */
  arrowGrids: boolean;
}

export function methodsParagraphs({ config, profile, nSaes, evalSamples, arrowGrids }: MethodsInput): string[] {
  const steps = saeSteps(config);
  const samples = steps * config.sae.batch;
  const { sae, model } = config;
  const widths = [...new Set(config.data.conditions.map((c) => c.dSae ?? sae.dSae))];
  const loss =
    sae.architecture === "relu-l1"
      ? "per-sample FVU + λ·L1 loss, decoder rows renormalised every step with the parallel gradient component removed"
      : `the ${sae.architecture} architecture's loss with λ as its L1 coefficient`;
  return [
    `Toy model: ReLU-output TMS model (${modelShapes(config).join("; ")}), AdamW (lr ${model.lr}, weight decay ${model.weightDecay}), ${model.steps} steps of ${model.batch}, one model per data condition.`,
    `SAEs: ${sae.architecture} with d_sae = ${widths.join(" or ")} (recipe ${sae.recipe}): ${loss}, ` +
      `Adam (β1 = ${sae.beta1}, β2 = ${sae.beta2}), ${Math.round(sae.warmupFrac * 100)} % warm-up / ${Math.round(sae.cooldownFrac * 100)} % cool-down, ` +
      `b_dec initialised to the geometric median of ${sae.bDecInitSamples} hidden activations, ghost grads ${sae.ghostGrads ? "on" : "off"}. ` +
      `${steps.toLocaleString("en")} steps of ${sae.batch} (${samples.toLocaleString("en")} samples per SAE). ` +
      `Grid: lr ∈ {${sae.lr.join(", ")}} × λ ∈ {${sae.l1.join(", ")}} × ${plural(sae.realisations, "realisation")} × ${plural(config.data.conditions.length, "condition")} = ${plural(nSaes, "SAE")} trained as one batched program.`,
    `Ranking: within each cell the realisation with the lowest mean FVU + λ·mean Σ|a| on ${evalSamples} held-out samples is the cell's lowest-loss SAE, whose metrics the table shows` +
      // the arrow grids and the metric heatmaps are drawn for 2-d hidden layers only
      (arrowGrids ? ", as do the heatmaps over the grid; the arrow grids draw it in black and, when another realisation is more monosemantic, that one in grey." : "."),
    samples < PAPER_SAMPLES
      ? `Deviation from the original in this profile ("${profile}"): ${((100 * samples) / PAPER_SAMPLES).toFixed(1)} % of its 128,000,000 training samples per SAE.`
      : "Training length as the original (128,000,000 samples per SAE).",
  ];
}
