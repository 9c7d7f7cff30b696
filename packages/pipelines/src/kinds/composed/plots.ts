/**
 * plots: every figure of a composed-feature run, with the findings they show and the catalogue
 * figures they reproduce. 2-d conditions get the lr × λ arrow grid (figure 23), the schematic of
 * the reference cell (24), the toy model's training (25) and heatmaps over the grid; conditions
 * in more dimensions get `plot_sae_imshows` (26, see more-dims.ts).
 */
import { readFloatColumn, readIntColumn, readStringColumn } from "@toy-sae/core/artifact/arrow";
import {
  arrowGridFigure,
  formatCompact,
  formatScientific,
  heatmapFigure,
  schematicFigure,
  tmsTrainingFigure,
  type ArrowGridCell,
  type HeatmapCell,
  type TrueFeature,
} from "@toy-sae/report";
import type { StageContext } from "../../framework/context.ts";
import { FigureWriter, type Finding } from "../../framework/manifest.ts";
import { samplersFromSpec, tmsFromArtifact } from "./common.ts";
import type { ComposedGridConfig } from "./config.ts";
import { rotationFor, saeRows, type SaeRow } from "./grid-rows.ts";
import { moreDimsFigure } from "./more-dims.ts";
import { conditionText, composedFinding, gridCaption, summariseCondition, type CellSummary } from "./narrative.ts";
import { readSaeSet } from "./saes.ts";

/** The cell the schematic and the imshows show: lr 3e-4, λ 0.3 as in the original, else the grid's middle. */
export function referenceCell(lrs: readonly number[], l1s: readonly number[]): { ri: number; ci: number } {
  return { ri: lrs.includes(3e-4) ? lrs.indexOf(3e-4) : Math.floor(lrs.length / 2), ci: l1s.includes(0.3) ? l1s.indexOf(0.3) : Math.floor(l1s.length / 2) };
}

export async function run(ctx: StageContext<ComposedGridConfig>): Promise<void> {
  const { config } = ctx;
  const specs = samplersFromSpec(await ctx.read("generate", "spec.arrow"));
  const models = tmsFromArtifact(await ctx.read("train-model", "model.arrow"));
  const tmsCurves = await ctx.read("train-model", "curves.arrow");
  const saes = await readSaeSet(ctx);
  const metrics = await ctx.read("metrics", "metrics.arrow");
  const arch = await ctx.loadArchitecture(config.sae.architecture);
  const rows = saeRows(metrics, (r) => saes.set.paramsOf(r).wDec);
  const lrs = config.sae.lr;
  const l1s = config.sae.l1;
  const out = new FigureWriter(ctx);
  const evalSamples = metrics.metadata.eval_samples_per_condition;
  const lossCurveCond = readStringColumn(tmsCurves, "condition");
  const lossStep = readIntColumn(tmsCurves, "step");
  const lossValue = readFloatColumn(tmsCurves, "loss");
  const { ri, ci } = referenceCell(lrs, l1s);
  const grids: string[] = [];
  const schematics: string[] = [];
  const trainings: string[] = [];
  const imshows: string[] = [];
  const gridFindings: Finding[] = [];
  const schematicFindings: Finding[] = [];
  const trainingFindings: Finding[] = [];
  const imshowFindings: Finding[] = [];

  models.forEach((m, c) => {
    const condition = m.condition;
    const cond = config.data.conditions[c];
    const [n0] = specs[c].setSizes;
    const mine = rows.filter((r) => r.condition === condition);
    const cellSummaries: CellSummary[] = [];
    const cells: ArrowGridCell[] = [];
    lrs.forEach((lr, i) => {
      l1s.forEach((l1, j) => {
        const members = mine.filter((r) => r.lrIndex === i && r.l1Index === j);
        const best = members.find((r) => r.best);
        const mono = members.find((r) => r.mostMono);
        const monoShown = mono && best && mono !== best ? mono : undefined;
        cells.push({ row: i, col: j, best: best ? best.decoder : [], mono: monoShown?.decoder, diverged: !best, bestInstance: best?.instance, monoInstance: monoShown?.instance });
        cellSummaries.push({
          condition,
          lr,
          l1,
          best: best ? { loss: best.loss, monosemanticity: best.mono, mmcs: best.mmcs, offAxis: best.offAxis, composed: best.composed, l0: best.l0, dead: best.dead } : null,
        });
      });
    });
    const summary = summariseCondition(condition, cellSummaries);
    out.section(`condition-${condition}`, `Condition: ${condition}`, conditionText(cond, m, summary));
    const composed = out.finding(composedFinding(cond, summary));
    gridFindings.push(composed);
    if (m.nHidden !== 2) {
      const fig = moreDimsFigure({ config, condition, model: m, spec: specs[c], rows: mine, saes, arch, cell: { ri, ci } });
      if (fig) {
        out.add(
          {
            id: `imshow-${condition}`,
            title: fig.title,
            caption: fig.caption,
            section: `condition-${condition}`,
            source: ["train-saes/saes.arrow", "train-model/model.arrow", "metrics/metrics.arrow"],
          },
          fig.svg,
        );
        imshows.push(`imshow-${condition}`);
        imshowFindings.push(out.finding(fig.finding));
      }
      return;
    }

    // figures of the 2-d hidden plane, rotated as the original so x1 lies on the horizontal axis
    const rotate = rotationFor(m.w);
    const trueFeatures: TrueFeature[] = Array.from({ length: m.nIn }, (_, i) => {
      const [x, y] = rotate([m.w[i * 2], m.w[i * 2 + 1]]);
      const set = i < n0 ? 0 : 1;
      return { x, y, set, label: set === 0 ? `x${i + 1}` : `y${i - n0 + 1}` };
    });
    const rotated = (r: SaeRow) => r.decoder.map(rotate);
    out.add(
      {
        id: `grid-${condition}`,
        title: `Decoder directions over the lr × λ grid — ${condition}`,
        caption:
          (config.sae.realisations > 1
            ? `Each panel: true features (green x-set, orange y-set, rotated so x1 lies on the horizontal axis), the decoder rows of the lowest-loss of ${config.sae.realisations} realisations (black) and, when different, the most monosemantic one (grey). `
            : "Each panel: true features (green x-set, orange y-set, rotated so x1 lies on the horizontal axis) and the decoder rows of the cell's one realisation (black). ") +
          gridCaption(summary, config.metrics.offAxisThreshold),
        section: `condition-${condition}`,
        source: ["metrics/metrics.arrow", "train-saes/saes.arrow", "train-model/model.arrow"],
      },
      arrowGridFigure({
        rows: lrs,
        cols: l1s,
        trueFeatures,
        cells: cells.map((cell) => ({ ...cell, best: cell.best.map(rotate), mono: cell.mono?.map(rotate) })),
      }),
    );
    grids.push(`grid-${condition}`);

    const cellRows = mine.filter((r) => r.lrIndex === ri && r.l1Index === ci && !r.diverged).sort((a, b) => a.loss - b.loss);
    if (cellRows.length > 0) {
      const withComposed = cellRows.filter((r) => r.composed > 0).length;
      schematicFindings.push(
        out.finding({
          id: `schematic-${condition}`,
          claim: `The realisations of the reference cell learn composed directions (${condition}).`,
          holds: withComposed > cellRows.length / 2,
          text: `${withComposed} of ${cellRows.length} realisations at lr ${formatScientific(lrs[ri], 2)}, λ ${formatCompact(l1s[ci])} have a latent closer to a composed direction than to any true feature.`,
        }),
      );
      out.add(
        {
          id: `schematic-${condition}`,
          title: `True features and the ${cellRows.length === 1 ? "realisation" : `${cellRows.length} realisations`} at lr=${formatScientific(lrs[ri], 2)}, λ=${formatCompact(l1s[ci])} — ${condition}`,
          caption:
            `Left: the ${m.nIn} true features in the toy model's hidden plane. Then the realisations in loss order (lowest first, latents f1…f${cellRows[0].decoder.length})` +
            (cellRows.length < config.sae.realisations ? `; ${config.sae.realisations - cellRows.length} diverged and are not shown. ` : ". ") +
            `Losses: ${cellRows.map((r) => r.loss.toFixed(4)).join(", ")}; latents closer to a composed direction than to any true feature: ${cellRows.map((r) => r.composed).join(", ")}.`,
          section: `condition-${condition}`,
          source: ["metrics/metrics.arrow", "train-saes/saes.arrow"],
        },
        schematicFigure({ trueFeatures, instances: cellRows.map((r) => ({ rows: rotated(r), loss: r.loss, id: r.instance })) }),
      );
      schematics.push(`schematic-${condition}`);
    }

    const curve = lossCurveCond.flatMap((v, k) => (v === condition ? [{ step: lossStep[k], loss: lossValue[k] }] : []));
    const first = curve[0]?.loss ?? NaN;
    const last = curve.at(-1)?.loss ?? NaN;
    trainingFindings.push(
      out.finding({
        id: `tms-trains-${condition}`,
        claim: `The toy model of "${condition}" trains.`,
        holds: Number.isFinite(last) && last < first,
        text: `Its loss went from ${first.toExponential(3)} to ${last.toExponential(3)} over ${config.model.steps} steps.`,
      }),
    );
    out.add(
      {
        id: `tms-${condition}`,
        title: `Toy model training — ${condition}`,
        caption: `Loss of the ReLU-output toy model (${config.model.steps} steps of ${config.model.batch}; final ${last.toExponential(3)}) and the learned feature directions W_i in the 2-d hidden plane.`,
        section: `condition-${condition}`,
        source: ["train-model/curves.arrow", "train-model/model.arrow"],
      },
      tmsTrainingFigure({ loss: curve, features: trueFeatures.map((f) => ({ x: f.x, y: f.y, label: f.label, set: f.set })) }),
    );
    trainings.push(`tms-${condition}`);

    // heatmaps over the grid (lowest-loss instance of each cell)
    const heat = (value: (r: SaeRow) => number): HeatmapCell[] =>
      cells.map((cell) => {
        const best = mine.find((r) => r.lrIndex === cell.row && r.l1Index === cell.col && r.best);
        return {
          x: formatCompact(l1s[cell.col]),
          y: formatScientific(lrs[cell.row], 2),
          value: best ? value(best) : NaN,
          diverged: !best,
          note: best
            ? `instance ${best.instance}, the lowest-loss of ${mine.filter((r) => r.lrIndex === cell.row && r.l1Index === cell.col).length} realisations`
            : "every realisation diverged",
        };
      });
    const axes = {
      xLabel: "λ (L1 coefficient)",
      yLabel: "learning rate",
      xDomain: l1s.map((v) => formatCompact(v)),
      yDomain: lrs.map((v) => formatScientific(v, 2)),
      showValues: true,
    };
    const section = `condition-${condition}`;
    // The three heatmaps of a condition are read against each other, so they share a row.
    const group = `heat-${condition}`;
    out.add(
      {
        id: `heat-loss-${condition}`,
        title: `Loss of the lowest-loss SAE — ${condition}`,
        caption: `Mean FVU + λ·mean Σ|a| on ${evalSamples} held-out samples, per grid cell.`,
        section,
        group,
        source: ["metrics/metrics.arrow"],
      },
      heatmapFigure(
        heat((r) => r.loss),
        { ...axes, color: "sequential", logColor: true, colorLabel: "loss" },
      ),
    );
    out.add(
      {
        id: `heat-mono-${condition}`,
        title: `Monosemanticity — ${condition}`,
        caption: "Engineering Monosemanticity eq. 7 on the identity batch (1 = every latent responds to one feature only).",
        section,
        group,
        source: ["metrics/metrics.arrow"],
      },
      heatmapFigure(
        heat((r) => r.mono),
        { ...axes, color: "sequential", colorDomain: [0, 1], colorLabel: "monosemanticity" },
      ),
    );
    out.add(
      {
        id: `heat-mmcs-${condition}`,
        title: `MMCS (true → SAE) — ${condition}`,
        caption: "Mean over true features of the best cosine with any decoder row (1 = every true feature has a matching latent).",
        section,
        group,
        source: ["metrics/metrics.arrow"],
      },
      heatmapFigure(
        heat((r) => r.mmcs),
        { ...axes, color: "sequential", colorDomain: [0, 1], colorLabel: "MMCS" },
      ),
    );
  });

  out.reproduce(23, grids, gridFindings);
  out.reproduce(24, schematics, schematicFindings);
  out.reproduce(25, trainings, trainingFindings);
  out.reproduce(26, imshows, imshowFindings);
  out.write({ kind: "composed-grid", configHash: metrics.metadata.configHash ?? "" });
}
