/**
 * report: one self-contained HTML page (inline SVG, no network) with the findings measured in
 * this run, every figure with its caption, what was run (and how it deviates from the
 * original), the config, the metrics of every SAE and provenance; then its PDF.
 */
import { readFileSync } from "node:fs";
import { buildReportHtml, type JsonValue, type ReportFigure, type ReportSection } from "@toy-sae/report";
import type { StageContext } from "../stage/context.ts";
import { reportProvenance, writeReport } from "../stage/report-output.ts";
import { saeSteps, sbwInstances, type SparseButWrongConfig } from "./config.ts";
import { fmt, metricRows } from "./narrative.ts";
import type { FigureManifest } from "./plots.ts";

/** The original's training length: 15,000,000 samples in batches of 1024. */
const PAPER_STEPS = 14_649;

const GROUPS: Array<{ heading: string; id: string; match: (id: string) => boolean; intro: string }> = [
  {
    heading: "Data and toy model",
    id: "data",
    match: (id) => id.startsWith("firing") || id.startsWith("correlation") || id === "superposition-features",
    intro: "The firing probabilities and the latent correlations of the Gaussian copula, and the feature geometry of the toy models.",
  },
  {
    heading: "Decoder cosine similarity with the true features",
    id: "heatmaps",
    match: (id) => !/^(firing|correlation|superposition-features|mixing|decoder-projection|variance|pairwise|jumprelu|intuition)/.test(id),
    intro: "Each heatmap: rows are SAE latents (reordered by their best-matching feature, latent 0 at the bottom), columns true features; RdBu on [−1, 1], values rounded to 0.01.",
  },
  {
    heading: "Sweeps over ρ and k",
    id: "sweeps",
    match: (id) => /^(mixing|decoder-projection|variance|pairwise)/.test(id),
    intro: "Lines are means over seeds, bands ± 1 standard deviation; the red dashed line is the true L0 measured on the evaluation sample.",
  },
  { heading: "JumpReLU SAEs", id: "jumprelu", match: (id) => id.startsWith("jumprelu"), intro: "The L0-coefficient sweep of the appendix." },
  { heading: "Why s_n^dec finds the true L0", id: "intuition", match: (id) => id.startsWith("intuition"), intro: "The idealised picture behind the decoder-projection metric." },
];

export async function run(ctx: StageContext<SparseButWrongConfig>): Promise<void> {
  const { config } = ctx;
  const manifest = JSON.parse(readFileSync(ctx.pathOf("plots", "figures.json"), "utf8")) as FigureManifest;
  const metrics = await ctx.read("metrics", "metrics.arrow");
  const saes = await ctx.read("train-saes", "saes.arrow");
  const rows = metricRows(metrics);
  const steps = saeSteps(config);
  const instances = sbwInstances(config);

  const figure = (f: FigureManifest["figures"][number]): ReportFigure => ({
    svg: readFileSync(ctx.pathOf("plots", f.file), "utf8"),
    caption: `${f.title}. ${f.caption}`,
    id: f.id,
  });
  const figureSections: ReportSection[] = GROUPS.flatMap((g) => {
    const mine = manifest.figures.filter((f) => g.match(f.id));
    return mine.length ? [{ heading: g.heading, id: g.id, paragraphs: [g.intro], figures: mine.map(figure) }] : [];
  });

  const shown = manifest.findings.filter((f) => f.holds === true).length;
  const tested = manifest.findings.filter((f) => f.holds !== null).length;
  const findings: ReportSection = {
    heading: "Findings in this run",
    id: "findings",
    paragraphs: manifest.findings.map((f) => `${f.holds === null ? "Not tested" : f.holds ? "Shows" : "Does not show"} — ${f.claim} ${f.text}`),
  };

  const { data, sae } = config;
  const runLines = sae.runs.map((r) => {
    const n = instances.filter((g) => g.run === r.name).length;
    const what = r.architecture === "batchtopk" ? `BatchTopK, k ∈ {${r.k?.join(", ")}}` : `JumpReLU, L0 coefficient ∈ {${r.l0Coefficient?.join(", ")}}`;
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
  const methods: ReportSection = {
    heading: "What was run",
    id: "methods",
    paragraphs: [
      `Data: ${data.features} features, firing as a Gaussian copula (${data.correlation.kind === "feature0" ? `ρ between feature 0 and the others, ρ ∈ {${data.correlation.rho?.join(", ")}}` : data.correlation.kind === "random" ? `the random correlation matrix of seed ${data.correlation.seed}, strengths U[${data.correlation.strengthRange?.join(", ")}]` : "independent"}), ` +
        `magnitudes ReLU(${data.magnitudeMean} + N(0, ${data.magnitudeStd})), embedded by a fixed linear toy model in ${data.hidden} dimensions (${config.model.variants.map((v) => `"${v.name}": ${v.steps} Adam steps of the orthogonality loss${v.stopBelowLoss ? `, stopped below ${v.stopBelowLoss}` : ""}`).join("; ")}). ` +
        `True L0 measured on ${metrics.metadata["eval_samples"]} evaluation samples: ${fmt(manifest.trueL0, 3)} ± ${fmt(manifest.trueL0Se, 3)}.`,
      `SAEs: SAELens 6.11.1 training SAEs with d_sae = ${sae.dSae} (decoder rows initialised at norm 0.1, W_enc = W_decᵀ), MSE + aux-k loss, Adam (0.9, 0.999) at constant lr ${lrs.join(" / ")}, per-SAE gradient norm clipped to 1, dead window ${sae.deadWindow} steps; ` +
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
  const html = buildReportHtml({
    title: `${ctx.experiment}: sparse but wrong — correlated features and the wrong L0`,
    summary: `${config.description} In this run ${shown} of ${tested} tested findings of the paper show (profile ${ctx.profile}). ${manifest.findings.map((f) => `${f.holds === null ? "–" : f.holds ? "✓" : "✗"} ${f.claim}`).join(" ")}`,
    sections: [findings, methods, ...figureSections],
    config: config as unknown as JsonValue,
    metrics: {
      caption: `Every SAE (${rows.length}); the full tables are metrics/metrics.arrow, cos.arrow and projections.arrow.`,
      columns: cols,
      rows: rows.map((_, r) => Object.fromEntries(cols.map((c) => [c, (columns[c][r] ?? null) as number | string | boolean | null]))),
    },
    provenance: reportProvenance(ctx, saes, [config.seed]),
  });
  await writeReport(ctx, html);
}
