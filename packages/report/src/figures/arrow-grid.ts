import * as Plot from "@observablehq/plot";
import { serializeSvg, plotElement } from "../render.ts";
import { estimateTextWidth, withTitle } from "../compose.ts";
import { formatCompact, formatScientific } from "../format.ts";
import { ALERT_COLOR, ALERT_FILL, BEST_COLOR, FONT_SIZE, MONO_COLOR, X_SET_COLOR, Y_SET_COLOR } from "../style.ts";
import { latentLabel, UNIT_PANEL_LIMIT, type TrueFeature, type Vec2 } from "./arrows.ts";
import { tip, tipVector } from "../titles.ts";

/**
 * The learning-rate × sparsity-coefficient grid of the composed-feature toy
 * (§3.4 plot_grid): one square panel per grid cell, true features as thick
 * coloured arrows, the lowest-loss instance's decoder rows in black and, when
 * another instance is the most monosemantic, that one's rows in thin grey.
 * Seeing the black arrows sit between a green and an orange arrow is the
 * whole point of the figure: the SAE learned the composed direction.
 */

export interface ArrowGridCell {
  /** Index into `rows` (learning rates). */
  row: number;
  /** Index into `cols` (sparsity coefficients λ). */
  col: number;
  /** Decoder rows of the lowest-loss instance. */
  best: readonly Vec2[];
  /** Decoder rows of the most monosemantic instance, only when it is not the lowest-loss one. */
  mono?: readonly Vec2[];
  /** The cell's training went NaN/Inf; the panel is marked as such. */
  diverged?: boolean;
  /** Which realisation `best` is, for tooltips. */
  bestInstance?: string | number;
  /** Which realisation `mono` is, for tooltips. */
  monoInstance?: string | number;
}

export interface ArrowGridData {
  /** Learning rates, one per panel row, top to bottom. */
  rows: readonly number[];
  /** Sparsity coefficients λ, one per panel column, left to right. */
  cols: readonly number[];
  trueFeatures: readonly TrueFeature[];
  cells: readonly ArrowGridCell[];
  title?: string;
}

export interface ArrowGridOptions {
  /** Side of one square panel in px; default 100 (5 × 5 panels ≈ 600 px wide). */
  panelSize?: number;
  /** Gap between panels as a fraction of a panel step; default 0.08. */
  gap?: number;
  /** Row label; default "lr=3×10⁻⁴". */
  rowLabel?: (lr: number) => string;
  /** Column label; default "λ=0.1". */
  colLabel?: (lambda: number) => string;
}

/** One arrow from the origin, tagged with its facet. */
interface GridArrow {
  row: number;
  col: number;
  x: number;
  y: number;
  name: string;
  /** The realisation it belongs to, when known. */
  instance?: string | number;
}

export function arrowGridFigure(data: ArrowGridData, options: ArrowGridOptions = {}): string {
  return serializeSvg(arrowGridElement(data, options));
}

export function arrowGridElement(data: ArrowGridData, options: ArrowGridOptions = {}): SVGSVGElement {
  const { panelSize = 100, gap = 0.08, rowLabel = (lr: number) => `lr=${formatScientific(lr, 2)}`, colLabel = (lambda: number) => `λ=${formatCompact(lambda)}` } = options;
  validate(data);
  const { rows, cols, trueFeatures, cells } = data;
  const rowNames = rows.map((lr) => rowLabel(lr));
  const colNames = cols.map((lambda) => colLabel(lambda));
  // every arrow's row and col index rows and cols (validate checked the cells; the rest are generated from them)
  const cellName = (row: number, col: number) => `${rowNames[row]}, ${colNames[col]}`;

  // True features are drawn in every panel, cell or not, which also makes Plot
  // lay out all rows × cols facets (it drops facets that hold no data).
  const xSet: GridArrow[] = [];
  const ySet: GridArrow[] = [];
  for (let row = 0; row < rows.length; row++) {
    for (let col = 0; col < cols.length; col++) {
      for (const f of trueFeatures) (f.set === 0 ? xSet : ySet).push({ row, col, x: f.x, y: f.y, name: f.label });
    }
  }

  const decoderArrows = (pick: (cell: ArrowGridCell) => readonly Vec2[] | undefined, instance: (cell: ArrowGridCell) => string | number | undefined): GridArrow[] =>
    cells.flatMap((cell) => (pick(cell) ?? []).map(([x, y], j) => ({ row: cell.row, col: cell.col, x, y, name: latentLabel(j), instance: instance(cell) })));
  const best = decoderArrows(
    (c) => c.best,
    (c) => c.bestInstance,
  );
  const mono = decoderArrows(
    (c) => c.mono,
    (c) => c.monoInstance,
  );
  const diverged = cells.filter((c) => c.diverged);
  const present = new Set(cells.map((c) => `${c.row},${c.col}`));
  const missing: Array<{ row: number; col: number }> = [];
  for (let row = 0; row < rows.length; row++) for (let col = 0; col < cols.length; col++) if (!present.has(`${row},${col}`)) missing.push({ row, col });

  const arrow = (arrows: GridArrow[], stroke: string, strokeWidth: number, className: string, role: string) =>
    Plot.arrow(arrows, {
      x1: 0,
      y1: 0,
      x2: "x",
      y2: "y",
      fx: "col",
      fy: "row",
      stroke,
      strokeWidth,
      headLength: 4 + strokeWidth * 1.5,
      clip: true,
      className,
      ariaLabel: (d: GridArrow) => `${cellName(d.row, d.col)}: ${role} ${d.name}`,
      // the cell, whose arrow it is (which realisation), and where it points
      title: (d: GridArrow) => tip(cellName(d.row, d.col), `${role}${d.instance === undefined ? "" : ` (instance ${d.instance})`} ${d.name} ${tipVector(d.x, d.y)}`),
    });
  const cellTip = (what: string) => (d: { row: number; col: number }) => tip(cellName(d.row, d.col), what);

  const L = UNIT_PANEL_LIMIT;
  // Square panels: with paddingInner p and no outer padding a band scale's
  // range is bandwidth/(1−p)·(n−p), so equal bandwidths need these ranges.
  const rangeFor = (n: number) => Math.round((panelSize / (1 - gap)) * (n - gap));
  const marginLeft = Math.ceil(Math.max(...rows.map((r) => estimateTextWidth(rowLabel(r)))) + 12);
  const marginTop = 22;
  const marginRight = 4;
  const marginBottom = 4;

  const svg = plotElement({
    width: marginLeft + rangeFor(cols.length) + marginRight,
    height: marginTop + rangeFor(rows.length) + marginBottom,
    marginLeft,
    marginTop,
    marginRight,
    marginBottom,
    x: { domain: [-L, L], axis: null },
    y: { domain: [-L, L], axis: null },
    fx: {
      domain: cols.map((_, i) => i),
      axis: "top",
      label: null,
      tickSize: 0,
      tickFormat: (i: number) => colNames[i] ?? "",
      paddingInner: gap,
      paddingOuter: 0,
    },
    fy: {
      domain: rows.map((_, i) => i),
      axis: "left",
      label: null,
      tickSize: 0,
      tickFormat: (i: number) => rowNames[i] ?? "",
      paddingInner: gap,
      paddingOuter: 0,
    },
    marks: [
      Plot.rect(diverged, {
        x1: -L,
        x2: L,
        y1: -L,
        y2: L,
        fx: "col",
        fy: "row",
        fill: ALERT_FILL,
        className: "diverged-panel",
        title: cellTip("every realisation diverged"),
      }),
      Plot.frame({ stroke: "rgb(170,170,170)", strokeWidth: 0.75 }),
      arrow(xSet, X_SET_COLOR, 3, "true-feature", "true feature"),
      arrow(ySet, Y_SET_COLOR, 3, "true-feature", "true feature"),
      arrow(best, BEST_COLOR, 2, "best-decoder", "lowest-loss latent"),
      arrow(mono, MONO_COLOR, 1, "mono-decoder", "most monosemantic latent"),
      Plot.text(diverged, {
        x: 0,
        y: -0.7 * L,
        fx: "col",
        fy: "row",
        text: () => "diverged",
        fill: ALERT_COLOR,
        stroke: "white",
        strokeWidth: 3,
        fontSize: FONT_SIZE + 1,
        fontWeight: "bold",
        className: "diverged-label",
        title: cellTip("every realisation diverged"),
      }),
      Plot.text(missing, {
        x: 0,
        y: -0.7 * L,
        fx: "col",
        fy: "row",
        text: () => "no data",
        fill: "rgb(120,120,120)",
        className: "missing-label",
        title: cellTip("no data for this cell"),
      }),
    ],
  });
  svg.setAttribute("class", `${svg.getAttribute("class") ?? ""} arrow-grid`.trim());
  return withTitle(svg, data.title);
}

/** Fails with a message naming the bad cell, rather than drawing into a wrong panel. */
function validate(data: ArrowGridData): void {
  if (data.rows.length === 0 || data.cols.length === 0) throw new Error("arrowGridFigure: rows and cols must be non-empty");
  const seen = new Set<string>();
  for (const [i, cell] of data.cells.entries()) {
    const where = `arrowGridFigure: cells[${i}] (row ${cell.row}, col ${cell.col})`;
    if (!Number.isInteger(cell.row) || cell.row < 0 || cell.row >= data.rows.length) throw new Error(`${where}: row must be an index in 0..${data.rows.length - 1}`);
    if (!Number.isInteger(cell.col) || cell.col < 0 || cell.col >= data.cols.length) throw new Error(`${where}: col must be an index in 0..${data.cols.length - 1}`);
    const key = `${cell.row},${cell.col}`;
    if (seen.has(key)) throw new Error(`${where}: a cell for this row and column was already given`);
    seen.add(key);
  }
}
