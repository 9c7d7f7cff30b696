/**
 * The figure builders the sparse-but-wrong plots need beyond the report package's single
 * figures: latent × feature heatmaps laid out as the original (`plotting.py`), small
 * multiples of line plots, and the idealised decoder-projection histogram (`intuition_plot`).
 */
import * as Plot from "@observablehq/plot";
import {
  compose,
  heatmapFigure,
  lineBandElement,
  numericAxis,
  plotElement,
  plotMargins,
  scatterElement,
  serializeSvg,
  stack,
  textBlock,
  tickLabels,
  tip,
  tipNumber,
  type HeatmapCell,
  type LineBandOptions,
  type LinePoint,
  type ScatterOptions,
  type ScatterPoint,
} from "@toy-sae/report";
import { adjustForSuperposition, findBestIndexReorderingForSaes, reorderRows, roundCos } from "@toy-sae/core/metrics/cos-reordering";

export interface CosHeatmap {
  svg: string;
  /** The matrix as drawn: rows in plot order (row 0 at the bottom), rounded to 0.01. */
  shown: Float64Array;
  /** order[i] = the latent drawn in row i. */
  order: Int32Array;
}

/**
 * Decoder cosines as the seaborn heatmaps of the notebooks: optionally superposition-adjusted,
 * rows reordered by each latent's best feature (`_find_best_index_reordering`), values rounded
 * to 0.01, RdBu on [−1, 1], x "True feature", y "SAE Latent" with latent 0 at the bottom.
 */
export function cosHeatmap(cos: Float64Array, nLatents: number, nFeatures: number, options: { featureCos?: Float64Array; title?: string }): CosHeatmap {
  const matrix = options.featureCos ? adjustForSuperposition(cos, options.featureCos, nFeatures) : cos;
  const { order } = findBestIndexReorderingForSaes([matrix], nLatents, nFeatures);
  const shown = roundCos(reorderRows(matrix, order, nFeatures));
  const cells: HeatmapCell[] = [];
  for (let i = 0; i < nLatents; i++) for (let f = 0; f < nFeatures; f++) cells.push({ x: f, y: i, value: shown[i * nFeatures + f] });
  const big = nFeatures > 20;
  const svg = heatmapFigure(cells, {
    xLabel: "True feature",
    yLabel: "SAE Latent",
    xDomain: Array.from({ length: nFeatures }, (_, f) => f),
    yDomain: Array.from({ length: nLatents }, (_, i) => i),
    reverseY: true,
    color: "diverging",
    colorDomain: [-1, 1],
    colorLabel: "cosine similarity",
    tickEvery: big ? 10 : 1,
    showValues: !big,
    cellSize: big ? 9 : 40,
    title: options.title,
  });
  return { svg, shown, order };
}

/** A square matrix (correlations, feature cosines) as a heatmap with row 0 at the bottom (imshow origin="lower"). */
export function matrixHeatmap(values: ArrayLike<number>, n: number, options: { title?: string; colorLabel: string }): string {
  const cells: HeatmapCell[] = [];
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) cells.push({ x: j, y: i, value: values[i * n + j] });
  const big = n > 20;
  return heatmapFigure(cells, {
    xDomain: Array.from({ length: n }, (_, j) => j),
    yDomain: Array.from({ length: n }, (_, i) => i),
    reverseY: true,
    color: "diverging",
    colorDomain: [-1, 1],
    colorLabel: options.colorLabel,
    tickEvery: big ? 10 : 1,
    showValues: !big,
    cellSize: big ? 9 : 40,
    title: options.title,
  });
}

/** Panels in a grid, `columns` per row, with an overall title. */
function grid(panels: SVGSVGElement[], columns: number, title?: string): string {
  const widths = panels.map((p) => Number(p.getAttribute("width")));
  const heights = panels.map((p) => Number(p.getAttribute("height")));
  const cellW = Math.max(...widths) + 8;
  const cellH = Math.max(...heights) + 8;
  const body = compose(panels.map((element, i) => ({ element, x: (i % columns) * cellW, y: Math.floor(i / columns) * cellH })));
  return serializeSvg(title ? stack([textBlock(title, { className: "figure-title" }), body], { gap: 4 }) : body);
}

/** One mean ± 1 sd line plot per panel (e.g. s_n^dec vs k for n = 12…25). */
export function lineBandGrid(panels: Array<{ title: string; points: LinePoint[] }>, options: LineBandOptions & { columns?: number; title?: string }): string {
  const { columns = 4, title, ...rest } = options;
  return grid(
    panels.map((p) => lineBandElement(p.points, { width: 250, height: 170, ...rest, title: p.title })),
    columns,
    title,
  );
}

/** One scatter per panel (e.g. s_n^dec vs measured L0 of the JumpReLU SAEs). */
export function scatterGrid(panels: Array<{ title: string; points: ScatterPoint[] }>, options: ScatterOptions & { columns?: number; title?: string }): string {
  const { columns = 4, title, ...rest } = options;
  return grid(
    panels.map((p) => scatterElement(p.points, { width: 250, height: 170, ...rest, title: p.title })),
    columns,
    title,
  );
}

const normalPdf = (x: number, mu: number, sd: number) => Math.exp(-0.5 * ((x - mu) / sd) ** 2) / (sd * Math.sqrt(2 * Math.PI));

/**
 * `intuition_plot`: the idealised histogram of decoder projections, 2·N(0, σ0) for the latents
 * that do not fire plus N(15, σ1) for those that do. s_n^dec is the level with 40 % of the mass
 * above it; a mixing SAE has wider bumps, so that level sits further right.
 */
export function intuitionFigure(shaded: boolean): { svg: string; thresholds: Array<{ name: string; s: number }> } {
  const mixtures = [
    { name: "Disentangled SAE", sd0: 1, sd1: 5 },
    { name: "SAE mixing correlated features", sd0: 2, sd1: 7 },
  ];
  const xs = Array.from({ length: 801 }, (_, i) => -10 + (i * 50) / 800);
  const thresholds: Array<{ name: string; s: number }> = [];
  const panels = mixtures.map((m) => {
    const density = xs.map((x) => ({ x, y: (2 * normalPdf(x, 0, m.sd0) + normalPdf(x, 15, m.sd1)) / 3 }));
    // the right 40 % of the area, by the trapezoid rule from the right
    const dx = xs[1] - xs[0];
    let area = 0;
    let s = xs[xs.length - 1];
    for (let i = xs.length - 1; i > 0 && area < 0.4; i--) {
      area += ((density[i].y + density[i - 1].y) / 2) * dx;
      s = xs[i - 1];
    }
    thresholds.push({ name: m.name, s });
    const top = Math.max(...density.map((d) => d.y));
    const x = numericAxis(xs, { label: "decoder projection", length: 300, direction: "x" });
    const y = numericAxis([0, top], { label: "density", length: 200, direction: "y" });
    const curve = tip(m.name, `2·N(0, ${m.sd0}) + N(15, ${m.sd1}), normalised`);
    const threshold = tip(`s_n^dec = ${tipNumber(s)}`, "the level with 40 % of the mass above it");
    return plotElement({
      width: 300,
      height: 200,
      ...plotMargins({ yLabels: tickLabels(y), yLabel: "density", xLabel: "decoder projection" }),
      x,
      y,
      marks: [
        shaded
          ? Plot.areaY(
              density.filter((d) => d.x >= s),
              { x: "x", y: "y", fill: "rgb(66,105,208)", fillOpacity: 0.35, title: () => tip(m.name, "right 40 % of the mass") },
            )
          : null,
        Plot.line(density, { x: "x", y: "y", stroke: "black", strokeWidth: 1.5, title: () => curve }),
        shaded
          ? Plot.arrow([{ x: s, y1: top * 0.9, y2: density.find((d) => d.x >= s)?.y ?? 0 }], {
              x1: "x",
              x2: "x",
              y1: "y1",
              y2: "y2",
              stroke: "rgb(214,39,40)",
              title: () => threshold,
            })
          : null,
        shaded ? Plot.text([{ x: s, y: top * 0.95 }], { x: "x", y: "y", text: () => "s_n^dec", fill: "rgb(214,39,40)", textAnchor: "start", dx: 3, title: () => threshold }) : null,
        // the baseline only guides the eye
        Plot.ruleY([0], { ariaHidden: "true" }),
      ],
    });
  });
  const titled = panels.map((p, i) => stack([textBlock(mixtures[i].name, { fontSize: 11 }), p], { gap: 2 }));
  return { svg: grid(titled, 2, "Idealized decoder projection histogram"), thresholds };
}
