/**
 * report: what was run, computed from the config; the metrics table of every cell's
 * lowest-loss SAE. The framework adds the findings, the figures (plots/figures.json), the
 * config and provenance (framework/report-output.ts).
 */
import { readBoolColumn, readFloatColumn, readIntColumn, readStringColumn } from "@toy-sae/core/artifact/arrow";
import type { JsonValue } from "@toy-sae/core/artifact/provenance";
import type { StageContext } from "../../framework/context.ts";
import { writeExperimentReport } from "../../framework/report-output.ts";
import type { ComposedGridConfig } from "./config.ts";
import { experimentSummary, methodsParagraphs } from "./report-text.ts";

export async function run(ctx: StageContext<ComposedGridConfig>): Promise<void> {
  const { config } = ctx;
  const metrics = await ctx.read("metrics", "metrics.arrow");
  const saes = await ctx.read("train-saes", "saes.arrow");
  const methods = methodsParagraphs({
    config,
    profile: ctx.profile,
    nSaes: metrics.numRows,
    evalSamples: metrics.metadata.eval_samples_per_condition,
    arrowGrids: config.data.conditions.some((c) => (c.hidden ?? config.data.hidden) === 2),
  });

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
    summary: experimentSummary(config, metrics.numRows),
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
