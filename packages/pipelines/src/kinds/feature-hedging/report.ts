/**
 * report: one self-contained HTML page (and its PDF) with the feature-hedging paper's findings as
 * measured in this run, what was run and how it deviates from the original notebooks, every
 * figure with its caption, the config, the metrics of every SAE and provenance.
 */
import { readFloatColumn, readIntColumn } from "@toy-sae/core/artifact/arrow";
import type { JsonValue } from "@toy-sae/core/artifact/provenance";
import type { StageContext } from "../../framework/context.ts";
import { writeExperimentReport } from "../../framework/report-output.ts";
import { formatBeta, hedgingSaes, type FeatureHedgingConfig } from "./config.ts";
import { parseTree } from "@toy-sae/generators/tree";
import { fmt } from "./findings.ts";

/** "feature 1 fires with p = 0.25; features 2, 3, 4 with p = 0.15, 0.15, 0.15 given feature 1; …" from the read-out nodes. */
function describeTree(tree: unknown): string {
  const nodes = parseTree(tree);
  const readOutParent = (k: number): number => {
    let p = nodes[k].parent;
    while (p >= 0 && !nodes[p].isReadOut) p = nodes[p].parent;
    return p;
  };
  const groups = new Map<number, number[]>();
  nodes.forEach((n, k) => {
    if (!n.isReadOut) return;
    const parent = readOutParent(k);
    groups.set(parent, [...(groups.get(parent) ?? []), k]);
  });
  return [...groups]
    .map(([parent, kids]) => {
      const names = kids.map((k) => nodes[k].feature + 1).join(", ");
      const probs = kids.map((k) => nodes[k].activeProb).join(", ");
      return `feature${kids.length > 1 ? "s" : ""} ${names} fire${kids.length > 1 ? "" : "s"} with p = ${probs}${parent >= 0 ? ` when feature ${nodes[parent].feature + 1} does` : ""}${nodes[nodes[kids[0]].parent]?.mutuallyExclusiveChildren ? " (mutually exclusive: exactly one fires)" : ""}`;
    })
    .join("; ");
}

/** The original's training: 100M tokens at 4096 per step (SAELens 5.10.2). */
const PAPER_STEPS = 24_414;

export async function run(ctx: StageContext<FeatureHedgingConfig>): Promise<void> {
  const { config } = ctx;
  const { data, sae } = config;
  const metrics = await ctx.read("metrics", "metrics.arrow");
  const saes = await ctx.read("train-saes", "saes.arrow");
  const model = await ctx.read("train-model", "model.arrow");
  const steps = Number(saes.metadata.steps);
  const planned = hedgingSaes(config);

  const datasetLines = data.datasets.map((d) => {
    if (d.tree !== undefined) return `${d.name}: a tree (TreeFeatureGenerator, §2.2) — ${describeTree(d.tree)}`;
    const mods = (d.modifiers ?? []).map((m) => {
      if (m.kind === "child-only-with-parent") return `feature ${m.child + 1} only with feature ${m.parent + 1}`;
      if (m.kind === "partial-cooccurrence") return `feature ${m.child + 1} redrawn with p = ${m.soloProbability} where feature ${m.parent + 1} is off`;
      if (m.kind === "suppress") return `feature ${m.dominant + 1} suppresses ${m.suppressed.map((s) => s + 1).join(", ")}`;
      return `absorption ${m.pairs.map(([p, c]) => `${c + 1} → ${p + 1}`).join(", ")}`;
    });
    return `${d.name}: p = [${d.firingProbabilities?.join(", ")}]${mods.length ? `, ${mods.join("; ")}` : ", independent"}`;
  });
  const runLines = sae.runs.map((r) => {
    const n = planned.filter((s) => s.run === r.name).length;
    const parts = [
      `${r.architecture}, d_sae = ${r.dSae}`,
      r.l1 !== undefined ? `λ = ${r.l1}` : "",
      r.k !== undefined ? `k = ${r.k}` : "",
      r.beta ? `β ∈ {${r.beta.map((b) => (b === "detached" ? "∞" : b)).join(", ")}}` : "",
      `on ${r.datasets.join(", ")}`,
      r.init === "truth" ? `ground-truth init${r.featureOrdering ? ` (ordering [${r.featureOrdering.join(", ")}])` : ""}, noise ${r.initNoise ?? 0}` : "random init",
      `${r.seeds} seed${r.seeds === 1 ? "" : "s"}`,
      r.options && Object.keys(r.options).length ? `options ${JSON.stringify(r.options)}` : "",
    ].filter(Boolean);
    return `${r.name}: ${parts.join(", ")} — ${n} SAE${n === 1 ? "" : "s"}.`;
  });
  const lrs = [...new Set(planned.map((s) => s.lr))];
  const stepsRun = readIntColumn(model, "steps_run")[0];
  const orthoError = readFloatColumn(model, "max_orthogonality_error")[0];
  const deviations = [
    steps < PAPER_STEPS
      ? `${steps.toLocaleString("en")} training steps instead of the original's ${PAPER_STEPS.toLocaleString("en")} (${fmt((100 * steps) / PAPER_STEPS, 0)} %), to fit the profile's time`
      : "",
    lrs.some((lr) => lr !== 3e-4) ? `learning rate ${lrs.join(" / ")} instead of 3e-4` : "",
    config.model.stopBelowLoss
      ? `the toy model's orthogonalisation stops once its loss is below ${config.model.stopBelowLoss} (after ${stepsRun} steps; the original always runs ${config.model.steps}), so the embedding is orthonormal (max |e_i·e_j − δ_ij| = ${orthoError.toExponential(1)})`
      : "",
    sae.runs.some((r) => r.seeds > 1) ? "several seeds per run where the notebooks train one SAE, so that every claim is tested on each seed" : "",
    config.plots.betaSweep ? `the β sweep (run ${config.plots.betaSweep.run}) is not in the original, whose notebook trains only β = 0, 0.17, 0.25 and ∞` : "",
    "the SAEs are evaluated on a held-out sample (MSE, L0, MCC, F1, absorption gaps), which the notebooks do not do",
  ].filter(Boolean);
  const methods = [
    `Data (${data.datasets.length} dataset${data.datasets.length === 1 ? "" : "s"}): ${datasetLines.join("; ")}. Magnitudes are exactly 1 where a feature fires. Each dataset is embedded by one toy model: ${readIntColumn(model, "n_features")[0]} orthonormal feature directions in ${config.model.hidden} dimensions, x = features·E (§2.1). Evaluation: ${metrics.metadata.eval_samples} held-out samples per dataset.`,
    `SAEs: the ${sae.recipe} recipe (SAELens 5.10.2 as the hedging toys run it: Adam β1 = 0, β2 = .999, each SAE's gradient norm clipped to 1, constant learning rate ${lrs.join(" / ")}), batch ${sae.batch} (the original's context size), ${sae.tokens.toLocaleString("en")} training tokens → ${steps.toLocaleString("en")} steps; fresh batches every step; ${sae.engine} gradients.`,
    `Runs (${planned.length} SAEs): ${runLines.join(" ")}`,
    ...(config.lossCurves
      ? [
          `Analytic loss curves: ${config.lossCurves.steps.toLocaleString("en")} α values, λ ∈ {${config.lossCurves.l1.join(", ")}}, skew parent (P(parent only) .3, P(both) .1) and skew child (.1, .3), as loss_curves.py.`,
        ]
      : []),
    `Deviations from the original: ${deviations.join("; ")}.`,
  ];

  const get = (name: string) => (metrics.has(name) ? Array.from(metrics.column(name).toArray() as ArrayLike<number | string | boolean>) : []);
  const cols = [
    "run",
    "dataset",
    "beta",
    "seed",
    "d_sae",
    "l1",
    "noise",
    "mse",
    "l0",
    "dead",
    "b_dec_norm",
    "mcc",
    "f1",
    "child_enc_cos",
    "child_dec_cos",
    "absorption_gap",
    "diverged",
  ].filter((c) => !get(c).every((v) => typeof v === "number" && Number.isNaN(v)));
  const columns = Object.fromEntries(cols.map((c) => [c, get(c)]));
  const value = (c: string, r: number): number | string | boolean | null => {
    const v = columns[c][r];
    if (c === "beta" && typeof v === "number") return Number.isNaN(v) ? null : v === Infinity ? "∞" : v;
    return (v ?? null) as number | string | boolean | null;
  };
  await writeExperimentReport(ctx, {
    title: `${ctx.experiment}: feature hedging and absorption`,
    summary: config.description,
    methods,
    config: config as unknown as JsonValue,
    metrics: {
      caption: `Every SAE (${metrics.numRows}); child_enc_cos / child_dec_cos: mean child component in the parent's latent over the dataset's edges (> 0 hedging, < 0 absorption). Full tables: metrics/metrics.arrow, cos.arrow, bdec.arrow, components.arrow${config.lossCurves ? ", loss-curves.arrow" : ""}. ${formatBeta(Infinity)} is shown as ∞.`,
      columns: cols,
      rows: Array.from({ length: metrics.numRows }, (_, r) => Object.fromEntries(cols.map((c) => [c, value(c, r)]))),
    },
    trained: saes,
    seeds: [config.seed],
  });
}
