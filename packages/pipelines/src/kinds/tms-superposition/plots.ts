/**
 * plots: ARENA 1.3.1 §1's figures (27–32 of the reproduction index) and their findings:
 * features in 2-d over feature probability, WᵀW and feature norms by superposition, the pair
 * configurations, the privileged basis' neurons, dimensions per feature, and double descent.
 */
import { readFloatColumn, readIntColumn, readStringColumn } from "@toy-sae/core/artifact/arrow";
import { featureGram, featureNorms, featureSuperposition, DIMENSIONS_PER_FEATURE_GUIDES } from "@toy-sae/core/metrics/dimensionality";
import { featureMatricesFigure } from "@toy-sae/report/figures/arena/feature-matrices";
import { neuronBarsFigure } from "@toy-sae/report/figures/arena/neuron-bars";
import { categoryColor, colorScale } from "@toy-sae/report/figures/arena/svg";
import { vectorPanelsFigure, type PlaneRow } from "@toy-sae/report/figures/arena/vector-panels";
import { xyPanelsFigure } from "@toy-sae/report/figures/arena/xy-panels";
import type { StageContext } from "../../framework/context.ts";
import { FigureWriter, type Finding } from "../../framework/manifest.ts";
import { readModels, type TrainedToyModel } from "./common.ts";
import type { TmsSuperpositionConfig } from "./config.ts";
import { resolveExperiment, type ToyExperiment } from "./experiments.ts";
import { doubleDescentFindings, features2dFindings, geometryFindings, pairFindings, privilegedFindings, superpositionFindings, topMean } from "./findings.ts";

const pLabel = (p: number) => `p = ${p >= 0.01 ? p.toFixed(3) : p.toPrecision(2)}`;
const GUIDE_LABELS = ["1/2", "2/3", "2/5", "3/4", "3/8", "3/20"];

export async function run(ctx: StageContext<TmsSuperpositionConfig>): Promise<void> {
  const { config } = ctx;
  const experiments = config.models.map(resolveExperiment);
  const models = readModels(await ctx.read("train-model", "model.arrow"));
  const threshold = config.metrics.representedNorm;
  const out = new FigureWriter(ctx);
  const of = (name: string): { models: TrainedToyModel[]; e: ToyExperiment } | null => {
    const e = experiments.find((x) => x.name === name);
    return e ? { e, models: models.filter((m) => m.experiment === name).sort((a, b) => a.instance - b.instance) } : null;
  };
  const method = (e: ToyExperiment) =>
    `${e.instances} instances, ${e.nFeatures} features in ${e.dHidden} dimensions${e.kind === "neuron" ? " with a ReLU on the hidden layer" : ""}, p from ${e.featureProbability[0].toPrecision(3)} to ${e.featureProbability[e.instances - 1].toPrecision(3)}, ${e.steps.toLocaleString("en")} steps of ${e.batch}`;
  const vectors = (m: TrainedToyModel, color: (f: number) => string) => Array.from({ length: m.nFeatures }, (_, f) => ({ x: m.w[f], y: m.w[m.nFeatures + f], color: color(f) }));

  // 27: features in 2-d
  const f2d = of("features-2d");
  if (f2d && f2d.e.dHidden === 2) {
    const imp = Array.from(f2d.e.importance);
    const color = colorScale("viridis", [Math.min(...imp), Math.max(...imp)], true);
    const findings = features2dFindings(f2d.models, threshold).map((f) => out.finding(f));
    out.section("features-2d", "Features in 2-d across feature probability", [`${method(f2d.e)}, importance 0.9^i.`]);
    out.add(
      {
        id: "features-2d",
        title: "Features in 2-d",
        caption: `Each panel one instance (feature probability p above): the columns W_i as lines from the origin, coloured by importance (dark = most important). ${findings.map((f) => f.text).join(" ")}`,
        section: "features-2d",
        source: ["train-model/model.arrow"],
      },
      vectorPanelsFigure([{ label: "", panels: f2d.models.map((m) => ({ title: pLabel(m.featureProbability), vectors: vectors(m, (f) => color(f2d.e.importance[f])) })) }], {
        size: 110,
        title: "Features in 2-d (5 features, importance 0.9^i)",
      }),
    );
    out.reproduce(27, ["features-2d"], findings);
  }

  // 28: WᵀW and feature norms by superposition
  const f100 = of("features-100");
  if (f100) {
    const sup = new Map(f100.models.map((m) => [m, featureSuperposition(m.w, m.dHidden, m.nFeatures)] as const));
    const findings = superpositionFindings(f100.models, (m) => sup.get(m)!, threshold).map((f) => out.finding(f));
    out.section("superposition", "Superposition in 20 dimensions", [`${method(f100.e)}, importance 100^−linspace(0, 1, 100).`]);
    out.add(
      {
        id: "features-100",
        title: "WᵀW and feature norms coloured by superposition",
        caption: `Per instance: the WᵀW heatmap (blue positive, red negative) and the norm ‖W_i‖ of every feature (feature 0, the most important, on top), coloured by its superposition Σ_{j≠i}(Ŵ_i·W_j)² (dark: a dimension of its own). ${findings.map((f) => f.text).join(" ")}`,
        section: "superposition",
        source: ["train-model/model.arrow", "metrics/features.arrow"],
      },
      featureMatricesFigure(
        f100.models.map((m) => ({
          title: pLabel(m.featureProbability),
          n: m.nFeatures,
          gram: featureGram(m.w, m.dHidden, m.nFeatures),
          norms: featureNorms(m.w, m.dHidden, m.nFeatures),
          superposition: sup.get(m)!,
        })),
        { size: 120, title: "Superposition: WᵀW and ‖W_i‖ (100 features, 20 dimensions)" },
      ),
    );
    out.reproduce(28, ["features-100"], findings);
  }

  // 29: correlated and anticorrelated pairs
  const pairRows: PlaneRow[] = [];
  for (const name of ["correlated-2", "anticorrelated-2", "correlated-3"]) {
    const x = of(name);
    if (x?.e.dHidden !== 2) continue;
    pairRows.push({ label: name, panels: x.models.map((m) => ({ title: pLabel(m.featureProbability), vectors: vectors(m, (f) => categoryColor(Math.floor(f / 2))) })) });
  }
  if (pairRows.length) {
    const findings = pairFindings(of, threshold).map((f) => out.finding(f));
    out.section(
      "pairs",
      "Correlated and anticorrelated pairs",
      experiments
        .filter((e) => e.figure === 29)
        .map((e) => `${e.name}: ${method(e)}${e.nAnticorrelatedPairs ? ` (${e.anticorrelationForm.toUpperCase()} anticorrelation form)` : ""}.`),
    );
    out.add(
      {
        id: "pairs",
        title: "Correlated and anticorrelated feature pairs in 2-d",
        caption: `Rows: 2 correlated pairs, 2 anticorrelated pairs, 3 correlated pairs; the two features of a pair share a colour. ${findings.map((f) => f.text).join(" ")}`,
        section: "pairs",
        source: ["train-model/model.arrow", "metrics/pairs.arrow"],
      },
      vectorPanelsFigure(pairRows, { size: 100, title: "Feature pairs (one colour per pair)" }),
    );
    out.reproduce(29, ["pairs"], findings);
  }

  // 30: privileged basis
  const priv = of("privileged");
  if (priv) {
    const findings = privilegedFindings(priv.models).map((f) => out.finding(f));
    out.section("privileged", "Privileged basis", [`${method(priv.e)}, importance 0.75^i.`]);
    out.add(
      {
        id: "privileged",
        title: "Features per neuron with a ReLU on the hidden layer",
        caption: `Per instance, each neuron's weights W[neuron, feature] stacked (positive up, negative down), coloured by feature (f0 most important). ${findings.map((f) => f.text).join(" ")}`,
        section: "privileged",
        source: ["train-model/model.arrow"],
      },
      neuronBarsFigure(
        priv.models.map((m) => ({ title: pLabel(m.featureProbability), dHidden: m.dHidden, nFeatures: m.nFeatures, w: m.w })),
        { title: "Privileged basis: features per neuron" },
      ),
    );
    out.reproduce(30, ["privileged"], findings);
  }

  // 31: dimensions per feature
  const geo = of("geometry");
  if (geo) {
    const inst = await ctx.read("metrics", "instances.arrow");
    const feats = await ctx.read("metrics", "features.arrow");
    const ie = readStringColumn(inst, "experiment");
    const ip = readFloatColumn(inst, "feature_probability");
    const dStar = readFloatColumn(inst, "dimensions_per_feature");
    const rows = ie.flatMap((e, r) => (e === "geometry" ? [{ p: ip[r], dStar: dStar[r] }] : []));
    const fe = readStringColumn(feats, "experiment");
    const fp = readFloatColumn(feats, "feature_probability");
    const fn = readFloatColumn(feats, "norm");
    const fd = readFloatColumn(feats, "dimensionality");
    const featurePoints = fe.flatMap((e, r) => (e === "geometry" && fn[r] > threshold && Number.isFinite(fd[r]) ? [{ x: 1 / fp[r], y: fd[r] }] : []));
    const findings = geometryFindings(
      rows,
      featurePoints.map((p) => p.y),
    ).map((f) => out.finding(f));
    const guides = DIMENSIONS_PER_FEATURE_GUIDES.map((value, k) => ({ value, label: GUIDE_LABELS[k] }));
    out.section("geometry", "Feature geometry: dimensions per feature", [`${method(geo.e)}, uniform importance.`]);
    out.add(
      {
        id: "geometry",
        title: "Dimensions per feature against 1/p",
        caption: `Left: D* = d_hidden/‖W‖_F² per instance against 1/p (log x), with ARENA's guide fractions. Right: each represented feature's dimensionality D_i = ‖W_i‖²/Σ_j(Ŵ_i·W_j)² (‖W_i‖ > ${threshold}). ${findings.map((f) => f.text).join(" ")}`,
        section: "geometry",
        source: ["metrics/instances.arrow", "metrics/features.arrow"],
      },
      xyPanelsFigure(
        [
          { title: "dimensions per feature D*", series: [{ points: rows.map((r) => ({ x: 1 / r.p, y: r.dStar })), color: categoryColor(0), r: 2.5 }], hrules: guides },
          { title: "feature dimensionality D_i", series: [{ points: featurePoints, color: categoryColor(0), line: false, r: 1.8, opacity: 0.45 }], hrules: guides },
        ],
        { xLabel: "1/p", yLabel: "dimensions", logX: true, yDomain: [0, 1.1], width: 300, height: 220, title: "Feature geometry (200 features, 20 dimensions)" },
      ),
    );
    out.reproduce(31, ["geometry"], findings);
  }

  // 32: double descent
  const ddArt = await ctx.read("metrics", "double-descent.arrow");
  if (config.doubleDescent.enabled && ddArt.numRows > 0) {
    const size = readIntColumn(ddArt, "size");
    const item = readStringColumn(ddArt, "item");
    const norm = readFloatColumn(ddArt, "norm");
    const dim = readFloatColumn(ddArt, "dimensionality");
    const sizes = [...new Set(size)].sort((a, b) => a - b);
    const sums = sizes.map((s) => {
      const of = (kind: string) => Array.from(size).flatMap((v, r) => (v === s && item[r] === kind ? [dim[r]] : []));
      return { size: s, featureTop: topMean(of("feature")), dataTop: topMean(of("data")) };
    });
    const points = (kind: string) =>
      sizes.flatMap((s) => {
        const rows = Array.from(size).flatMap((v, r) => (v === s && item[r] === kind && Number.isFinite(dim[r]) ? [r] : []));
        const top = Math.max(0, ...rows.map((r) => norm[r]));
        return rows.filter((r) => norm[r] >= 0.1 * top).map((r) => ({ x: s, y: dim[r] }));
      });
    const findings: Finding[] = doubleDescentFindings(sums).map((f) => out.finding(f));
    const dd = config.doubleDescent;
    out.section("double-descent", "Double descent", [
      `${dd.instances} instances per dataset size of ${dd.nFeatures} features (p = ${dd.featureProbability}) in ${dd.dHidden} dimensions, a fixed dataset of L2-normalised examples, AdamW lr ${dd.lr} (weight decay ${dd.weightDecay}) with ${dd.warmupSteps} warm-up steps then cosine decay over ${dd.steps.toLocaleString("en")} steps; the lowest-loss instance is kept.`,
    ]);
    out.add(
      {
        id: "double-descent",
        title: "Dimensionality of features and data points against dataset size",
        caption: `Left: the mean of the 5 largest dimensionalities among the features (blue) and among the training examples' hidden vectors W x_j (orange) of the best instance per size. Right: the individual dimensionalities (items with at least 10 % of the largest norm). ${findings.map((f) => f.text).join(" ")}`,
        section: "double-descent",
        source: ["metrics/double-descent.arrow"],
      },
      xyPanelsFigure(
        [
          {
            title: "mean of the 5 largest",
            series: [
              { points: sums.map((s) => ({ x: s.size, y: s.featureTop })), color: categoryColor(0), r: 2.5 },
              { points: sums.map((s) => ({ x: s.size, y: s.dataTop })), color: categoryColor(1), r: 2.5 },
            ],
          },
          {
            title: "individual dimensionality",
            series: [
              { points: points("feature"), color: categoryColor(0), line: false, r: 2, opacity: 0.5 },
              { points: points("data"), color: categoryColor(1), line: false, r: 2, opacity: 0.5 },
            ],
          },
        ],
        {
          xLabel: "dataset size",
          yLabel: "dimensionality",
          logX: true,
          width: 300,
          height: 200,
          legend: [
            { label: "features", color: categoryColor(0) },
            { label: "data points", color: categoryColor(1) },
          ],
        },
      ),
    );
    out.reproduce(32, ["double-descent"], findings);
  }

  const inst = await ctx.read("metrics", "instances.arrow");
  out.write({ kind: "tms-superposition", configHash: inst.metadata.configHash ?? "" });
}
