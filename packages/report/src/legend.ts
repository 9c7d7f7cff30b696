import { estimateTextWidth } from "./compose.ts";
import { svgDocument, svgElement } from "./dom.ts";
import { FONT_FAMILY, FONT_SIZE } from "./style.ts";

/**
 * A categorical legend drawn as plain SVG. Plot's own swatches legend is an
 * HTML <div>, which cannot live inside a standalone .svg file; this one can,
 * and wraps rows using estimated text widths (no layout engine in Node).
 */

export interface SwatchEntry {
  label: string;
  color: string;
}

export interface SwatchLegendOptions {
  /** "line" suits line charts, "square" suits bars and areas; default "square". */
  kind?: "line" | "square";
  /** Wrap to a new row beyond this width in px; default 640. */
  maxWidth?: number;
  /** Default FONT_SIZE. */
  fontSize?: number;
  /** Text in front of the swatches, e.g. the series' name. */
  label?: string;
}

export function swatchLegend(entries: readonly SwatchEntry[], options: SwatchLegendOptions = {}): SVGSVGElement {
  const document = svgDocument();
  const { kind = "square", maxWidth = 640, fontSize = FONT_SIZE } = options;
  const swatch = fontSize * 1.2;
  const rowHeight = Math.ceil(fontSize * 1.8);
  const gap = fontSize;
  const group = svgElement(document, "g", { class: "swatch-legend" });
  let x = 0;
  let row = 0;
  let widest = 0;
  const items: Array<{ text: string; color?: string }> = [...(options.label ? [{ text: options.label }] : []), ...entries.map((e) => ({ text: e.label, color: e.color }))];
  for (const item of items) {
    const itemWidth = (item.color ? swatch + 4 : 0) + estimateTextWidth(item.text, fontSize);
    if (x > 0 && x + itemWidth > maxWidth) {
      x = 0;
      row += 1;
    }
    const y = row * rowHeight;
    if (item.color) {
      const mark =
        kind === "line"
          ? svgElement(document, "line", {
              x1: x,
              x2: x + swatch,
              y1: y + rowHeight / 2,
              y2: y + rowHeight / 2,
              stroke: item.color,
              "stroke-width": 2.5,
            })
          : svgElement(document, "rect", {
              x,
              y: y + (rowHeight - swatch) / 2,
              width: swatch,
              height: swatch,
              fill: item.color,
            });
      group.appendChild(mark);
    }
    const text = svgElement(document, "text", {
      x: x + (item.color ? swatch + 4 : 0),
      y: y + rowHeight / 2,
      dy: "0.35em",
      "font-weight": item.color ? "normal" : "bold",
    });
    text.textContent = item.text;
    group.appendChild(text);
    x += itemWidth + gap;
    widest = Math.max(widest, x - gap);
  }
  const width = Math.ceil(widest + 2);
  const height = (row + 1) * rowHeight;
  const svg = svgElement(document, "svg", {
    width,
    height,
    viewBox: `0 0 ${width} ${height}`,
    "font-family": FONT_FAMILY,
    "font-size": fontSize,
    fill: "currentColor",
  });
  svg.appendChild(group);
  return svg;
}
