/**
 * Plain SVG markup for the ARENA toy-model figures (figures 27–34 of the reproduction index):
 * many small panels, and animations whose every frame is a figure of its own, so the markup is
 * written directly (a fraction of Plot's size) with the report's fonts and colour schemes.
 */
import * as Plot from "@observablehq/plot";
import { FONT_FAMILY, FONT_SIZE } from "../../style.ts";

export function escapeText(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

/** A coordinate with at most two decimals (pixels). */
export function px(v: number): string {
  return Number.isFinite(v) ? String(Math.round(v * 100) / 100) : "0";
}

export function svgRoot(width: number, height: number, body: string, ariaLabel?: string): string {
  const w = Math.ceil(width);
  const h = Math.ceil(height);
  const label = ariaLabel ? ` role="img" aria-label="${escapeText(ariaLabel)}"` : "";
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}" viewBox="0 0 ${w} ${h}" font-family="${escapeText(FONT_FAMILY)}" font-size="${FONT_SIZE}"${label}>${body}</svg>`;
}

export interface TextOptions {
  anchor?: "start" | "middle" | "end";
  size?: number;
  weight?: "normal" | "bold";
  fill?: string;
  /** Rotate by this many degrees about (x, y). */
  rotate?: number;
  className?: string;
}

export function text(x: number, y: number, content: string, o: TextOptions = {}): string {
  const attrs = [
    `x="${px(x)}"`,
    `y="${px(y)}"`,
    o.anchor && o.anchor !== "start" ? `text-anchor="${o.anchor}"` : "",
    o.size ? `font-size="${o.size}"` : "",
    o.weight === "bold" ? `font-weight="bold"` : "",
    o.fill ? `fill="${o.fill}"` : "",
    o.rotate ? `transform="rotate(${o.rotate} ${px(x)} ${px(y)})"` : "",
    o.className ? `class="${o.className}"` : "",
  ].filter(Boolean);
  return `<text ${attrs.join(" ")}>${escapeText(content)}</text>`;
}

/** A colour scale of Plot's (viridis, rdbu, tableau10, …) as a function. */
export function colorScale(scheme: Plot.ColorScheme, domain: readonly [number, number], reverse = false): (v: number) => string {
  const scale = Plot.scale({ color: { type: "linear", scheme, domain: [...domain], reverse, clamp: true } });
  return (v) => (Number.isFinite(v) ? String(scale.apply(v)) : "rgb(220,220,220)");
}

/** Categorical colours (Plot's "tableau10"), cycling. */
export const CATEGORY_COLORS: readonly string[] = ["#4e79a7", "#f28e2c", "#e15759", "#76b7b2", "#59a14f", "#edc949", "#af7aa1", "#ff9da7", "#9c755f", "#bab0ab"];

export function categoryColor(k: number): string {
  return CATEGORY_COLORS[((k % CATEGORY_COLORS.length) + CATEGORY_COLORS.length) % CATEGORY_COLORS.length]!; // in range for any integer k: a non-negative remainder of the list length
}

/** A row of legend swatches starting at (x, y): returns the markup and its width. */
export function legendRow(x: number, y: number, entries: ReadonlyArray<{ label: string; color: string; dashed?: boolean }>): { svg: string; width: number } {
  let cx = x;
  const parts: string[] = [];
  for (const e of entries) {
    parts.push(`<line x1="${px(cx)}" y1="${px(y - 3)}" x2="${px(cx + 16)}" y2="${px(y - 3)}" stroke="${e.color}" stroke-width="2"${e.dashed ? ' stroke-dasharray="3,2"' : ""}/>`);
    parts.push(text(cx + 20, y, e.label));
    cx += 28 + e.label.length * 6;
  }
  return { svg: parts.join(""), width: cx - x };
}
