/**
 * Panels of 2-d vectors drawn from the origin, in rows: ARENA's `plot_features_in_2d` (lines
 * from the origin with a dot at each tip; figures 27 and 29) and the toy SAE's latents in the
 * TMS hidden plane over training (figures 33–34: decoder rows solid, encoder directions dashed,
 * the model's true features in grey, a ring on latents just resampled).
 */
import { TITLE_FONT_SIZE } from "../../style.ts";
import { legendRow, px, svgRoot, text } from "./svg.ts";

export interface PlaneVector {
  x: number;
  y: number;
  color: string;
  /** Line width in px; default 1.5. */
  width?: number;
  dashed?: boolean;
  /** Dot at the tip; default true. */
  tip?: boolean;
  /** Ring around the tip (e.g. a latent just resampled). */
  ring?: boolean;
  opacity?: number;
}

export interface PlanePanel {
  title: string;
  vectors: readonly PlaneVector[];
}

export interface PlaneRow {
  /** Drawn to the left of the row (e.g. "step 2,500"); empty for none. */
  label: string;
  panels: readonly PlanePanel[];
}

export interface VectorPanelsOptions {
  /** Panel side in px; default 120. */
  size?: number;
  /** Half-width of every panel's axes (the same for all, so lengths compare); default fits every vector. */
  limit?: number;
  title?: string;
  legend?: ReadonlyArray<{ label: string; color: string; dashed?: boolean }>;
  ariaLabel?: string;
}

export function vectorLimit(rows: readonly PlaneRow[]): number {
  let longest = 0;
  for (const r of rows) for (const p of r.panels) for (const v of p.vectors) if (Number.isFinite(v.x) && Number.isFinite(v.y)) longest = Math.max(longest, Math.hypot(v.x, v.y));
  return Math.max(1.1, longest * 1.12);
}

function panelSvg(panel: PlanePanel, x0: number, y0: number, size: number, limit: number): string {
  const scale = size / (2 * limit);
  const cx = x0 + size / 2;
  const cy = y0 + size / 2;
  const parts = [
    `<rect x="${px(x0)}" y="${px(y0)}" width="${px(size)}" height="${px(size)}" fill="white" stroke="#aaa" stroke-width="0.75"/>`,
    `<path d="M${px(x0)} ${px(cy)}h${px(size)}M${px(cx)} ${px(y0)}v${px(size)}" stroke="#e3e3e3" stroke-width="0.75"/>`,
  ];
  for (const v of panel.vectors) {
    if (!Number.isFinite(v.x) || !Number.isFinite(v.y)) continue;
    const tx = cx + v.x * scale;
    const ty = cy - v.y * scale;
    const opacity = v.opacity !== undefined && v.opacity !== 1 ? ` opacity="${v.opacity}"` : "";
    parts.push(
      `<line x1="${px(cx)}" y1="${px(cy)}" x2="${px(tx)}" y2="${px(ty)}" stroke="${v.color}" stroke-width="${v.width ?? 1.5}"${v.dashed ? ' stroke-dasharray="3,2"' : ""}${opacity}/>`,
    );
    if (v.tip ?? true) parts.push(`<circle cx="${px(tx)}" cy="${px(ty)}" r="${v.dashed ? 1.6 : 2.4}" fill="${v.color}"${opacity}/>`);
    if (v.ring) parts.push(`<circle class="ring" cx="${px(tx)}" cy="${px(ty)}" r="5.5" fill="none" stroke="${v.color}" stroke-width="1.2"/>`);
  }
  parts.push(text(cx, y0 - 4, panel.title, { anchor: "middle" }));
  return `<g class="panel">${parts.join("")}</g>`;
}

/** Rows of square panels with a shared scale. */
export function vectorPanelsFigure(rows: readonly PlaneRow[], options: VectorPanelsOptions = {}): string {
  const size = options.size ?? 120;
  const limit = options.limit ?? vectorLimit(rows);
  const labelWidth = rows.some((r) => r.label) ? 8 + 6.2 * Math.max(...rows.map((r) => r.label.length)) : 0;
  const gap = 8;
  const columns = Math.max(1, ...rows.map((r) => r.panels.length));
  const top = options.title ? 22 : 4;
  const rowHeight = size + 18;
  const width = labelWidth + columns * (size + gap) + 4;
  const legendHeight = options.legend?.length ? 22 : 0;
  const height = top + rows.length * rowHeight + legendHeight + 4;
  const parts: string[] = [];
  if (options.title) parts.push(text(4, 15, options.title, { size: TITLE_FONT_SIZE, weight: "bold" }));
  rows.forEach((row, r) => {
    const y0 = top + r * rowHeight + 14;
    if (row.label) parts.push(text(labelWidth - 8, y0 + size / 2 + 4, row.label, { anchor: "end" }));
    for (const [c, panel] of row.panels.entries()) parts.push(panelSvg(panel, labelWidth + c * (size + gap), y0, size, limit));
  });
  let legendWidth = 0;
  if (options.legend?.length) {
    const legend = legendRow(labelWidth + 4, height - 8, options.legend);
    parts.push(legend.svg);
    legendWidth = labelWidth + 8 + legend.width;
  }
  return svgRoot(Math.max(width, legendWidth), height, parts.join(""), options.ariaLabel ?? options.title);
}
