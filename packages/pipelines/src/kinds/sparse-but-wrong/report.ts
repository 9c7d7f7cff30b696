/**
 * report: one self-contained HTML page (inline SVG, no network) with the findings measured in
 * this run, every figure with its caption, what was run (and how it deviates from the
 * original), the config, the metrics of every SAE and provenance; then its PDF.
 */
import { readFloatColumn } from "@toy-sae/core/artifact/arrow";
import type { JsonValue } from "@toy-sae/core/artifact/provenance";
import type { StageContext } from "../../framework/context.ts";
import { writeExperimentReport } from "../../framework/report-output.ts";
import type { SparseButWrongConfig } from "./config.ts";
import { mean, metricRows } from "./narrative.ts";
import { experimentSummary, methodsParagraphs } from "./report-text.ts";

export async function run(ctx: StageContext<SparseButWrongConfig>): Promise<void> {
  const { config } = ctx;
  const metrics = await ctx.read("metrics", "metrics.arrow");
  const measured = {
    trueL0: mean(Array.from(readFloatColumn(metrics, "true_l0"))),
    trueL0Se: mean(Array.from(readFloatColumn(metrics, "true_l0_se"))),
    evalSamples: metrics.metadata.eval_samples,
  };
  const saes = await ctx.read("train-saes", "saes.arrow");
  const rows = metricRows(metrics);
  const recipe = await ctx.loadRecipe(config.sae.recipe);
  const get = (name: string) => (metrics.has(name) ? Array.from(metrics.column(name).toArray() as ArrayLike<number | string | boolean>) : []);
  // key columns that do not apply to this experiment (all NaN, e.g. ρ on the main toy) are left out of the table
  // what fits a PDF page; the true L0 is one number per run and is stated in "What was run"
  const cols = [
    "run",
    "k",
    "rho",
    "seed",
    "l0_coefficient",
    "l0",
    "dead",
    "shrinkage",
    "variance_explained",
    "mse",
    "feature_mixing",
    "mmcs",
    "pairwise_dec_cos",
    "diverged",
  ].filter((c) => !get(c).every((v) => typeof v === "number" && Number.isNaN(v)));
  const columns = Object.fromEntries(cols.map((c) => [c, get(c)]));
  await writeExperimentReport(ctx, {
    title: `${ctx.experiment}: sparse but wrong — correlated features and the wrong L0`,
    summary: experimentSummary(config, measured),
    methods: methodsParagraphs(config, recipe, measured, ctx.profile),
    config: config as unknown as JsonValue,
    metrics: {
      caption: `Every SAE (${rows.length}); the full tables are metrics/metrics.arrow, cos.arrow and projections.arrow.`,
      columns: cols,
      rows: rows.map((_, r) => Object.fromEntries(cols.map((c) => [c, (columns[c][r] ?? null) as number | string | boolean | null]))),
    },
    trained: saes,
    seeds: [config.seed],
  });
}
