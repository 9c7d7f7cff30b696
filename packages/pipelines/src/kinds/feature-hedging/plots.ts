/**
 * plots: the feature-hedging figures this experiment's `plots` section asks for — the
 * single-latent notebook's encoder/decoder heatmaps (figures 15–20), the analytic loss curves
 * (figure 21), the balancing notebook's four Matryoshka SAEs (figure 22) and the β sweep — each
 * a standalone SVG with a caption computed from the run, the findings they test, and the
 * catalogue figures they reproduce (figures.json).
 */
import { readBoolColumn, readFloatColumn, readIntColumn, readStringColumn, type Artifact } from "@toy-sae/core/artifact/arrow";
import type { LineMarker, MarkedLinePoint } from "@toy-sae/report/figures/marked-lines";
import type { StageContext } from "../../framework/context.ts";
import { FigureWriter, type Finding } from "../../framework/manifest.ts";
import { betaNumber, formatBeta, type FeatureHedgingConfig, type HeatmapConfig } from "./config.ts";
import {
  argminNotZeroFinding,
  balancedFinding,
  childComponentOf,
  fmt,
  lossMinimaFinding,
  mixedSignsFinding,
  parentLatentAndBDecFinding,
  separatesFinding,
  signFinding,
  stats,
  sweepFinding,
  zeroCrossing,
  type ChildSweep,
  type ComponentRow,
  type CurveMinimum,
  type HeatmapSubject,
  type MetricRow,
  type SaeCos,
} from "./findings.ts";
import { betaTicks, betaToU, cosPanels, curvePanels, uToBeta } from "./plots-figures.ts";

const SECTIONS = [
  {
    id: "single-latent",
    heading: "Single-latent SAEs: hedging and absorption",
    figures: [15, 16, 17, 18, 19, 20],
    intro:
      "Encoder and decoder cosine similarity of every SAE latent with every true feature (RdBu on [−1, 1]; features and latents numbered from 1, as the original). A positive component of a child feature in the parent's latent is hedging, a negative one absorption. Each heatmap shows one seed; the captions and findings use every seed.",
  },
  {
    id: "loss-curves",
    heading: "Analytic loss curves of a single latent",
    figures: [21],
    intro: "E[L](α) for a single tied latent d(α) ∝ (1 − α)·parent + α·child, with each curve's minimum marked.",
  },
  {
    id: "balancing",
    heading: "Balancing hedging and absorption in Matryoshka SAEs",
    figures: [22],
    intro:
      "Matryoshka SAEs with a parent level of width 1 and the full width, the parent level's reconstruction weighted by β (β = 0: the standard SAE; β = ∞: detached, delta loss), started at the ground truth.",
  },
  {
    id: "beta-sweep",
    heading: "β sweep (not in the original)",
    figures: [],
    intro:
      "Each child's component in the parent latent against β (mean ± 1 sd over seeds; x axis u = β/(1 + β), so β = ∞ is at the right edge), the β where it crosses zero (circles), and MCC / F1 against β.",
  },
] as const;

function sectionOf(figure: number): string {
  return SECTIONS.find((s) => (s.figures as readonly number[]).includes(figure))?.id ?? "single-latent";
}

function metricRows(art: Artifact): MetricRow[] {
  const sae = readIntColumn(art, "sae");
  const run = readStringColumn(art, "run");
  const dataset = readStringColumn(art, "dataset");
  const tree = readStringColumn(art, "tree");
  const beta = readFloatColumn(art, "beta");
  const seed = readIntColumn(art, "seed");
  const dSae = readIntColumn(art, "d_sae");
  const mcc = readFloatColumn(art, "mcc");
  const f1 = readFloatColumn(art, "f1");
  const bDecNorm = readFloatColumn(art, "b_dec_norm");
  const diverged = readBoolColumn(art, "diverged");
  return Array.from(sae, (s, r) => ({
    sae: s,
    run: run[r],
    dataset: dataset[r],
    tree: tree[r],
    beta: beta[r],
    seed: seed[r],
    dSae: dSae[r],
    mcc: mcc[r],
    f1: f1[r],
    bDecNorm: bDecNorm[r],
    diverged: diverged[r],
  }));
}

function componentRows(art: Artifact): ComponentRow[] {
  const sae = readIntColumn(art, "sae");
  const parent = readIntColumn(art, "parent");
  const child = readIntColumn(art, "child");
  const latent = readIntColumn(art, "latent");
  const enc = readFloatColumn(art, "enc_cos");
  const dec = readFloatColumn(art, "dec_cos");
  return Array.from(sae, (s, r) => ({ sae: s, parent: parent[r], child: child[r], latent: latent[r], enc: enc[r], dec: dec[r] }));
}

function saeCosines(cosArt: Artifact, bdecArt: Artifact, rows: readonly MetricRow[], nFeatures: number): Map<number, SaeCos> {
  const out = new Map<number, SaeCos>(
    rows.map((r) => [r.sae, { enc: new Float64Array(r.dSae * nFeatures), dec: new Float64Array(r.dSae * nFeatures), bDec: new Float64Array(nFeatures) }]),
  );
  const sae = readIntColumn(cosArt, "sae");
  const latent = readIntColumn(cosArt, "latent");
  const feature = readIntColumn(cosArt, "feature");
  const enc = readFloatColumn(cosArt, "enc_cos");
  const dec = readFloatColumn(cosArt, "dec_cos");
  sae.forEach((s, r) => {
    const c = out.get(s);
    if (!c) return;
    c.enc[latent[r] * nFeatures + feature[r]] = enc[r];
    c.dec[latent[r] * nFeatures + feature[r]] = dec[r];
  });
  const bSae = readIntColumn(bdecArt, "sae");
  const bFeature = readIntColumn(bdecArt, "feature");
  const bCos = readFloatColumn(bdecArt, "cos");
  bSae.forEach((s, r) => {
    const c = out.get(s);
    if (c) c.bDec[bFeature[r]] = bCos[r];
  });
  return out;
}

const sameBeta = (a: number, b: number) => a === b || (Number.isNaN(a) && Number.isNaN(b));

export async function run(ctx: StageContext<FeatureHedgingConfig>): Promise<void> {
  const { config } = ctx;
  const metrics = await ctx.read("metrics", "metrics.arrow");
  const rows = metricRows(metrics);
  const N = Number(metrics.metadata.n_features);
  const cos = saeCosines(await ctx.read("metrics", "cos.arrow"), await ctx.read("metrics", "bdec.arrow"), rows, N);
  const components = componentRows(await ctx.read("metrics", "components.arrow"));
  const featuresArt = await ctx.read("generate", "features.arrow");
  const firing = new Map<string, number>();
  for (const [r, d] of readStringColumn(featuresArt, "dataset").entries())
    firing.set(`${d}/${readIntColumn(featuresArt, "feature")[r]}`, readFloatColumn(featuresArt, "firing_frequency")[r]);
  const runs = new Map(config.sae.runs.map((r) => [r.name, r]));

  const out = new FigureWriter(ctx);
  const byFigure = new Map<number, { ids: string[]; findings: Finding[] }>();
  const claim = (figure: number, f: Finding | null, id?: string) => {
    const entry = byFigure.get(figure) ?? { ids: [], findings: [] };
    if (id && !entry.ids.includes(id)) entry.ids.push(id);
    if (f) {
      entry.findings.push(f);
      if (!out.findings.some((g) => g.id === f.id)) out.finding(f);
    }
    byFigure.set(figure, entry);
  };

  // 15–20, 22: encoder / decoder heatmaps
  const subjects: Array<{ h: HeatmapConfig; subject: HeatmapSubject }> = [];
  for (const h of config.plots.heatmaps ?? []) {
    const r = runs.get(h.run);
    if (!r) continue;
    const dataset = h.dataset ?? r.datasets[0];
    const beta = h.beta !== undefined ? betaNumber(h.beta) : r.beta?.length === 1 ? betaNumber(r.beta[0]) : NaN;
    const saes = rows.filter((m) => m.run === h.run && m.dataset === dataset && sameBeta(m.beta, beta)).sort((a, b) => a.seed - b.seed);
    const shown = saes.find((m) => m.seed === (h.seed ?? 0));
    const c = shown ? cos.get(shown.sae) : undefined;
    if (!shown || !c) {
      ctx.log(`heatmap ${h.id}: no SAE of run ${h.run}, ${dataset}${formatBeta(beta) ? `, ${formatBeta(beta)}` : ""}, seed ${h.seed ?? 0}; skipped`);
      continue;
    }
    const subject: HeatmapSubject = { id: h.id, title: h.title, figure: h.figure, saes };
    subjects.push({ h, subject });
    const comps = saes.map((m) => childComponentOf(components, m.sae, "enc"));
    const what = [`run ${h.run}`, dataset, formatBeta(beta), `d_sae = ${shown.dSae}`, `seed ${shown.seed}`].filter(Boolean).join(", ");
    const childText =
      comps.every(Number.isFinite) && comps.length ? ` Child component in the parent latent's encoder over the ${comps.length} seeds: ${comps.map((v) => fmt(v)).join(", ")}.` : "";
    const bDecText = h.bDec ? ` b_dec: ‖b_dec‖ = ${fmt(shown.bDecNorm)}, cosines ${Array.from(c.bDec, (v, f) => `feature ${f + 1}: ${fmt(v, 2)}`).join(", ")}.` : "";
    out.add(
      {
        id: h.id,
        title: h.title,
        caption: `${what}.${childText}${bDecText}`,
        section: sectionOf(h.figure),
        source: ["metrics/cos.arrow", "metrics/bdec.arrow", "metrics/components.arrow"],
      },
      cosPanels(c.enc, c.dec, shown.dSae, N, { title: h.title, showValues: h.showValues ?? true, bDecCos: h.bDec ? c.bDec : undefined, bDecNorm: shown.bDecNorm }),
    );
    claim(h.figure, null, h.id);
    if (h.expect === "parent-latent-and-bdec") claim(h.figure, parentLatentAndBDecFinding(subject, cos, N, firing.get(`${dataset}/1`) ?? NaN));
    if (h.expect === "hedging" || h.expect === "absorption") claim(h.figure, signFinding(subject, components, h.expect));
    if (h.expect === "separates") claim(h.figure, separatesFinding(subject, cos, N));
    if (h.expect === "mixed-signs") claim(h.figure, mixedSignsFinding(subject, components));
  }
  for (const { h, subject } of subjects) {
    if (h.expect !== "balanced") continue;
    const others = subjects.flatMap(({ h: o, subject: s }) =>
      o.figure === h.figure && (o.expect === "hedging" || o.expect === "absorption") ? [{ subject: s, kind: o.expect }] : [],
    );
    claim(h.figure, balancedFinding(subject, others, components));
  }

  // 21: the analytic loss curves
  const lossArt = await ctx.read("metrics", "loss-curves.arrow");
  if (lossArt.numRows > 0) drawLossCurves(lossArt, out, claim);

  // the β sweep
  const sweep = config.plots.betaSweep;
  const sweepRun = sweep ? runs.get(sweep.run) : undefined;
  if (sweep && sweepRun) {
    const perDataset = sweepRun.datasets.map((dataset) => {
      const saes = rows.filter((m) => m.run === sweep.run && m.dataset === dataset);
      const betas = [...new Set(saes.map((m) => m.beta))].sort((a, b) => betaToU(a) - betaToU(b));
      const children = [...new Set(components.filter((c) => saes.some((m) => m.sae === c.sae)).map((c) => c.child))].sort((a, b) => a - b);
      const curve = (child: number, which: "enc" | "dec") =>
        betas.map((beta) => ({
          beta,
          u: betaToU(beta),
          s: stats(saes.filter((m) => m.beta === beta).flatMap((m) => components.filter((c) => c.sae === m.sae && c.child === child).map((c) => c[which]))),
        }));
      const sweeps = (which: "enc" | "dec"): ChildSweep[] =>
        children.map((child) => {
          const points = curve(child, which);
          return { child, points, crossing: zeroCrossing(points, uToBeta) };
        });
      const quality = (which: "mcc" | "f1") => betas.map((beta) => ({ beta, u: betaToU(beta), s: stats(saes.filter((m) => m.beta === beta).map((m) => m[which])) }));
      return { dataset, betas, enc: sweeps("enc"), dec: sweeps("dec"), mcc: quality("mcc"), f1: quality("f1"), expected: sweep.expect?.[dataset] };
    });
    const allBetas = [...new Set(perDataset.flatMap((d) => d.betas))];
    const ticks = betaTicks(allBetas);
    for (const which of ["enc", "dec"] as const) {
      const id = `${sweep.run}-${which === "enc" ? "encoder" : "decoder"}`;
      const panels = perDataset.map((d) => {
        const points: MarkedLinePoint[] = d[which].flatMap((c) =>
          c.points.map((p) => ({ x: p.u, y: p.s.mean, lo: p.s.mean - p.s.sd, hi: p.s.mean + p.s.sd, series: `feature ${c.child + 1}` })),
        );
        // labels staggered upwards, so that crossings close together stay readable
        const markers: LineMarker[] = d[which]
          .flatMap((c) => (c.crossing ? [{ x: c.crossing.u, y: 0, series: `feature ${c.child + 1}`, label: `β ≈ ${fmt(c.crossing.beta, 2)}` }] : []))
          .map((m, k) => ({ ...m, labelDy: -10 - 13 * k }));
        return { title: `${d.dataset}`, points, markers };
      });
      const crossings = perDataset
        .map((d) => `${d.dataset}: ${d[which].map((c) => `feature ${c.child + 1} ${c.crossing ? `at β ≈ ${fmt(c.crossing.beta, 3)}` : "does not cross"}`).join(", ")}`)
        .join("; ");
      out.add(
        {
          id,
          title: `Child components in the parent latent's ${which === "enc" ? "encoder" : "decoder"} against β`,
          caption: `Run ${sweep.run}: cosine of each child feature with the parent latent's ${which === "enc" ? "encoder column" : "decoder row"}, mean ± 1 sd over ${stats(perDataset.flatMap((d) => d[which].flatMap((c) => c.points.map((p) => p.s.n)))).max} seeds; dashed: zero. Zero crossings (seed means, interpolated on u): ${crossings}.`,
          section: "beta-sweep",
          source: ["metrics/components.arrow", "metrics/metrics.arrow"],
        },
        curvePanels(panels, {
          title: `Child components in the parent latent's ${which === "enc" ? "encoder" : "decoder"} vs β`,
          xLabel: "β (axis u = β/(1 + β))",
          yLabel: "cos(child, parent latent)",
          xTicks: ticks,
          zeroLine: true,
          xDomain: [0, 1],
          dots: true,
        }),
      );
      claim(22, null, id);
    }
    const qualityId = `${sweep.run}-mcc-f1`;
    const qualityPanels = perDataset.map((d) => ({
      title: d.dataset,
      points: [
        ...d.mcc.map((p) => ({ x: p.u, y: p.s.mean, lo: p.s.mean - p.s.sd, hi: p.s.mean + p.s.sd, series: "MCC" })),
        ...d.f1.map((p) => ({ x: p.u, y: p.s.mean, lo: p.s.mean - p.s.sd, hi: p.s.mean + p.s.sd, series: "F1" })),
      ],
      markers: [],
    }));
    const best = perDataset.map((d) => {
      const top = d.mcc.reduce((a, b) => (b.s.mean > a.s.mean ? b : a));
      return `${d.dataset}: highest MCC ${fmt(top.s.mean)} at ${formatBeta(top.beta)}, MCC ${fmt(d.mcc[0].s.mean)} at ${formatBeta(d.mcc[0].beta)} and ${fmt(d.mcc.at(-1)?.s.mean ?? NaN)} at ${formatBeta(d.mcc.at(-1)?.beta ?? NaN)}; F1 ${fmt(stats(d.f1.map((p) => p.s.mean)).min)}–${fmt(stats(d.f1.map((p) => p.s.mean)).max)}`;
    });
    out.add(
      {
        id: qualityId,
        title: "MCC and F1 against β",
        caption: `Run ${sweep.run}: MCC (Hungarian match on |decoder cosine|) and mean per-latent F1 of [latent fires] against [its best-matching feature fires] (SAELens synthetic evals) on the evaluation sample, mean ± 1 sd over seeds. ${best.join("; ")}.`,
        section: "beta-sweep",
        source: ["metrics/metrics.arrow"],
      },
      curvePanels(qualityPanels, { title: "MCC and F1 vs β", xLabel: "β (axis u = β/(1 + β))", yLabel: "score", xTicks: ticks, xDomain: [0, 1], dots: true }),
    );
    claim(
      22,
      sweepFinding(
        sweep.run,
        perDataset.map((d) => ({ dataset: d.dataset, children: d.enc, expected: d.expected })),
      ),
      qualityId,
    );
  }

  // only the sections this experiment draws figures in (an intro alone would make an empty section)
  for (const s of SECTIONS) if (out.figures.some((f) => f.section === s.id)) out.section(s.id, s.heading, [s.intro]);
  for (const [figure, { ids, findings }] of [...byFigure].sort((a, b) => a[0] - b[0])) out.reproduce(figure, ids, findings);
  out.write({ kind: "feature-hedging", configHash: metrics.metadata.configHash ?? "" });
}

/** Figure 21: both settings side by side, one line per λ, each argmin marked; the findings on the minima. */
function drawLossCurves(art: Artifact, out: FigureWriter, claim: (figure: number, f: Finding | null, id?: string) => void): void {
  const setting = readStringColumn(art, "setting");
  const l1 = readFloatColumn(art, "l1");
  const alpha = readFloatColumn(art, "alpha");
  const loss = readFloatColumn(art, "expected_loss");
  const curves = new Map<string, { setting: string; l1: number; rows: number[] }>();
  setting.forEach((s, r) => {
    const key = `${s}|${l1[r]}`;
    const c = curves.get(key) ?? { setting: s, l1: l1[r], rows: [] };
    c.rows.push(r);
    curves.set(key, c);
  });
  const minima: CurveMinimum[] = [...curves.values()].map((c) => {
    let best = c.rows[0];
    for (const r of c.rows) if (loss[r] < loss[best]) best = r; // first index of the minimum, as pandas' argmin
    return { setting: c.setting, l1: c.l1, argminAlpha: alpha[best], minLoss: loss[best], steps: c.rows.length };
  });
  const settings = [...new Set(setting)];
  const panels = settings.map((s) => {
    const own = [...curves.values()].filter((c) => c.setting === s);
    // every 10th α is drawn (the arrow keeps all of them); the markers sit at the exact argmin
    const points = own.flatMap((c) => c.rows.filter((_, i) => i % 10 === 0 || i === c.rows.length - 1).map((r) => ({ x: alpha[r], y: loss[r], series: `λ = ${c.l1}` })));
    const markers = minima.filter((m) => m.setting === s).map((m) => ({ x: m.argminAlpha, y: m.minLoss, series: `λ = ${m.l1}`, label: `α = ${fmt(m.argminAlpha)}` }));
    return { title: s === "skew-parent" ? "Skew parent (P(parent only) .3, P(both) .1)" : s === "skew-child" ? "Skew child (P(parent only) .1, P(both) .3)" : s, points, markers };
  });
  const steps = minima[0]?.steps ?? 0;
  out.add(
    {
      id: "loss-curves",
      title: "Loss curves for single-latent SAE",
      caption: `E[L](α) = P(parent only)·L(p) + P(both)·L(p + c) for the single latent d(α) ∝ (1 − α)p + αc, on ${steps.toLocaleString("en")} α values; circles: each curve's minimum (${minima.map((m) => `${m.setting}, λ = ${m.l1}: α = ${fmt(m.argminAlpha, 4)}, E[L] = ${fmt(m.minLoss, 4)}`).join("; ")}).`,
      section: "loss-curves",
      source: ["metrics/loss-curves.arrow"],
    },
    curvePanels(panels, { title: "Loss curves for single-latent SAE", xLabel: "α", yLabel: "Expected Loss" }),
  );
  claim(21, lossMinimaFinding(minima), "loss-curves");
  claim(21, argminNotZeroFinding(minima));
}
