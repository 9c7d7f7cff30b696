/**
 * report: what was run, computed from the config; the metrics table of every cell's
 * lowest-loss SAE. The framework adds the findings, the figures (plots/figures.json), the
 * config and provenance (framework/report-output.ts).
 */
import { readBoolColumn, readFloatColumn, readIntColumn, readStringColumn } from "@toy-sae/core/artifact/arrow";
import type { JsonValue } from "@toy-sae/core/artifact/provenance";
import type { StageContext } from "../../framework/context.ts";
import { writeExperimentReport } from "../../framework/report-output.ts";
import { saeSteps, type ComposedGridConfig } from "./config.ts";

/** The original's SAE training length: 128M samples. */
const PAPER_SAMPLES = 128_000_000;

export async function run(ctx: StageContext<ComposedGridConfig>): Promise<void> {
  const { config } = ctx;
  const metrics = await ctx.read("metrics", "metrics.arrow");
  const saes = await ctx.read("train-saes", "saes.arrow");
  const steps = saeSteps(config);
  const samples = steps * config.sae.batch;
  const shapes = [...new Set(config.data.conditions.map((c) => `${(c.setSizes ?? config.data.setSizes).join(" + ")} features in ${c.hidden ?? config.data.hidden} hidden dimensions, d_sae = ${c.dSae ?? config.sae.dSae}`))];

  const methods = [
    `Toy model: ReLU-output TMS model (${shapes.join("; ")}), AdamW (lr ${config.model.lr}, weight decay ${config.model.weightDecay}), ${config.model.steps} steps of ${config.model.batch}, one model per data condition.`,
    `SAEs: ${config.sae.architecture} (recipe ${config.sae.recipe}): per-sample FVU + λ·L1 loss, decoder rows renormalised every step with the parallel gradient component removed, ` +
      `Adam (β1 = ${config.sae.beta1}, β2 = ${config.sae.beta2}), ${Math.round(config.sae.warmupFrac * 100)} % warm-up / ${Math.round(config.sae.cooldownFrac * 100)} % cool-down, ` +
      `b_dec initialised to the geometric median of ${config.sae.bDecInitSamples} hidden activations, ghost grads ${config.sae.ghostGrads ? "on" : "off"}. ` +
      `${steps.toLocaleString("en")} steps of ${config.sae.batch} (${samples.toLocaleString("en")} samples per SAE). ` +
      `Grid: lr ∈ {${config.sae.lr.join(", ")}} × λ ∈ {${config.sae.l1.join(", ")}} × ${config.sae.realisations} realisation${config.sae.realisations === 1 ? "" : "s"} × ${config.data.conditions.length} condition${config.data.conditions.length === 1 ? "" : "s"} = ${metrics.numRows} SAEs trained as one batched program.`,
    `Ranking: within each cell the realisation with the lowest mean FVU + λ·mean Σ|a| on ${metrics.metadata["eval_samples_per_condition"]} held-out samples is drawn in black; the most monosemantic one in grey when it differs.`,
    samples < PAPER_SAMPLES
      ? `Deviation from the original: ${((100 * samples) / PAPER_SAMPLES).toFixed(1)} % of its 128,000,000 training samples per SAE, to fit the profile "${ctx.profile}" into minutes on 2 cores (the paper profile trains the original length).`
      : "Training length as the original (128,000,000 samples per SAE).",
  ];

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

  await writeExperimentReport(ctx, {
    title: `${ctx.experiment}: SAEs on composed features — lr × λ grid`,
    summary: config.description,
    methods,
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
    trained: saes,
    seeds: [config.seed],
  });
}
