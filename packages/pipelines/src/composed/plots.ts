/**
 * plots: every figure of the lr-l1-grid report as a standalone SVG, plus figures.json (id,
 * title, caption, file, source artifact, config hash) that the report stage assembles.
 */
import { readBoolColumn, readFloatColumn, readIntColumn, readMatrixColumn, readStringColumn, type Artifact } from "@toy-sae/core/artifact/arrow";
import {
  arrowGridFigure,
  heatmapFigure,
  schematicFigure,
  tmsTrainingFigure,
  formatScientific,
  formatCompact,
  type ArrowGridCell,
  type HeatmapCell,
  type TrueFeature,
  type Vec2,
} from "@toy-sae/report";
import type { StageContext } from "../stage/context.ts";
import { tmsFromArtifact } from "./common.ts";
import type { ComposedGridConfig } from "./config.ts";
import { gridCaption, summariseCondition, type CellSummary } from "./narrative.ts";

export interface FigureEntry {
  id: string;
  title: string;
  caption: string;
  file: string;
  section: string;
  source: string[];
}

export interface FigureManifest {
  experiment: string;
  profile: string;
  configHash: string;
  figures: FigureEntry[];
  summaries: ReturnType<typeof summariseCondition>[];
}

/**
 * Rotate 2-d points as the original plot_grid does: θ = arctan(W01/W00) (arctan, not atan2, so
 * feature 0 can land on −x), points p·R with R = [[cos θ, −sin θ], [sin θ, cos θ]].
 */
export function rotationFor(w: Float32Array): (p: Vec2) => Vec2 {
  const theta = Math.atan(w[1] / w[0]); // w[0], w[1]: feature 0's direction (W00, W01)
  const c = Math.cos(theta);
  const s = Math.sin(theta);
  return ([x, y]) => [x * c + y * s, -x * s + y * c];
}

interface SaeRow {
  condition: string;
  lr: number;
  l1: number;
  lrIndex: number;
  l1Index: number;
  instance: number;
  decoder: Vec2[];
  loss: number;
  mono: number;
  mmcs: number;
  offAxis: number;
  composed: number;
  l0: number;
  dead: number;
  diverged: boolean;
  best: boolean;
  mostMono: boolean;
}

function saeRows(metrics: Artifact, saes: Artifact, dSae: number, d: number): SaeRow[] {
  const wDec = readMatrixColumn(saes, "w_dec", dSae * d).values;
  const get = {
    condition: readStringColumn(metrics, "condition"),
    lr: readFloatColumn(metrics, "lr"),
    l1: readFloatColumn(metrics, "l1"),
    lrIndex: readIntColumn(metrics, "lr_index"),
    l1Index: readIntColumn(metrics, "l1_index"),
    instance: readIntColumn(metrics, "instance"),
    loss: readFloatColumn(metrics, "loss"),
    mono: readFloatColumn(metrics, "monosemanticity"),
    mmcs: readFloatColumn(metrics, "mmcs"),
    offAxis: readIntColumn(metrics, "off_axis_latents"),
    composed: readIntColumn(metrics, "composed_latents"),
    l0: readFloatColumn(metrics, "l0"),
    dead: readIntColumn(metrics, "dead"),
    diverged: readBoolColumn(metrics, "diverged"),
    best: readBoolColumn(metrics, "best_in_cell"),
    mostMono: readBoolColumn(metrics, "most_mono_in_cell"),
  };
  return get.condition.map((condition, r) => ({
    condition,
    lr: get.lr[r],
    l1: get.l1[r],
    lrIndex: get.lrIndex[r],
    l1Index: get.l1Index[r],
    instance: get.instance[r],
    // metrics.arrow and saes.arrow share the row order (one row per SAE, instance axis order)
    decoder: Array.from({ length: dSae }, (_, j) => [wDec[(r * dSae + j) * d], wDec[(r * dSae + j) * d + 1]] as Vec2),
    loss: get.loss[r],
    mono: get.mono[r],
    mmcs: get.mmcs[r],
    offAxis: get.offAxis[r],
    composed: get.composed[r],
    l0: get.l0[r],
    dead: get.dead[r],
    diverged: get.diverged[r],
    best: get.best[r],
    mostMono: get.mostMono[r],
  }));
}

export async function run(ctx: StageContext<ComposedGridConfig>): Promise<void> {
  const { config } = ctx;
  const spec = await ctx.read("generate", "spec.arrow");
  const modelArt = await ctx.read("train-model", "model.arrow");
  const tmsCurves = await ctx.read("train-model", "curves.arrow");
  const saes = await ctx.read("train-saes", "saes.arrow");
  const metrics = await ctx.read("metrics", "metrics.arrow");
  const tms = tmsFromArtifact(modelArt);
  const n0 = readIntColumn(spec, "set_size_0")[0];
  const dSae = Number(metrics.metadata["d_sae"]);
  const d = tms.nHidden;
  if (d !== 2) throw new Error(`plots: the arrow figures need a 2-d hidden layer, got data.hidden = ${d}`);
  const rows = saeRows(metrics, saes, dSae, d);
  const lrs = config.sae.lr;
  const l1s = config.sae.l1;
  const figures: FigureEntry[] = [];
  const add = (entry: Omit<FigureEntry, "file">, svg: string) => {
    const file = `${entry.id}.svg`;
    ctx.writeText(file, svg);
    figures.push({ ...entry, file });
  };
  const cellSummaries: CellSummary[] = [];
  const lossCurveCond = readStringColumn(tmsCurves, "condition");
  const lossStep = readIntColumn(tmsCurves, "step");
  const lossValue = readFloatColumn(tmsCurves, "loss");

  tms.conditions.forEach((condition, c) => {
    const w = tms.w[c];
    const rotate = rotationFor(w);
    const trueFeatures: TrueFeature[] = Array.from({ length: tms.nIn }, (_, i) => {
      const [x, y] = rotate([w[i * d], w[i * d + 1]]);
      const set = i < n0 ? 0 : 1;
      return { x, y, set, label: set === 0 ? `x${i + 1}` : `y${i - n0 + 1}` };
    });
    const mine = rows.filter((r) => r.condition === condition);

    // 1. the lr × λ arrow grid
    const cells: ArrowGridCell[] = [];
    lrs.forEach((lr, i) => {
      l1s.forEach((l1, j) => {
        const members = mine.filter((r) => r.lrIndex === i && r.l1Index === j);
        const best = members.find((r) => r.best);
        const mono = members.find((r) => r.mostMono);
        cells.push({
          row: i,
          col: j,
          best: best ? best.decoder.map(rotate) : [],
          mono: mono && best && mono !== best ? mono.decoder.map(rotate) : undefined,
          diverged: !best,
        });
        cellSummaries.push({
          condition,
          lr,
          l1,
          best: best ? { loss: best.loss, monosemanticity: best.mono, mmcs: best.mmcs, offAxis: best.offAxis, composed: best.composed, l0: best.l0, dead: best.dead } : null,
        });
      });
    });
    const summary = summariseCondition(condition, cellSummaries);
    add(
      {
        id: `grid-${condition}`,
        title: `Decoder directions over the lr × λ grid — ${condition}`,
        caption:
          `Each panel: true features (green x-set, orange y-set, rotated so x1 lies on the horizontal axis), the decoder rows of the lowest-loss of ${config.sae.realisations} realisations (black) and, when different, the most monosemantic one (grey). ` +
          gridCaption(summary, config.metrics.offAxisThreshold),
        section: condition,
        source: ["metrics/metrics.arrow", "train-saes/saes.arrow", "train-model/model.arrow"],
      },
      arrowGridFigure({ rows: lrs, cols: l1s, trueFeatures, cells }),
    );

    // 2. schematic: the reference cell (lr 3e-4, λ 0.3 in the original, else the grid's middle)
    const ri = lrs.includes(3e-4) ? lrs.indexOf(3e-4) : Math.floor(lrs.length / 2);
    const ci = l1s.includes(0.3) ? l1s.indexOf(0.3) : Math.floor(l1s.length / 2);
    const cellRows = mine.filter((r) => r.lrIndex === ri && r.l1Index === ci && !r.diverged).sort((a, b) => a.loss - b.loss);
    if (cellRows.length > 0) {
      add(
        {
          id: `schematic-${condition}`,
          title: `True features and the ${cellRows.length} realisations at lr=${formatScientific(lrs[ri], 2)}, λ=${formatCompact(l1s[ci])} — ${condition}`,
          caption:
            `Left: the four true features x1, x2, y1, y2 in the toy model's hidden plane. Then the realisations in loss order (lowest first, latents f1…f${dSae}). ` +
            `Losses: ${cellRows.map((r) => r.loss.toFixed(4)).join(", ")}; latents closer to a composed direction than to any true feature: ${cellRows.map((r) => r.composed).join(", ")}.`,
          section: condition,
          source: ["metrics/metrics.arrow", "train-saes/saes.arrow"],
        },
        schematicFigure({ trueFeatures, instances: cellRows.map((r) => ({ rows: r.decoder.map(rotate), loss: r.loss, id: r.instance })) }),
      );
    }

    // 3. the toy model's training
    const curve = lossCurveCond.flatMap((v, k) => (v === condition ? [{ step: lossStep[k], loss: lossValue[k] }] : []));
    add(
      {
        id: `tms-${condition}`,
        title: `Toy model training — ${condition}`,
        caption: `Loss of the ReLU-output toy model (${config.model.steps} steps of ${config.model.batch}; final ${curve.at(-1)?.loss.toExponential(3)}) and the learned feature directions W_i in the 2-d hidden plane.`,
        section: condition,
        source: ["train-model/curves.arrow", "train-model/model.arrow"],
      },
      tmsTrainingFigure({ loss: curve, features: trueFeatures.map((f) => ({ x: f.x, y: f.y, label: f.label, set: f.set })) }),
    );

    // 4. heatmaps over the grid (lowest-loss instance of each cell)
    const heat = (value: (r: SaeRow) => number): HeatmapCell[] =>
      cells.map((cell) => {
        const best = mine.find((r) => r.lrIndex === cell.row && r.l1Index === cell.col && r.best);
        return { x: formatCompact(l1s[cell.col]), y: formatScientific(lrs[cell.row], 2), value: best ? value(best) : NaN, diverged: !best };
      });
    const axes = { xLabel: "λ (L1 coefficient)", yLabel: "learning rate", xDomain: l1s.map((v) => formatCompact(v)), yDomain: lrs.map((v) => formatScientific(v, 2)), showValues: true };
    add(
      { id: `heat-loss-${condition}`, title: `Loss of the lowest-loss SAE — ${condition}`, caption: `Mean FVU + λ·mean Σ|a| on ${metrics.metadata["eval_samples_per_condition"]} held-out samples, per grid cell.`, section: condition, source: ["metrics/metrics.arrow"] },
      heatmapFigure(heat((r) => r.loss), { ...axes, color: "sequential", logColor: true, colorLabel: "loss" }),
    );
    add(
      { id: `heat-mono-${condition}`, title: `Monosemanticity — ${condition}`, caption: "Engineering Monosemanticity eq. 7 on the identity batch (1 = every latent responds to one feature only).", section: condition, source: ["metrics/metrics.arrow"] },
      heatmapFigure(heat((r) => r.mono), { ...axes, color: "sequential", colorDomain: [0, 1], colorLabel: "monosemanticity" }),
    );
    add(
      { id: `heat-mmcs-${condition}`, title: `MMCS (true → SAE) — ${condition}`, caption: "Mean over true features of the best cosine with any decoder row (1 = every true feature has a matching latent).", section: condition, source: ["metrics/metrics.arrow"] },
      heatmapFigure(heat((r) => r.mmcs), { ...axes, color: "sequential", colorDomain: [0, 1], colorLabel: "MMCS" }),
    );
  });

  const manifest: FigureManifest = {
    experiment: ctx.experiment,
    profile: ctx.profile,
    configHash: metrics.metadata["configHash"] ?? "",
    figures,
    summaries: tms.conditions.map((c) => summariseCondition(c, cellSummaries)),
  };
  ctx.writeText("figures.json", JSON.stringify(manifest, null, 2) + "\n");
  ctx.log(`${figures.length} figures`);
}
