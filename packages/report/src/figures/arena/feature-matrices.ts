/**
 * Superposition in many dimensions (ARENA 1.3.1 §1, figure 28): per instance the WᵀW heatmap
 * (W_i·W_j, RdBu on [−1, 1]) above the feature-norm bars ‖W_i‖ coloured by superposition
 * Σ_{j≠i}(Ŵ_i·W_j)² (viridis on [0, 1]: dark = a dimension of its own). Cells of one colour are
 * drawn as one path (21 colour steps), so a 100 × 100 matrix stays small.
 */
import { formatCompact } from "../../format.ts";
import { TITLE_FONT_SIZE } from "../../style.ts";
import { colorScale, px, svgRoot, text } from "./svg.ts";

export interface FeatureMatrixPanel {
  title: string;
  /** Features. */
  n: number;
  /** [n, n] row-major W_i·W_j. */
  gram: ArrayLike<number>;
  /** ‖W_i‖ per feature. */
  norms: ArrayLike<number>;
  /** Σ_{j≠i} (Ŵ_i·W_j)² per feature. */
  superposition: ArrayLike<number>;
}

const STEPS = 21;

function binnedHeatmap(values: ArrayLike<number>, n: number, x0: number, y0: number, side: number, color: (v: number) => string): string {
  const cell = side / n;
  const bins = new Map<number, string[]>();
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      const v = Math.max(-1, Math.min(1, values[i * n + j]!)); // in range: featureMatricesFigure checked the length
      const k = Number.isFinite(v) ? Math.round(((v + 1) / 2) * (STEPS - 1)) : -1;
      if (!bins.has(k)) bins.set(k, []);
      bins.get(k)!.push(`M${px(x0 + j * cell)} ${px(y0 + i * cell)}h${px(cell)}v${px(cell)}h${px(-cell)}z`);
    }
  }
  return [...bins].map(([k, d]) => `<path d="${d.join("")}" fill="${k < 0 ? "rgb(220,220,220)" : color(-1 + (2 * k) / (STEPS - 1))}"/>`).join("");
}

export function featureMatricesFigure(panels: readonly FeatureMatrixPanel[], options: { size?: number; title?: string } = {}): string {
  for (const p of panels) {
    if (p.gram.length !== p.n * p.n || p.norms.length !== p.n || p.superposition.length !== p.n) {
      throw new Error(`featureMatricesFigure: panel "${p.title}" needs n × n = ${p.n * p.n} Gram entries and n = ${p.n} norms and superposition values`);
    }
  }
  const side = options.size ?? 130;
  const gap = 14;
  const top = options.title ? 26 : 8;
  const heatTop = top + 14;
  const barsTop = heatTop + side + 18;
  const rdbu = colorScale("rdbu", [-1, 1]);
  const viridis = colorScale("viridis", [0, 1]);
  const maxNorm = Math.max(1, ...panels.flatMap((p) => Array.from(p.norms).filter(Number.isFinite)));
  const parts: string[] = [];
  if (options.title) parts.push(text(4, 16, options.title, { size: TITLE_FONT_SIZE, weight: "bold" }));
  panels.forEach((p, k) => {
    const x0 = 30 + k * (side + gap);
    parts.push(text(x0 + side / 2, top + 8, p.title, { anchor: "middle" }));
    parts.push(
      `<g class="gram">${binnedHeatmap(p.gram, p.n, x0, heatTop, side, rdbu)}<rect x="${px(x0)}" y="${px(heatTop)}" width="${side}" height="${side}" fill="none" stroke="#aaa" stroke-width="0.5"/></g>`,
    );
    // bars: feature i on row i (top = feature 0, the most important), length ‖W_i‖
    const bar = side / p.n;
    const bars: string[] = [];
    for (let i = 0; i < p.n; i++) {
      const len = (Math.max(0, p.norms[i]!) / maxNorm) * side; // norms and superposition have n values (checked above)
      if (!(len > 0)) continue;
      bars.push(`<rect x="${px(x0)}" y="${px(barsTop + i * bar)}" width="${px(len)}" height="${px(Math.max(0.6, bar * 0.9))}" fill="${viridis(p.superposition[i]!)}"/>`);
    }
    parts.push(`<g class="norm-bars">${bars.join("")}<line x1="${px(x0)}" y1="${px(barsTop)}" x2="${px(x0)}" y2="${px(barsTop + side)}" stroke="#888"/></g>`);
    parts.push(text(x0 + side, barsTop + side + 12, `‖W_i‖ (max ${formatCompact(maxNorm, 2)})`, { anchor: "end" }));
  });
  parts.push(text(12, heatTop + side / 2, "WᵀW", { anchor: "middle", rotate: -90 }));
  parts.push(text(12, barsTop + side / 2, "feature (0 = most important)", { anchor: "middle", rotate: -90 }));
  // colour keys
  const keyTop = barsTop + side + 24;
  const key = (x: number, label: string, color: (v: number) => string, lo: number, hi: number) => {
    const w = 120;
    const cells = Array.from(
      { length: 24 },
      (_, s) => `<rect x="${px(x + (s * w) / 24)}" y="${px(keyTop)}" width="${px(w / 24 + 0.3)}" height="8" fill="${color(lo + ((hi - lo) * (s + 0.5)) / 24)}"/>`,
    ).join("");
    return `${cells}${text(x, keyTop + 19, formatCompact(lo, 2))}${text(x + w, keyTop + 19, formatCompact(hi, 2), { anchor: "end" })}${text(x + w + 8, keyTop + 8, label)}`;
  };
  parts.push(key(30, "W_i·W_j", rdbu, -1, 1));
  parts.push(key(330, "superposition Σ_{j≠i}(Ŵ_i·W_j)²", viridis, 0, 1));
  const width = 30 + panels.length * (side + gap) + 10;
  return svgRoot(Math.max(width, 640), keyTop + 28, parts.join(""), options.title);
}
