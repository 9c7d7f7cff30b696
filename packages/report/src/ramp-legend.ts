import { svgDocument, svgElement } from "./dom.ts";
import { tickFormat as uniformTickFormat } from "./format-uniform.ts";
import { FONT_FAMILY, FONT_SIZE } from "./style.ts";
import { linearTicks, logTicks } from "./ticks.ts";

/**
 * A continuous colour legend in pure SVG. Plot's own ramp legend paints a
 * <canvas> into a data: URL image, which jsdom cannot do (no canvas) and
 * which would be an external-looking reference in the report anyway; a
 * sampled linearGradient is exact enough and stays vector.
 */

export interface RampLegendOptions {
  /** Maps a value to a CSS colour, e.g. Plot.scale({color}).apply. */
  color: (value: number) => string;
  domain: readonly [number, number];
  type?: "linear" | "log";
  label?: string;
  /** Default 240. */
  width?: number;
  /** Format of tick labels; default one format for all of them (format-uniform.ts). */
  tickFormat?: (value: number) => string;
}

/**
 * At least two ticks, so a reader can tell how the colours run: round values where the domain
 * holds two (1-2-5 on a log ramp, even steps when it lies inside a decade), else its two ends.
 */
export function rampTicks(lo: number, hi: number, type: "linear" | "log", width: number): number[] {
  let ticks = type === "log" ? logTicks(lo, hi) : linearTicks(lo, hi, Math.max(2, Math.floor(width / 50)));
  if (ticks.length < 2 && type === "log") ticks = linearTicks(lo, hi, 4).filter((v) => v > 0);
  if (ticks.length < 2) ticks = [Number(lo.toPrecision(3)), Number(hi.toPrecision(3))].filter((v) => v >= lo && v <= hi);
  return ticks.length < 2 ? [lo, hi] : ticks;
}

let gradientCounter = 0;

export function rampLegend(options: RampLegendOptions): SVGSVGElement {
  const document = svgDocument();
  const { color, domain, type = "linear", label, width = 240 } = options;
  const [lo, hi] = domain;
  const log = type === "log";
  const marginX = 12;
  const barWidth = width - 2 * marginX;
  const labelHeight = label ? FONT_SIZE + 6 : 0;
  const barHeight = 10;
  const height = labelHeight + barHeight + 4 + FONT_SIZE + 6;
  const toT = (v: number) => (log ? Math.log(v / lo) / Math.log(hi / lo) : (v - lo) / (hi - lo));
  const fromT = (t: number) => (log ? lo * (hi / lo) ** t : lo + t * (hi - lo));

  const svg = svgElement(document, "svg", {
    width,
    height,
    viewBox: `0 0 ${width} ${height}`,
    class: "ramp-legend",
    "font-family": FONT_FAMILY,
    "font-size": FONT_SIZE,
    fill: "currentColor",
  });
  const id = `ramp-gradient-${++gradientCounter}`;
  const defs = svgElement(document, "defs");
  const gradient = svgElement(document, "linearGradient", { id, x1: 0, x2: 1, y1: 0, y2: 0 });
  const samples = 32;
  for (let i = 0; i <= samples; i++) {
    const t = i / samples;
    gradient.appendChild(svgElement(document, "stop", { offset: t.toFixed(4), "stop-color": color(fromT(t)) }));
  }
  defs.appendChild(gradient);
  svg.appendChild(defs);
  if (label) {
    const text = svgElement(document, "text", { x: marginX, y: FONT_SIZE, "font-weight": "bold" });
    text.textContent = label;
    svg.appendChild(text);
  }
  svg.appendChild(svgElement(document, "rect", { x: marginX, y: labelHeight, width: barWidth, height: barHeight, fill: `url(#${id})` }));
  const ticks = rampTicks(lo, hi, type, barWidth);
  const tickFormat = options.tickFormat ?? uniformTickFormat(ticks, { log });
  for (const v of ticks) {
    const x = marginX + toT(v) * barWidth;
    svg.appendChild(svgElement(document, "line", { x1: x, x2: x, y1: labelHeight, y2: labelHeight + barHeight + 3, stroke: "currentColor" }));
    const text = svgElement(document, "text", {
      x,
      y: labelHeight + barHeight + 4 + FONT_SIZE,
      "text-anchor": "middle",
      class: "ramp-tick",
    });
    text.textContent = tickFormat(v);
    svg.appendChild(text);
  }
  return svg;
}
