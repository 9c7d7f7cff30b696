/**
 * Privileged basis (ARENA 1.3.1 §1, figure 30): per instance, for each hidden neuron the weights
 * W[neuron, feature] as stacked bars (positive weights stacked upwards, negative downwards),
 * coloured by feature, so a monosemantic neuron is one bar and a polysemantic one many.
 */
import { formatCompact } from "../../format.ts";
import { TITLE_FONT_SIZE } from "../../style.ts";
import { categoryColor, legendRow, px, svgRoot, text } from "./svg.ts";

export interface NeuronPanel {
  title: string;
  dHidden: number;
  nFeatures: number;
  /** [dHidden, nFeatures] row-major. */
  w: ArrayLike<number>;
}

export function neuronBarsFigure(panels: readonly NeuronPanel[], options: { title?: string; width?: number; height?: number; featureLabels?: readonly string[] } = {}): string {
  for (const p of panels) {
    if (p.w.length !== p.dHidden * p.nFeatures)
      throw new Error(`neuronBarsFigure: panel "${p.title}" has ${p.w.length} weights, expected dHidden × nFeatures = ${p.dHidden * p.nFeatures}`);
  }
  const pw = options.width ?? 130;
  const ph = options.height ?? 150;
  const gap = 34;
  const left = 46;
  const top = options.title ? 40 : 20;
  // each panel has its own scale (sparse instances have far larger weights than dense ones)
  const extentOf = (p: NeuronPanel) => {
    let extent = 0.5;
    for (let k = 0; k < p.dHidden; k++) {
      let pos = 0,
        neg = 0;
      for (let f = 0; f < p.nFeatures; f++) {
        const v = p.w[k * p.nFeatures + f]!; // in range: the length was checked above
        if (v > 0) pos += v;
        else neg -= v;
      }
      extent = Math.max(extent, pos, neg);
    }
    return extent * 1.05;
  };
  const parts: string[] = [];
  if (options.title) parts.push(text(4, 16, options.title, { size: TITLE_FONT_SIZE, weight: "bold" }));
  panels.forEach((p, k) => {
    const extent = extentOf(p);
    const scale = ph / 2 / extent;
    const ox = left + k * (pw + gap);
    const mid = top + ph / 2;
    const g: string[] = [
      `<rect x="${px(ox)}" y="${px(top)}" width="${pw}" height="${ph}" fill="white" stroke="#aaa" stroke-width="0.75"/>`,
      `<line x1="${px(ox)}" y1="${px(mid)}" x2="${px(ox + pw)}" y2="${px(mid)}" stroke="#888"/>`,
    ];
    const slot = pw / p.dHidden;
    for (let n = 0; n < p.dHidden; n++) {
      let up = 0,
        down = 0;
      const x = ox + n * slot + slot * 0.15;
      for (let f = 0; f < p.nFeatures; f++) {
        const v = p.w[n * p.nFeatures + f]!; // in range: the length was checked above
        if (!(Math.abs(v) > 1e-9)) continue;
        const h = Math.abs(v) * scale;
        const y = v > 0 ? mid - (up + v) * scale : mid + down * scale;
        if (v > 0) up += v;
        else down -= v;
        g.push(`<rect x="${px(x)}" y="${px(y)}" width="${px(slot * 0.7)}" height="${px(h)}" fill="${categoryColor(f)}" stroke="white" stroke-width="0.3"/>`);
      }
      g.push(text(ox + (n + 0.5) * slot, top + ph + 12, String(n), { anchor: "middle" }));
    }
    g.push(text(ox + pw / 2, top - 5, p.title, { anchor: "middle" }));
    g.push(text(ox + pw / 2, top + ph + 25, "neuron", { anchor: "middle" }));
    g.push(
      text(ox - 3, top + 8, formatCompact(extent, 2), { anchor: "end" }),
      text(ox - 3, mid + 3, "0", { anchor: "end" }),
      text(ox - 3, top + ph, formatCompact(-extent, 2), { anchor: "end" }),
    );
    if (k === 0) g.push(text(10, mid, "weight W[neuron, feature]", { anchor: "middle", rotate: -90 }));
    parts.push(`<g class="neuron-panel">${g.join("")}</g>`);
  });
  const nF = Math.max(...panels.map((p) => p.nFeatures));
  const labels = options.featureLabels ?? Array.from({ length: nF }, (_, f) => `f${f}`);
  const height = top + ph + 52;
  const legend = legendRow(
    left,
    height - 6,
    labels.map((label, f) => ({ label, color: categoryColor(f) })),
  );
  parts.push(legend.svg);
  return svgRoot(Math.max(left + panels.length * (pw + gap) + 10, left + legend.width + 4), height, parts.join(""), options.title);
}
