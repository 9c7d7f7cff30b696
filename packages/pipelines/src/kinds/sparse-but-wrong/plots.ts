/**
 * plots: the figures of the Sparse-but-Wrong notebooks that this experiment's `plots` section
 * asks for (figures 1–13 of the reference), each a standalone SVG with a caption computed from
 * the run, the findings they show, and the catalogue figures they reproduce (figures.json).
 */
import { readFloatColumn, readIntColumn, readStringColumn } from "@toy-sae/core/artifact/arrow";
import { symmetricEigen } from "@toy-sae/core/linalg";
import { barFigure, lineBandFigure, scatterFigure, type LinePoint } from "@toy-sae/report";
import type { StageContext } from "../../framework/context.ts";
import { FigureWriter, type Finding } from "../../framework/manifest.ts";
import { conditionsFromSpec, formatRho, modelsFromArtifact } from "./common.ts";
import type { HeatmapConfig, SparseButWrongConfig } from "./config.ts";
import {
  fmt,
  forcedKFinding,
  matchAtTrueL0,
  mean,
  meanBy,
  metricRows,
  mixingSign,
  mixingVsK,
  mixingVsRho,
  mainMixingFinding,
  pairwiseMinimum,
  superpositionFinding,
  projectionMinima,
  tradeoff,
  trueL0Of,
  type MetricRow,
} from "./narrative.ts";
import { cosHeatmap, intuitionFigure, lineBandGrid, matrixHeatmap, scatterGrid } from "./plots-figures.ts";

/** Width of a line plot that shares a row with another: two fit the A4 page at full size. */
const PAIR_WIDTH = 340;

/** What the sweep figures draw, for their section's introduction: seeds per point, and whether the true-L0 line is drawn. */
type SweepFacts = Map<string, { title: string; seeds: number; trueL0Line: boolean }>;

/** "mean ± 1 sd over 5 seeds", or what a single seed means for the plot. */
export function overSeeds(n: number): string {
  return n > 1 ? `mean ± 1 sd over ${n} seeds` : "one seed, no band";
}

/** The Sweeps section's introduction: only what its figures draw. */
export function sweepsIntro(ids: readonly string[], facts: SweepFacts, trueL0: number): string {
  const shown = ids.flatMap((id) => facts.get(id) ?? []);
  const multi = shown.filter((f) => f.seeds > 1).length;
  const lines =
    multi === shown.length
      ? "Lines are means over seeds, bands ± 1 standard deviation."
      : multi === 0
        ? "Each point is one SAE (one seed per point), so there are no bands."
        : "Lines are means over seeds, bands ± 1 standard deviation where a point has more than one seed.";
  const withLine = shown.filter((f) => f.trueL0Line);
  const where = withLine.length === shown.length ? "In every plot" : `In ${withLine.map((f) => `"${f.title}"`).join(", ")}`;
  return withLine.length ? `${lines} ${where} the red dashed line is the true L0 (${fmt(trueL0)}) measured on the evaluation sample.` : lines;
}

/** The Data section's introduction: the parts it shows. */
function dataIntro(ids: readonly string[]): string {
  const parts = [
    ids.some((id) => id.startsWith("firing")) ? "the features' firing probabilities" : "",
    ids.some((id) => id.startsWith("correlation")) ? "the latent correlation matrices of the Gaussian copula" : "",
    ids.includes("superposition-features") ? "the feature cosines of the superposition toy model" : "",
  ].filter(Boolean);
  const text = parts.length > 1 ? `${parts.slice(0, -1).join(", ")} and ${parts.at(-1)}` : (parts[0] ?? "");
  return `${text.charAt(0).toUpperCase()}${text.slice(1)}.`;
}

/** "Sweeps over ρ and k", naming only what the section's plots sweep (the main toy has no ρ). */
function sweepsHeading(ids: readonly string[]): string {
  const swept = [ids.includes("mixing-vs-rho") ? "ρ" : "", ids.some((id) => id !== "mixing-vs-rho") ? "k" : ""].filter(Boolean);
  return `Sweeps over ${swept.join(" and ")}`;
}

/** Report sections, which figure ids go in each, and a heading and introduction true of the figures it holds. */
const SECTIONS: Array<{
  heading: string | ((ids: readonly string[]) => string);
  id: string;
  match: (id: string) => boolean;
  intro: (ids: readonly string[], facts: SweepFacts, trueL0: number) => string;
}> = [
  {
    heading: "Data and toy model",
    id: "data",
    match: (id) => id.startsWith("firing") || id.startsWith("correlation") || id === "superposition-features",
    intro: dataIntro,
  },
  {
    heading: "Decoder cosine similarity with the true features",
    id: "heatmaps",
    match: (id) => !/^(firing|correlation|superposition-features|mixing|decoder-projection|variance|pairwise|jumprelu|intuition)/.test(id),
    intro: () =>
      "Each heatmap: rows are SAE latents (reordered by their best-matching feature, latent 0 at the bottom), columns true features; RdBu on [−1, 1], values rounded to 0.01.",
  },
  {
    heading: sweepsHeading,
    id: "sweeps",
    match: (id) => /^(mixing|decoder-projection|variance|pairwise)/.test(id),
    intro: sweepsIntro,
  },
  { heading: "JumpReLU SAEs", id: "jumprelu", match: (id) => id.startsWith("jumprelu"), intro: () => "The L0-coefficient sweep of the appendix." },
  {
    heading: "Why s_n^dec finds the true L0",
    id: "intuition",
    match: (id) => id.startsWith("intuition"),
    intro: () => "The idealised picture behind the decoder-projection metric.",
  },
];

/**
 * Heatmaps a reader compares sit side by side (figure groups): consecutive heatmaps of one run
 * (the ρ sweep at −0.5 / 0 / 0.5) or of one ρ (k = 2 next to k = 1.8). Only small matrices: a
 * 50 × 50 heatmap needs the page's width.
 */
export function heatmapGroups(heatmaps: readonly HeatmapConfig[], nFeatures: number): Map<string, string> {
  const groups = new Map<string, string>();
  if (nFeatures > 8) return groups;
  let group = "";
  heatmaps.forEach((h, i) => {
    const previous = heatmaps[i - 1];
    const together = previous !== undefined && (previous.run === h.run || (previous.rho !== undefined && previous.rho === h.rho));
    if (!together) group = `heatmaps-${h.id}`;
    groups.set(h.id, group);
  });
  return groups;
}

function sectionOf(id: string): string {
  return (SECTIONS.find((s) => s.match(id)) ?? SECTIONS[1]).id;
}

/** The SAE a heatmap config names: run, and k / ρ / L0 coefficient when given; seed 0 by default. */
function pick(rows: readonly MetricRow[], h: HeatmapConfig): MetricRow | undefined {
  return rows.find(
    (r) =>
      r.run === h.run &&
      (h.k === undefined || r.k === h.k) &&
      (h.rho === undefined || r.rho === h.rho) &&
      (h.l0Coefficient === undefined || r.l0Coefficient === h.l0Coefficient) &&
      r.seed === (h.seed ?? 0),
  );
}

function describeSae(r: MetricRow): string {
  const parts = [`run "${r.run}"`];
  if (r.architecture === "batchtopk") parts.push(Number.isNaN(r.kFrom) ? `k = ${r.k}` : `k ${r.kFrom} → ${r.k} (ends at k = ${r.finalK})`);
  else parts.push(`L0 coefficient ${r.l0Coefficient}`);
  if (!Number.isNaN(r.rho)) parts.push(formatRho(r.rho));
  parts.push(r.init === "truth" ? (r.trained ? "ground-truth init" : "ground truth, untrained") : "random init");
  if (r.model !== "orthogonal") parts.push(`${r.model} model`);
  parts.push(`seed ${r.seed}`);
  return parts.join(", ");
}

export async function run(ctx: StageContext<SparseButWrongConfig>): Promise<void> {
  const { plots } = ctx.config;
  const spec = await ctx.read("generate", "spec.arrow");
  const conditions = conditionsFromSpec(spec, await ctx.read("generate", "features.arrow"), await ctx.read("generate", "correlation.arrow"));
  const models = modelsFromArtifact(await ctx.read("train-model", "model.arrow"));
  const metrics = await ctx.read("metrics", "metrics.arrow");
  const cosArt = await ctx.read("metrics", "cos.arrow");
  const projArt = await ctx.read("metrics", "projections.arrow");
  const forcedArt = await ctx.read("metrics", "forced-k.arrow");
  const rows = metricRows(metrics);
  const N = models.nFeatures;
  const M = Number(metrics.metadata.d_sae);
  const trueL0 = trueL0Of(rows);
  const trueL0Se = mean(Array.from(readFloatColumn(metrics, "true_l0_se")));
  const evalSamples = metrics.metadata.eval_samples;
  const mixingFeature = ctx.config.metrics.mixingFeature;
  const trueLine = { value: trueL0, label: `true L0 = ${fmt(trueL0)}` };

  // decoder cosines per SAE, [M, N]
  const cosSae = readIntColumn(cosArt, "sae");
  const latent = readIntColumn(cosArt, "latent");
  const feature = readIntColumn(cosArt, "feature");
  const decCos = readFloatColumn(cosArt, "dec_cos");
  const dec = new Map<number, Float64Array>();
  cosSae.forEach((s, r) => {
    let m = dec.get(s);
    if (!m) {
      m = new Float64Array(M * N);
      dec.set(s, m);
    }
    m[latent[r] * N + feature[r]] = decCos[r];
  });
  /** The mixing feature's component in every latent except its own (latent i = feature i for ground-truth inits). */
  // firing (binary) correlation of feature 0 with the others, per data condition (metrics/conditions.arrow)
  const condArt = await ctx.read("metrics", "conditions.arrow");
  const firingCorrelation = new Map(readStringColumn(condArt, "condition").map((c, k) => [c, readFloatColumn(condArt, "firing_corr_feature0")[k]] as const));
  /** Main toy: latents carrying feature 0 per heatmap of a random-init SAE; superposition runs: components after adjustment. */
  const mainMixing: Array<{ k: number; carrying: number }> = [];
  const superpositionSigns: Array<{ rho: number; components: number[] }> = [];
  const components = (s: number) => {
    const m = dec.get(s) ?? new Float64Array(M * N);
    return Array.from({ length: M }, (_, l) => l)
      .filter((l) => l !== mixingFeature)
      .map((l) => m[l * N + mixingFeature]);
  };

  const out = new FigureWriter(ctx);
  const sweepFacts: SweepFacts = new Map();
  const add = (entry: { id: string; title: string; caption: string; source: string[]; group?: string }, svg: string) => out.add({ ...entry, section: sectionOf(entry.id) }, svg);
  const findings: Finding[] = [];
  /** Findings of figure numbers (the index's statuses), filled as the figures are drawn. */
  const byFigure = new Map<number, Finding[]>();
  const claim = (figure: number, f: Finding) => {
    byFigure.set(figure, [...(byFigure.get(figure) ?? []), f]);
    if (!findings.includes(f)) findings.push(f);
    return f;
  };

  // 1. firing probabilities
  if (plots.firingProbabilities) {
    const p = Array.from(conditions[0].options.firingProbabilities);
    add(
      {
        id: "firing-probabilities",
        title: "Feature firing probabilities P_i",
        caption: `P_i of the ${N} features, from ${fmt(p[0], 4)} (feature 0) to ${fmt(p[N - 1], 4)} (feature ${N - 1}); Σp = ${fmt(conditions[0].expectedL0, 4)}, and the measured true L0 on ${evalSamples} evaluation samples is ${fmt(trueL0, 3)} ± ${fmt(trueL0Se, 3)}.`,
        source: ["generate/features.arrow", "metrics/metrics.arrow"],
      },
      barFigure(
        p.map((value, i) => ({ label: i, value })),
        { xLabel: "feature i", yLabel: "P_i", tickEvery: N > 20 ? 10 : 1, title: "Feature firing probabilities P_i" },
      ),
    );
    const sumP = conditions[0].expectedL0;
    claim(1, {
      id: "true-l0",
      claim: `The true L0 is Σp = ${fmt(sumP, 4)} (the original measures 10.964 on 100k samples for the main toy).`,
      holds: Math.abs(trueL0 - sumP) <= 5 * Math.max(trueL0Se, 1e-12),
      text: `Measured ${fmt(trueL0, 3)} ± ${fmt(trueL0Se, 3)} on ${evalSamples} samples (${fmt(Math.abs(trueL0 - sumP) / Math.max(trueL0Se, 1e-12), 1)} standard errors from Σp).`,
    });
  }

  // 2 / 7. correlation matrices
  for (const c of plots.correlations ?? []) {
    const cond = c.rho === undefined ? conditions[0] : conditions.find((x) => x.rho === c.rho);
    if (!cond) continue;
    const C = cond.options.correlation ?? Float64Array.from({ length: N * N }, (_, e) => (e % (N + 1) === 0 ? 1 : 0));
    const off = Array.from(C).filter((_, e) => Math.floor(e / N) < e % N);
    const what = Number.isNaN(cond.rho)
      ? `The ${N}×${N} latent correlation matrix of the copula after the eigenvalue repair (which shrinks the drawn correlations and spreads small ones over every pair): ` +
        `${off.filter((v) => Math.abs(v) >= 0.1).length} of ${off.length} pairs have |C_ij| ≥ 0.1 (${off.filter((v) => v >= 0.1).length} positive); |C_ij| mean ${fmt(mean(off.map(Math.abs)), 3)}, max ${fmt(Math.max(...off.map(Math.abs)), 3)}.`
      : `${formatRho(cond.rho)} between feature 0 and every other feature, 0 elsewhere (the latent correlation of the Gaussian copula; the firing correlation is weaker).`;
    add(
      // the ±ρ matrices side by side; a 50 × 50 matrix needs the page's width
      { id: c.id, title: c.title, caption: `${what} RdBu on [−1, 1], row 0 at the bottom.`, source: ["generate/correlation.arrow"], group: N <= 8 ? "correlations" : undefined },
      matrixHeatmap(C, N, { title: c.title, colorLabel: "correlation" }),
    );
    if (Number.isNaN(cond.rho)) {
      // the original draws strengths from `strengthRange` and then always repairs the matrix
      const [lo] = ctx.config.data.correlation.strengthRange ?? [0.3, 0.8];
      const nonzero = off.filter((v) => Math.abs(v) >= 0.01).map(Math.abs);
      const minEig = Math.min(...symmetricEigen(Float64Array.from(C), N).values);
      claim(2, {
        id: "correlation-repaired",
        claim: `The eigenvalue repair leaves a valid correlation matrix and heavily shrinks the drawn correlations (strengths ${lo} and up).`,
        holds: minEig >= -1e-6 && nonzero.length > 0 && mean(nonzero) < lo,
        text: `Smallest eigenvalue ${minEig.toExponential(2)}; mean |C_ij| over the ${nonzero.length} pairs with |C_ij| ≥ 0.01 is ${fmt(mean(nonzero), 3)}.`,
      });
    } else {
      const fc = firingCorrelation.get(cond.name);
      claim(7, {
        id: `firing-correlation-${cond.rho > 0 ? "pos" : cond.rho < 0 ? "neg" : "zero"}`,
        claim: `The copula's latent correlation ${formatRho(cond.rho)} makes feature 0 co-fire with the others with that sign, more weakly.`,
        holds: fc === undefined ? null : Math.sign(fc) === Math.sign(cond.rho) && Math.abs(fc) < Math.abs(cond.rho),
        text: fc === undefined ? "No firing correlation was measured." : `Measured firing (binary) correlation of feature 0 with the others: ${fmt(fc, 3)}.`,
      });
    }
  }

  // whether the mixing feature really is the one that fires most often (the captions say so only then)
  const firing = Array.from(conditions[0]?.options.firingProbabilities ?? []);
  const mostFrequent = firing.every((p, i) => i === mixingFeature || p < (firing[mixingFeature] ?? 0));
  // 3 / 8 / 11. decoder cosine heatmaps
  const groupOf = heatmapGroups(plots.heatmaps ?? [], N);
  for (const h of plots.heatmaps ?? []) {
    const r = pick(rows, h);
    if (!r) {
      ctx.log(`heatmap ${h.id}: no SAE matches run ${h.run}${h.k !== undefined ? ` k ${h.k}` : ""}${h.rho !== undefined ? ` ρ ${h.rho}` : ""} seed ${h.seed ?? 0}; skipped`);
      continue;
    }
    const embedding = models.embedding.get(r.model) ?? new Float32Array(N * models.hidden);
    const featureCos = h.adjustForSuperposition ? gram(embedding, N, models.hidden) : undefined;
    const fig = cosHeatmap(dec.get(r.sae) ?? new Float64Array(M * N), M, N, { featureCos, title: h.title });
    const bestPerFeature = Array.from({ length: N }, (_, f) => Math.max(...Array.from({ length: M }, (_, i) => fig.shown[i * N + f])));
    const strong = Array.from({ length: M }, (_, i) => Math.max(...Array.from({ length: N }, (_, f) => Math.abs(fig.shown[i * N + f])))).filter((v) => v >= 0.9).length;
    let caption = `Decoder cosine similarity of each latent (rows, reordered by best-matching feature, latent 0 at the bottom) with each true feature, rounded to 0.01; ${describeSae(r)}. `;
    if (h.adjustForSuperposition)
      caption += "The true features' own cosines are subtracted (superposition adjustment), so a latent equal to one feature shows as a clean diagonal. ";
    caption += `${bestPerFeature.filter((v) => v >= 0.9).length} of ${N} features have a latent with cos ≥ 0.9 (mean best cos ${fmt(mean(bestPerFeature))}); ${strong} of ${M} latents have |cos| ≥ 0.9 with one feature; SAE L0 on the evaluation sample ${fmt(r.l0)}. `;
    if (r.init === "truth" && r.trained && !Number.isNaN(r.rho) && r.k < trueL0 && M <= 8) {
      const col = Array.from({ length: M }, (_, i) => i)
        .filter((i) => fig.order[i] !== mixingFeature)
        .map((i) => fig.shown[i * N + mixingFeature]);
      const sign = col.every((v) => Math.abs(v) < 0.02) ? "all ≈ 0" : col.every((v) => v > 0) ? "all positive" : col.every((v) => v < 0) ? "all negative" : "of mixed sign";
      caption += `Feature-${mixingFeature} components of the other latents: ${col.map((v) => fmt(v)).join(", ")} (${sign}, with ${formatRho(r.rho)}).`;
      if (h.adjustForSuperposition) superpositionSigns.push({ rho: r.rho, components: col });
    } else if (M > 8) {
      const col = Array.from({ length: M }, (_, i) => i)
        .filter((i) => Math.abs(fig.shown[i * N + mixingFeature]) < 0.9)
        .map((i) => Math.abs(fig.shown[i * N + mixingFeature]));
      const carrying = col.filter((v) => v >= 0.1).length;
      caption += `Off-diagonal mass: ${carrying} latent${carrying === 1 ? " carries" : "s carry"} a |cos| ≥ 0.1 component of feature ${mixingFeature}${mostFrequent ? ", the most frequent feature" : ""}.`;
      if (r.init === "random" && r.trained && Number.isNaN(r.kFrom) && !Number.isNaN(r.k)) mainMixing.push({ k: r.k, carrying });
    }
    add({ id: h.id, title: h.title, caption: caption.trim(), source: ["metrics/cos.arrow", "metrics/metrics.arrow"], group: groupOf.get(h.id) }, fig.svg);
  }

  const heatmapFigure = N > 8 ? 3 : 8;
  if (rows.some((r) => !Number.isNaN(r.k) && r.init === "random")) claim(heatmapFigure, matchAtTrueL0(rows, trueL0));
  const truthKs = rows.filter((r) => r.init === "truth" && r.trained && r.k < trueL0 && !Number.isNaN(r.rho) && r.model === models.names[0]).map((r) => r.k);
  if (truthKs.length) {
    const mostCommon = [...new Set(truthKs)].sort((a, b) => truthKs.filter((k) => k === b).length - truthKs.filter((k) => k === a).length)[0];
    claim(
      8,
      mixingSign(
        rows.filter((r) => r.model === models.names[0]),
        trueL0,
        components,
        mostCommon,
      ),
    );
  }
  if (N > 8 && mainMixing.length) claim(3, mainMixingFinding(mainMixing, trueL0, mixingFeature));
  if (superpositionSigns.length) claim(11, superpositionFinding(superpositionSigns, mixingFeature));

  // 9. feature mixing vs ρ
  if (plots.mixingVsRho) {
    const sel = rows.filter((r) => r.run === plots.mixingVsRho?.run);
    const finding = claim(9, mixingVsRho(sel));
    const ks = [...new Set(sel.map((r) => r.k))];
    const seeds = new Set(sel.map((r) => r.seed)).size;
    sweepFacts.set("mixing-vs-rho", { title: "Feature mixing vs correlation", seeds, trueL0Line: false });
    add(
      {
        id: "mixing-vs-rho",
        title: "Feature mixing vs correlation",
        caption: `Mean decoder cosine of latents ${ctx.config.metrics.mixingLatents.join(", ")} with feature ${mixingFeature} (ground-truth init, k = ${ks.join(", ")}), ${overSeeds(seeds)} per ρ. ${finding.text}`,
        source: ["metrics/metrics.arrow"],
      },
      lineBandFigure(
        sel.filter((r) => !r.diverged).map((r) => ({ x: r.rho, y: r.featureMixing })),
        {
          xLabel: "correlation ρ with feature 0",
          yLabel: "feature mixing",
          title: "Feature mixing vs correlation",
        },
      ),
    );
  }

  // 10. feature mixing vs L0, per sign of ρ
  if (plots.mixingVsK) {
    const sel = rows.filter((r) => r.run === plots.mixingVsK?.run);
    claim(10, mixingVsK(sel));
    for (const [sign, word] of [
      [1, "positive"],
      [-1, "negative"],
    ] as const) {
      const part = sel.filter((r) => Math.sign(r.rho) === sign && !r.diverged);
      if (!part.length) continue;
      const curve = meanBy(
        part,
        (r) => r.k,
        (r) => r.featureMixing,
      );
      const seeds = new Set(part.map((r) => r.seed)).size;
      sweepFacts.set(`mixing-vs-k-${word}`, { title: `Feature mixing vs L0 (${word} correlation)`, seeds, trueL0Line: false });
      add(
        {
          id: `mixing-vs-k-${word}`,
          title: `Feature mixing vs L0 (${word} correlation)`,
          caption: `Feature mixing against the SAE's k for ${[...new Set(part.map((r) => formatRho(r.rho)))].join(", ")}, ground-truth init, ${overSeeds(seeds)}: ${curve.map((p) => `k ${p.x}: ${fmt(p.y)}`).join(", ")}.`,
          source: ["metrics/metrics.arrow"],
          // ρ > 0 next to ρ < 0, at a width two of which fit the page
          group: "mixing-vs-k",
        },
        lineBandFigure(
          part.map((r) => ({ x: r.k, y: r.featureMixing })),
          { xLabel: "SAE L0 (k)", yLabel: "feature mixing", title: `Feature mixing vs L0 (${word} correlation)`, width: PAIR_WIDTH },
        ),
      );
    }
  }

  // 11. the superposition model's own feature cosines
  if (plots.superposition) {
    const e = models.embedding.get(plots.superposition.model);
    if (e) {
      const g = gram(e, N, models.hidden);
      const off = Array.from(g).filter((_, k) => Math.floor(k / N) !== k % N);
      add(
        {
          id: "superposition-features",
          title: "Feature cosine similarities (superposition)",
          caption: `Cosines between the ${N} true feature directions of the "${plots.superposition.model}" toy model (orthogonalisation stopped early): |cos| between distinct features mean ${fmt(mean(off.map(Math.abs)))}, max ${fmt(Math.max(...off.map(Math.abs)))}. The adjusted heatmaps subtract these.`,
          source: ["train-model/model.arrow"],
        },
        matrixHeatmap(g, N, { title: "Feature cosine similarities (superposition)", colorLabel: "cosine similarity" }),
      );
    }
  }

  // 4. s_n^dec vs k, one panel per n
  const projSae = readIntColumn(projArt, "sae");
  const projN = readIntColumn(projArt, "n");
  const projValue = readFloatColumn(projArt, "s_n");
  const projection = new Map<string, number>();
  for (const [r, s] of projSae.entries()) projection.set(`${s}/${projN[r]}`, projValue[r]);
  const sOf = (sae: number, n: number) => projection.get(`${sae}/${n}`) ?? NaN;
  if (plots.projections) {
    const sel = rows.filter((r) => r.run === plots.projections?.run && !r.diverged);
    const curves = plots.projections.n.map((n) => ({
      n,
      curve: meanBy(
        sel,
        (r) => r.k,
        (r) => sOf(r.sae, n),
      ),
    }));
    const finding = claim(4, projectionMinima(curves, trueL0, "k"));
    const seeds = new Set(sel.map((r) => r.seed)).size;
    sweepFacts.set("decoder-projection", { title: "Decoder projection s_n^dec vs SAE L0", seeds, trueL0Line: true });
    add(
      {
        id: "decoder-projection",
        title: "Decoder projection s_n^dec vs SAE L0",
        caption: `s_n^dec (the level exceeded by n latents per input on average, from P = (x − b_dec)·W_decᵀ over ${evalSamples} samples) against k for n = ${plots.projections.n[0]}…${plots.projections.n.at(-1)}, ${overSeeds(seeds)}; red dashed: the true L0. ${finding.text}`,
        source: ["metrics/projections.arrow"],
      },
      lineBandGrid(
        plots.projections.n.map((n) => ({ title: `n=${n} Decoder Projection vs SAE L0`, points: sel.map((r): LinePoint => ({ x: r.k, y: sOf(r.sae, n) })) })),
        { xLabel: "SAE L0", yLabel: "s_n^dec", referenceX: trueLine, title: "Decoder projection s_n^dec vs SAE L0" },
      ),
    );
  }

  // 5. variance explained: trained vs the ground-truth SAE
  if (plots.varianceExplained) {
    const trained = rows.filter((r) => r.run === plots.varianceExplained?.run && !r.diverged);
    const truth = rows.filter((r) => r.run === plots.varianceExplained?.truth);
    const finding = claim(
      5,
      tradeoff(
        meanBy(
          trained,
          (r) => r.k,
          (r) => r.varianceExplained,
        ),
        meanBy(
          truth,
          (r) => r.k,
          (r) => r.varianceExplained,
        ),
        trueL0,
      ),
    );
    const seeds = new Set(trained.map((r) => r.seed)).size;
    sweepFacts.set("variance-explained", { title: "Sparsity vs reconstruction tradeoff", seeds, trueL0Line: true });
    add(
      {
        id: "variance-explained",
        title: "Sparsity vs reconstruction tradeoff",
        caption: `Variance explained (1 − E‖x̂ − x‖²/E‖x‖², uncentred) against k: trained SAEs (${overSeeds(seeds)}) and the ground-truth SAE evaluated at each k without training; red dashed: the true L0. ${finding.text}`,
        source: ["metrics/metrics.arrow"],
      },
      lineBandFigure(
        [
          ...trained.map((r) => ({ x: r.k, y: r.varianceExplained, series: "trained SAEs" })),
          ...truth.map((r) => ({ x: r.k, y: r.varianceExplained, series: "ground-truth SAE" })),
        ],
        { xLabel: "SAE L0", yLabel: "variance explained", referenceX: trueLine, title: "Sparsity vs reconstruction tradeoff" },
      ),
    );
  }

  // 6. pairwise cosine of decoder rows / encoder columns
  if (plots.pairwiseCosine) {
    const sel = rows.filter((r) => r.run === plots.pairwiseCosine?.run && !r.diverged);
    const finding = claim(
      6,
      pairwiseMinimum(
        meanBy(
          sel,
          (r) => r.k,
          (r) => r.pairwiseDec,
        ),
        trueL0,
      ),
    );
    for (const [which, value] of [
      ["Decoder", (r: MetricRow) => r.pairwiseDec],
      ["Encoder", (r: MetricRow) => r.pairwiseEnc],
    ] as const) {
      const curve = meanBy(sel, (r) => r.k, value);
      const lowest = curve.reduce((a, b) => (b.y < a.y ? b : a));
      const seeds = new Set(sel.map((r) => r.seed)).size;
      sweepFacts.set(`pairwise-${which.toLowerCase()}`, { title: `${which} Pairwise Cosine Similarity`, seeds, trueL0Line: true });
      add(
        {
          id: `pairwise-${which.toLowerCase()}`,
          title: `${which} Pairwise Cosine Similarity`,
          caption:
            `Mean |cos| over pairs of ${which === "Decoder" ? "decoder rows" : "encoder columns"} against k, ${overSeeds(seeds)}; red dashed: the true L0; lowest at k = ${lowest.x} (${fmt(lowest.y, 3)}). ${which === "Decoder" ? finding.text : ""}`.trim(),
          source: ["metrics/metrics.arrow"],
          group: "pairwise",
        },
        lineBandFigure(
          sel.map((r) => ({ x: r.k, y: value(r) })),
          { xLabel: "SAE L0", yLabel: "mean |cos|", referenceX: trueLine, title: `${which} Pairwise Cosine Similarity`, width: PAIR_WIDTH },
        ),
      );
    }
  }

  // forced-k comparison (a table in the notebook; a finding here)
  const forcedSae = readIntColumn(forcedArt, "sae");
  if (forcedSae.length) {
    const toK = readFloatColumn(forcedArt, "to_k");
    const forced = readFloatColumn(forcedArt, "mse_forced");
    const trainedMse = readFloatColumn(forcedArt, "mse_trained");
    const fromK = readFloatColumn(forcedArt, "k");
    claim(5, forcedKFinding(Array.from(forcedSae, (_, r) => ({ fromK: fromK[r], toK: toK[r], forced: forced[r], trained: trainedMse[r] }))));
  }

  // 12. JumpReLU: L0 vs coefficient, s_n^dec vs measured L0
  if (plots.jumprelu) {
    const sel = rows.filter((r) => r.run === plots.jumprelu?.run && !r.diverged).sort((a, b) => a.l0Coefficient - b.l0Coefficient);
    add(
      {
        id: "jumprelu-l0",
        title: "SAE L0 vs L0 Coefficient for JumpReLU SAEs",
        caption: `Measured L0 of each JumpReLU SAE against its L0 coefficient: ${sel.map((r) => `${r.l0Coefficient}: ${fmt(r.l0)}${r.dead ? ` (${r.dead} dead)` : ""}`).join(", ")}; red dashed: the true L0.`,
        source: ["metrics/metrics.arrow"],
      },
      scatterFigure(
        sel.map((r) => ({ x: r.l0Coefficient, y: r.l0, label: `coefficient ${r.l0Coefficient}` })),
        {
          xLabel: "L0 coefficient",
          yLabel: "SAE L0",
          logX: true,
          connect: true,
          referenceY: trueLine,
          title: "SAE L0 vs L0 Coefficient for JumpReLU SAEs",
        },
      ),
    );
    const curves = plots.jumprelu.n.map((n) => ({ n, curve: sel.map((r) => ({ x: r.l0, y: sOf(r.sae, n) })).sort((a, b) => a.x - b.x) }));
    const byCoefficient = sel.filter((r) => Number.isFinite(r.l0));
    if (byCoefficient.length >= 2) {
      const first = byCoefficient[0];
      const last = byCoefficient[byCoefficient.length - 1];
      claim(12, {
        id: "jumprelu-l0-falls",
        claim: "A larger L0 coefficient gives a lower L0 (non-monotone and seed-sensitive in the original).",
        holds: last.l0 < first.l0,
        text: `L0 ${fmt(first.l0)} at coefficient ${first.l0Coefficient}, ${fmt(last.l0)} at ${last.l0Coefficient}.`,
      });
    }
    const finding = claim(12, projectionMinima(curves, trueL0, "L0"));
    add(
      {
        id: "jumprelu-projection",
        title: "Decoder projection s_n^dec vs SAE L0 (JumpReLU)",
        caption: `s_n^dec (decoder rows at unit norm, as after fold_W_dec_norm) against each JumpReLU SAE's measured L0, n = ${plots.jumprelu.n[0]}…${plots.jumprelu.n.at(-1)}; red dashed: the true L0. ${finding.text}`,
        source: ["metrics/projections.arrow", "metrics/metrics.arrow"],
      },
      scatterGrid(
        curves.map((c) => ({ title: `n=${c.n}`, points: c.curve.map((p) => ({ x: p.x, y: p.y })) })),
        { xLabel: "SAE L0", yLabel: "s_n^dec", connect: true, referenceX: trueLine, title: "Decoder projection s_n^dec vs SAE L0 (JumpReLU)" },
      ),
    );
  }

  // 13. the idealised histogram
  if (plots.intuition) {
    const shaded = intuitionFigure(true);
    add(
      {
        id: "intuition",
        title: "Idealized decoder projection histogram",
        caption: `Two idealised mixtures of decoder projections: 2·N(0, 1) + N(15, 5) for a disentangled SAE and 2·N(0, 2) + N(15, 7) for an SAE mixing correlated features; the right 40 % of the mass is shaded and s_n^dec marks where it starts (${shaded.thresholds.map((t) => `${t.name}: ${fmt(t.s, 1)}`).join("; ")}). Mixing widens both bumps and moves s_n^dec right, which is why s_n^dec is lowest at the true L0.`,
        source: [],
      },
      shaded.svg,
    );
    add(
      { id: "intuition-plain", title: "Idealized decoder projection histogram (plain)", caption: "The same two mixtures without the shading.", source: [] },
      intuitionFigure(false).svg,
    );
    const [disentangled, mixing] = shaded.thresholds;
    claim(13, {
      id: "intuition-threshold",
      claim: "Mixing correlated features moves s_n^dec up: it is lower for the disentangled SAE.",
      holds: disentangled.s < mixing.s,
      text: `s_n^dec ${fmt(disentangled.s, 1)} (${disentangled.name}) vs ${fmt(mixing.s, 1)} (${mixing.name}).`,
    });
  }

  // Sections that hold figures, in order, each introduced by what it shows in this run (a section
  // without figures would announce, say, JumpReLU SAEs that this run does not have).
  for (const section of SECTIONS) {
    const ids = out.figures.filter((f) => f.section === section.id).map((f) => f.id);
    const heading = typeof section.heading === "string" ? section.heading : section.heading(ids);
    if (ids.length) out.section(section.id, heading, [section.intro(ids, sweepFacts, trueL0)]);
  }
  for (const f of findings) out.finding(f);
  const figureIds: Record<number, string[]> = {
    1: ["firing-probabilities"],
    2: (plots.correlations ?? []).filter((c) => c.rho === undefined).map((c) => c.id),
    3: N > 8 ? (plots.heatmaps ?? []).map((h) => h.id) : [],
    4: ["decoder-projection"],
    5: ["variance-explained"],
    6: ["pairwise-decoder", "pairwise-encoder"],
    7: (plots.correlations ?? []).filter((c) => c.rho !== undefined).map((c) => c.id),
    8: N > 8 ? [] : (plots.heatmaps ?? []).filter((h) => !h.adjustForSuperposition).map((h) => h.id),
    9: ["mixing-vs-rho"],
    10: ["mixing-vs-k-positive", "mixing-vs-k-negative"],
    11: ["superposition-features", ...(plots.heatmaps ?? []).filter((h) => h.adjustForSuperposition).map((h) => h.id)],
    12: ["jumprelu-l0", "jumprelu-projection"],
    13: ["intuition", "intuition-plain"],
  };
  for (const [figure, ids] of Object.entries(figureIds)) out.reproduce(Number(figure), ids, byFigure.get(Number(figure)) ?? []);
  out.write({ kind: "sparse-but-wrong", configHash: metrics.metadata.configHash ?? "" });
}

/** E·Eᵀ of unit rows: the cosines between true features. */
function gram(e: Float32Array, n: number, h: number): Float64Array {
  const g = new Float64Array(n * n);
  for (let i = 0; i < n; i++)
    for (let j = 0; j < n; j++) {
      let dot = 0;
      for (let k = 0; k < h; k++) dot += e[i * h + k] * e[j * h + k];
      g[i * n + j] = dot;
    }
  return g;
}
