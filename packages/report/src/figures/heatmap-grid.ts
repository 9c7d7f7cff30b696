import type * as Plot from "@observablehq/plot";
import { stack, textBlock, withTitle } from "../compose.ts";
import { serializeSvg } from "../render.ts";
import { heatmapElement, type HeatmapCell } from "./heatmap.ts";

/**
 * Rows of small heatmap panels with a label per row: the composed toys' `plot_sae_imshows`
 * (one row per SAE instance; per feature set the latents' responses ReLU(W·W_enc + b_enc),
 * then the decoder cosines), or any other "one row per thing, a few matrices each" figure.
 * Each panel has its own colour scheme and domain, as the original's imshows do.
 */
export interface HeatmapPanel {
  title: string;
  cells: readonly HeatmapCell[];
  scheme: Plot.ColorScheme;
  /** Reverse the scheme (matplotlib's "_r" schemes); default false. */
  reverse?: boolean;
  colorDomain: readonly [number, number];
  xLabel?: string;
  yLabel?: string;
}

export interface HeatmapGridRow {
  /** Shown left of the row, e.g. "instance 0 · mono 0.82". */
  label: string;
  panels: readonly HeatmapPanel[];
}

export interface HeatmapGridOptions {
  title?: string;
  /** Side of a cell in px; default 14. */
  cellSize?: number;
}

export function heatmapGridFigure(rows: readonly HeatmapGridRow[], options: HeatmapGridOptions = {}): string {
  return serializeSvg(heatmapGridElement(rows, options));
}

export function heatmapGridElement(rows: readonly HeatmapGridRow[], options: HeatmapGridOptions = {}): SVGSVGElement {
  const cellSize = options.cellSize ?? 14;
  const lines = rows.map((row) =>
    stack(
      [
        textBlock(row.label, { fontWeight: "normal", className: "row-label" }),
        stack(
          row.panels.map((p) =>
            withTitle(
              heatmapElement(p.cells, {
                scheme: p.scheme,
                reverseScheme: p.reverse ?? false,
                color: "sequential",
                colorDomain: p.colorDomain,
                cellSize,
                showValues: false,
                colorLabel: null,
                xLabel: p.xLabel,
                yLabel: p.yLabel,
                valueLabel: p.title,
                tipLabel: row.label,
              }),
              p.title,
            ),
          ),
          { direction: "horizontal", gap: 14 },
        ),
      ],
      { gap: 2 },
    ),
  );
  return withTitle(stack(lines, { gap: 10 }), options.title);
}
