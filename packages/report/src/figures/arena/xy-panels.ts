/**
 * Small line/point charts side by side, with shared axes: the toy SAE's frac_active curves per
 * instance (figures 33–34, with the resampling steps as vertical rules), dimensions per feature
 * against 1/p with ARENA's guide fractions (figure 31) and the double-descent dimensionalities
 * (figure 32). Linear or log x, linear y.
 */
import { formatCompact } from "../../format.ts";
import { TITLE_FONT_SIZE } from "../../style.ts";
import { linearTicks, logTicks } from "../../ticks.ts";
import { legendRow, px, svgRoot, text } from "./svg.ts";

export interface XySeries {
  points: ReadonlyArray<{ x: number; y: number }>;
  color: string;
  /** Join the points in x order; default true. */
  line?: boolean;
  /** Dot radius; default 0 for lines, 2.5 for point series. */
  r?: number;
  width?: number;
  opacity?: number;
}

export interface XyRule {
  value: number;
  color?: string;
  label?: string;
  dashed?: boolean;
}

export interface XyPanel {
  title: string;
  series: readonly XySeries[];
  /** Horizontal guides (e.g. 1/2, 2/5). */
  hrules?: readonly XyRule[];
  /** Vertical rules (e.g. resampling steps). */
  vrules?: readonly XyRule[];
}

export interface XyPanelsOptions {
  xLabel: string;
  yLabel: string;
  logX?: boolean;
  /** Shared y domain; default the data's extent (from 0 when all values are ≥ 0). */
  yDomain?: readonly [number, number];
  xDomain?: readonly [number, number];
  /** Panels per row; default all in one row. */
  columns?: number;
  /** Panel size in px; default 200 × 140. */
  width?: number;
  height?: number;
  title?: string;
  legend?: ReadonlyArray<{ label: string; color: string; dashed?: boolean }>;
}

function extent(values: number[], fallback: readonly [number, number]): [number, number] {
  const finite = values.filter(Number.isFinite);
  if (!finite.length) return [fallback[0], fallback[1]];
  const lo = Math.min(...finite);
  const hi = Math.max(...finite);
  return lo < hi ? [lo, hi] : [lo - 0.5, hi + 0.5];
}

export function xyPanelsFigure(panels: readonly XyPanel[], o: XyPanelsOptions): string {
  const pw = o.width ?? 200;
  const ph = o.height ?? 140;
  const columns = Math.max(1, Math.min(o.columns ?? panels.length, panels.length));
  const rows = Math.ceil(panels.length / columns);
  const left = 46,
    right = 10,
    top = o.title ? 24 : 6,
    titleRoom = 16,
    bottom = 34;
  const cellW = left + pw + right;
  const cellH = titleRoom + ph + bottom;
  const legendHeight = o.legend?.length ? 20 : 0;
  const all = panels.flatMap((p) => p.series.flatMap((s) => s.points));
  const xs = all.map((p) => p.x).filter((x) => !o.logX || x > 0);
  const [xLo, xHi] = o.xDomain ? [o.xDomain[0], o.xDomain[1]] : extent(xs, [0, 1]);
  const ys = [...all.map((p) => p.y), ...panels.flatMap((p) => (p.hrules ?? []).map((r) => r.value))];
  let [yLo, yHi] = o.yDomain ? [o.yDomain[0], o.yDomain[1]] : extent(ys, [0, 1]);
  if (!o.yDomain) {
    if (yLo >= 0) yLo = 0;
    yHi += (yHi - yLo) * 0.05;
  }
  const fx = (x: number) => (o.logX ? (Math.log(x) - Math.log(xLo)) / (Math.log(xHi) - Math.log(xLo)) : (x - xLo) / (xHi - xLo)) * pw;
  const fy = (y: number) => ph - ((y - yLo) / (yHi - yLo)) * ph;
  const xTicks = o.logX ? logTicks(xLo, xHi) : linearTicks(xLo, xHi, 4);
  const yTicks = linearTicks(yLo, yHi, 4);
  const parts: string[] = [];
  if (o.title) parts.push(text(4, 16, o.title, { size: TITLE_FONT_SIZE, weight: "bold" }));
  panels.forEach((panel, k) => {
    const ox = (k % columns) * cellW + left;
    const oy = top + Math.floor(k / columns) * cellH + titleRoom;
    const g: string[] = [`<rect x="${px(ox)}" y="${px(oy)}" width="${pw}" height="${ph}" fill="white" stroke="#aaa" stroke-width="0.75"/>`];
    for (const t of yTicks) {
      const y = oy + fy(t);
      g.push(`<line x1="${px(ox)}" y1="${px(y)}" x2="${px(ox + pw)}" y2="${px(y)}" stroke="#eee"/>`, text(ox - 4, y + 3, formatCompact(t, 2), { anchor: "end" }));
    }
    for (const t of xTicks) {
      const x = ox + fx(t);
      g.push(`<line x1="${px(x)}" y1="${px(oy)}" x2="${px(x)}" y2="${px(oy + ph)}" stroke="#eee"/>`, text(x, oy + ph + 12, formatCompact(t, 2), { anchor: "middle" }));
    }
    const clip = (v: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, v));
    // guide labels alternate between the right and left edge (sorted by value), so close guides do not overlap
    [...(panel.hrules ?? [])]
      .filter((r) => r.value >= yLo && r.value <= yHi)
      .sort((a, b) => a.value - b.value)
      .forEach((r, n) => {
        const y = oy + fy(r.value);
        g.push(
          `<line class="hrule" x1="${px(ox)}" y1="${px(y)}" x2="${px(ox + pw)}" y2="${px(y)}" stroke="${r.color ?? "#8e44ad"}" stroke-opacity="0.5"${r.dashed === false ? "" : ' stroke-dasharray="4,3"'}/>`,
        );
        if (r.label)
          g.push(n % 2 === 0 ? text(ox + pw - 2, y - 2, r.label, { anchor: "end", fill: r.color ?? "#8e44ad" }) : text(ox + 2, y - 2, r.label, { fill: r.color ?? "#8e44ad" }));
      });
    for (const r of panel.vrules ?? []) {
      const x = ox + fx(r.value);
      if (!(x >= ox && x <= ox + pw)) continue;
      g.push(
        `<line class="vrule" x1="${px(x)}" y1="${px(oy)}" x2="${px(x)}" y2="${px(oy + ph)}" stroke="${r.color ?? "#888"}"${r.dashed === false ? "" : ' stroke-dasharray="3,2"'}/>`,
      );
    }
    for (const s of panel.series) {
      const pts = s.points.filter((p) => Number.isFinite(p.x) && Number.isFinite(p.y) && (!o.logX || p.x > 0)).map((p) => [ox + fx(p.x), oy + fy(clip(p.y, yLo, yHi))] as const);
      const opacity = s.opacity !== undefined ? ` opacity="${s.opacity}"` : "";
      if ((s.line ?? true) && pts.length > 1) {
        const sorted = [...pts].sort((a, b) => a[0] - b[0]);
        g.push(`<path class="series" d="M${sorted.map(([x, y]) => `${px(x)} ${px(y)}`).join("L")}" fill="none" stroke="${s.color}" stroke-width="${s.width ?? 1.4}"${opacity}/>`);
      }
      const r = s.r ?? ((s.line ?? true) ? 0 : 2.5);
      if (r > 0) for (const [x, y] of pts) g.push(`<circle cx="${px(x)}" cy="${px(y)}" r="${r}" fill="${s.color}"${opacity}/>`);
    }
    g.push(text(ox + pw / 2, oy - 5, panel.title, { anchor: "middle" }));
    g.push(text(ox + pw / 2, oy + ph + 26, o.xLabel, { anchor: "middle" }));
    g.push(text(ox - 34, oy + ph / 2, o.yLabel, { anchor: "middle", rotate: -90 }));
    parts.push(`<g class="xy-panel">${g.join("")}</g>`);
  });
  const width = columns * cellW;
  const height = top + rows * cellH + legendHeight;
  let legendWidth = 0;
  if (o.legend?.length) {
    const legend = legendRow(left, height - 6, o.legend);
    parts.push(legend.svg);
    legendWidth = left + legend.width + 4;
  }
  return svgRoot(Math.max(width, legendWidth), height, parts.join(""), o.title);
}
