import * as Plot from "@observablehq/plot";
import { withTitle } from "../compose.ts";
import { plotElement, serializeSvg } from "../render.ts";
import { referenceMarks, type ReferenceInput } from "./reference.ts";

/**
 * Bars over ordinal categories, e.g. the firing probability P_i of each of
 * 50 features ("Feature firing probabilities P_i").
 */

export interface Bar {
  label: string | number;
  value: number;
}

export interface BarOptions {
  xLabel?: string;
  yLabel?: string;
  /** Default a mid blue. */
  color?: string;
  /** Label only every n-th bar (e.g. 10 for 50 features); default 1. */
  tickEvery?: number;
  xTickFormat?: (label: string | number) => string;
  yDomain?: readonly [number, number];
  /** Horizontal dashed line, e.g. the mean probability. */
  referenceY?: ReferenceInput;
  /** Default 480. */
  width?: number;
  /** Default 240. */
  height?: number;
  title?: string;
}

export function barFigure(bars: readonly Bar[], options: BarOptions = {}): string {
  return serializeSvg(barElement(bars, options));
}

export function barElement(bars: readonly Bar[], options: BarOptions = {}): SVGSVGElement {
  const { width = 480, height = 240, color = "rgb(66,105,208)", tickEvery = 1 } = options;
  const domain = bars.map((b) => b.label);
  const step = Math.max(1, Math.round(tickEvery));
  const plot = plotElement({
    width,
    height,
    marginLeft: 52,
    marginBottom: 40,
    x: {
      type: "band",
      domain,
      padding: 0.15,
      label: options.xLabel ?? null,
      labelAnchor: "center",
      labelArrow: "none",
      ticks: domain.filter((_, i) => i % step === 0),
      tickFormat: options.xTickFormat ?? String,
    },
    y: {
      label: options.yLabel ?? null,
      labelAnchor: "center",
      labelArrow: "none",
      grid: true,
      domain: options.yDomain ? [...options.yDomain] : undefined,
    },
    marks: [
      Plot.barY(bars, {
        x: "label",
        y: "value",
        fill: color,
        className: "bar",
        ariaLabel: (b: Bar) => `${b.label}: ${b.value}`,
      }),
      Plot.ruleY([0]),
      ...referenceMarks(options.referenceY, "y"),
    ],
  });
  return withTitle(plot, options.title);
}
