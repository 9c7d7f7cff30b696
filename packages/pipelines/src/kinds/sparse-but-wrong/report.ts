/**
 * report: one self-contained HTML page (inline SVG, no network) with the findings measured in
 * this run, every figure with its caption, what was run (and how it deviates from the
 * original), the config, the metrics of every SAE and provenance; then its PDF.
 */
import { readFloatColumn } from "@toy-sae/core/artifact/arrow";
import type { JsonValue } from "@toy-sae/core/artifact/provenance";
import type { StageContext } from "../../framework/context.ts";
import { writeExperimentReport } from "../../framework/report-output.ts";
import { saeSteps, sbwInstances, type SparseButWrongConfig } from "./config.ts";
import { fmt, mean, metricRows } from "./narrative.ts";

/** The original's training length: 15,000,000 samples in batches of 1024. */
const PAPER_STEPS = 14_649;

export async function run(ctx: StageContext<SparseButWrongConfig>): Promise<void> {
  const { config } = ctx;
  const metrics = await ctx.read("metrics", "metrics.arrow");
  const trueL0 = mean(Array.from(readFloatColumn(metrics, "true_l0")));
  const trueL0Se = mean(Array.from(readFloatColumn(metrics, "true_l0_se")));
  const saes = await ctx.read("train-saes", "saes.arrow");
  const rows = metricRows(metrics);
  const steps = saeSteps(config);
  const instances = sbwInstances(config);

  const { data, sae } = config;
  const runLines = sae.runs.map((r) => {
    const n = instances.filter((g) => g.run === r.name).length;
    const what = r.k ? `${r.architecture}, k ∈ {${r.k.join(", ")}}` : `${r.architecture}, L0 coefficient ∈ {${r.l0Coefficient?.join(", ")}}`;
    const extra = [
      r.rho ? `ρ ∈ {${r.rho.join(", ")}}` : "",
      `${r.seeds} seed${r.seeds > 1 ? "s" : ""}`,
      r.init === "truth" ? `ground-truth init${r.initNoise ? ` + noise ${r.initNoise}` : ""}` : "random init",
      r.trained === false ? "not trained" : "",
      r.model ? `${r.model} model` : "",
      r.kTransition ? `k transition from ${r.kTransition.from} starting at ${Math.round(r.kTransition.startFraction * steps)} over ${Math.round(r.kTransition.durationFraction * steps)} steps` : "",
      r.normalizeInputs ? "inputs normalised to mean norm √d_in" : "",
      r.l0WarmUpFraction ? `L0 warm-up ${Math.round(r.l0WarmUpFraction * steps)} steps` : "",
      r.lr ? `lr ${r.lr}` : "",
    ].filter(Boolean);
    return `${r.name}: ${what}; ${extra.join(", ")} — ${n} SAE${n > 1 ? "s" : ""}.`;
  });
  const lrs = [...new Set(instances.map((g) => g.lr))];
  const methods = {
    paragraphs: [
      `Data: ${data.features} features, firing as a Gaussian copula (${data.correlation.kind === "feature0" ? `ρ between feature 0 and the others, ρ ∈ {${data.correlation.rho?.join(", ")}}` : data.correlation.kind === "random" ? `the random correlation matrix of seed ${data.correlation.seed}, strengths U[${data.correlation.strengthRange?.join(", ")}]` : "independent"}), ` +
        `magnitudes ReLU(${data.magnitudeMean} + N(0, ${data.magnitudeStd})), embedded by a fixed linear toy model in ${data.hidden} dimensions (${config.model.variants.map((v) => `"${v.name}": ${v.steps} Adam steps of the orthogonality loss${v.stopBelowLoss ? `, stopped below ${v.stopBelowLoss}` : ""}`).join("; ")}). ` +
        `True L0 measured on ${metrics.metadata["eval_samples"]} evaluation samples: ${fmt(trueL0, 3)} ± ${fmt(trueL0Se, 3)}.`,
      `SAEs: SAELens 6.11.1 training SAEs with d_sae = ${sae.dSae} (decoder rows initialised at norm 0.1, W_enc = W_decᵀ), trained with the ${sae.recipe} recipe: Adam (0.9, 0.999) at constant lr ${lrs.join(" / ")}, per-SAE gradient norm clipped to 1, dead window ${sae.deadWindow} steps; ` +
        `${steps.toLocaleString("en")} steps of ${sae.batch} (${(steps * sae.batch).toLocaleString("en")} samples per SAE; the original trains ${PAPER_STEPS.toLocaleString("en")} steps, the paper profile). ` +
        `Every SAE is evaluated as the notebooks do: the training SAE on the held-out batch, BatchTopK keeping ⌊k·B⌋ activations over the whole batch.`,
      `Runs (${instances.length} SAEs trained as instances of one batched program): ${runLines.join(" ")}`,
      ...(steps < PAPER_STEPS || lrs.some((lr) => lr !== 3e-4)
        ? [
            `Deviation from the original: ${steps < PAPER_STEPS ? `${fmt((100 * steps) / PAPER_STEPS, 0)} % of its training length` : ""}${steps < PAPER_STEPS && lrs.some((lr) => lr !== 3e-4) ? " and " : ""}${lrs.some((lr) => lr !== 3e-4) ? `learning rate ${lrs.join(" / ")} instead of 3e-4` : ""}, to fit the default profile into minutes on 2 cores; run the paper profile for the original lengths.`,
          ]
        : []),
    ],
  };

  const get = (name: string) => (metrics.has(name) ? Array.from(metrics.column(name).toArray() as ArrayLike<number | string | boolean>) : []);
  // key columns that do not apply to this experiment (all NaN, e.g. ρ on the main toy) are left out of the table
  // what fits a PDF page; the true L0 is one number per run and is stated in "What was run"
  const cols = ["run", "k", "rho", "seed", "l0_coefficient", "l0", "dead", "shrinkage", "variance_explained", "mse", "feature_mixing", "mmcs", "pairwise_dec_cos", "diverged"].filter(
    (c) => !get(c).every((v) => typeof v === "number" && Number.isNaN(v)),
  );
  const columns = Object.fromEntries(cols.map((c) => [c, get(c)]));
  await writeExperimentReport(ctx, {
    title: `${ctx.experiment}: sparse but wrong — correlated features and the wrong L0`,
    summary: config.description,
    methods: methods.paragraphs,
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
