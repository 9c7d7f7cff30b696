/**
 * report: one self-contained HTML page (inline SVG, no network) with every figure, the words
 * that say what they show in this run, the config, a metrics table and provenance; then its
 * PDF through Debian Chromium when one is installed.
 */
import { readFileSync } from "node:fs";
import { readBoolColumn, readFloatColumn, readIntColumn, readStringColumn } from "@toy-sae/core/artifact/arrow";
import { buildReportHtml, type JsonValue, type ReportSection } from "@toy-sae/report";
import type { StageContext } from "../stage/context.ts";
import { reportProvenance, writeReport } from "../stage/report-output.ts";
import { saeSteps, type ComposedGridConfig } from "./config.ts";
import { overallSummary } from "./narrative.ts";
import type { FigureManifest } from "./plots.ts";

export async function run(ctx: StageContext<ComposedGridConfig>): Promise<void> {
  const { config } = ctx;
  const manifest = JSON.parse(readFileSync(ctx.pathOf("plots", "figures.json"), "utf8")) as FigureManifest;
  const metrics = await ctx.read("metrics", "metrics.arrow");
  const saes = await ctx.read("train-saes", "saes.arrow");
  const steps = saeSteps(config);

  const figure = (id: string) => {
    const f = manifest.figures.find((x) => x.id === id);
    if (!f) return [];
    const svg = readFileSync(ctx.pathOf("plots", f.file), "utf8");
    return [{ svg, caption: `${f.title}. ${f.caption}`, id: f.id }];
  };

  const conditionSections: ReportSection[] = config.data.conditions.map((c) => {
    const s = manifest.summaries.find((x) => x.condition === c.name);
    const data =
      c.oneHotProbability > 0
        ? `${Math.round(c.oneHotProbability * 100)} % of draws activate a single feature; the rest one x and one y feature` +
          (c.setMagnitudeCorrelation === 1 ? " with equal amplitudes." : ".")
        : c.setMagnitudeCorrelation === 1
          ? "Every sample activates one x and one y feature with the same amplitude A ~ U[0, 1)."
          : c.setMagnitudeCorrelation === 0
            ? "Every sample activates one x and one y feature with independent amplitudes ~ U[0, 1)."
            : `Every sample activates one x and one y feature; amplitude correlation f = ${c.setMagnitudeCorrelation}.`;
    return {
      heading: `Condition: ${c.name}`,
      id: `condition-${c.name}`,
      paragraphs: [
        data,
        s
          ? `The lowest-loss SAE learned at least one composed latent in ${s.composedCells} of ${s.cells - s.divergedCells} grid cells and an off-axis latent in ${s.offAxisCells}; ` +
            `mean MMCS ${s.meanMmcs.toFixed(3)}, mean monosemanticity ${s.meanMonosemanticity.toFixed(3)}.` +
            (s.divergedCells ? ` ${s.divergedCells} cells diverged in every realisation.` : "")
          : "",
      ].filter(Boolean),
      figures: [...figure(`grid-${c.name}`), ...figure(`schematic-${c.name}`), ...figure(`heat-loss-${c.name}`), ...figure(`heat-mono-${c.name}`), ...figure(`heat-mmcs-${c.name}`), ...figure(`tms-${c.name}`)],
    };
  });

  const methods: ReportSection = {
    heading: "What was run",
    id: "methods",
    paragraphs: [
      `Toy model: ReLU-output TMS model with ${config.data.setSizes[0]} + ${config.data.setSizes[1]} features in ${config.data.hidden} hidden dimensions, ` +
        `AdamW (lr ${config.model.lr}, weight decay ${config.model.weightDecay}), ${config.model.steps} steps of ${config.model.batch}, one model per data condition.`,
      `SAEs: ReLU/L1 with d_sae = ${config.sae.dSae}, per-sample FVU + λ·L1 loss, decoder rows renormalised every step with the parallel gradient component removed, ` +
        `Adam (β1 = ${config.sae.beta1}, β2 = ${config.sae.beta2}), ${Math.round(config.sae.warmupFrac * 100)} % warm-up / ${Math.round(config.sae.cooldownFrac * 100)} % cool-down, ` +
        `b_dec initialised to the geometric median of ${config.sae.bDecInitSamples} hidden activations, ghost grads ${config.sae.ghostGrads ? "on" : "off"}. ` +
        `${steps.toLocaleString("en")} steps of ${config.sae.batch} (${(steps * config.sae.batch).toLocaleString("en")} samples per SAE; the original used 128,000,000 — the paper profile). ` +
        `Grid: lr ∈ {${config.sae.lr.join(", ")}} × λ ∈ {${config.sae.l1.join(", ")}} × ${config.sae.realisations} realisations × ${config.data.conditions.length} conditions = ${metrics.numRows} SAEs trained as one batched program.`,
      `Ranking: within each cell the realisation with the lowest mean FVU + λ·mean Σ|a| on ${metrics.metadata["eval_samples_per_condition"]} held-out samples is drawn in black; the most monosemantic one in grey when it differs.`,
    ],
  };

  // Metrics table: the lowest-loss SAE of every cell (the full table is metrics.arrow).
  const cond = readStringColumn(metrics, "condition");
  const best = readBoolColumn(metrics, "best_in_cell");
  const diverged = readBoolColumn(metrics, "diverged");
  const cols = ["lr", "l1", "loss", "fvu", "l0", "monosemanticity", "mmcs", "mmcs_sae_to_true", "mcc"] as const;
  const values = Object.fromEntries(cols.map((k) => [k, readFloatColumn(metrics, k)]));
  const dead = readIntColumn(metrics, "dead");
  const inst = readIntColumn(metrics, "instance");
  const composed = readIntColumn(metrics, "composed_latents");
  const keep = cond.flatMap((_, r) => (best[r] || diverged[r] ? [r] : []));


  const html = buildReportHtml({
    title: `${ctx.experiment}: SAEs on composed features — lr × λ grid`,
    summary: `${config.description} ${overallSummary(manifest.summaries)}`,
    sections: [methods, ...conditionSections],
    config: config as unknown as JsonValue,
    metrics: {
      caption: "Lowest-loss SAE of every grid cell (diverged instances listed too). composed = latents closer to a composed direction than to any true feature.",
      columns: ["condition", "lr", "l1", "instance", "loss", "fvu", "l0", "dead", "monosemanticity", "mmcs", "mmcs_sae_to_true", "mcc", "composed", "diverged"],
      rows: keep.map((r) => ({
        condition: cond[r],
        ...Object.fromEntries(cols.map((k) => [k, values[k][r]])),
        instance: inst[r],
        dead: dead[r],
        composed: composed[r],
        diverged: diverged[r],
      })),
    },
    provenance: reportProvenance(ctx, saes, [config.seed]),
  });
  await writeReport(ctx, html);
}
