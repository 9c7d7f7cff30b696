import * as Plot from "@observablehq/plot";
import { withTitle } from "../compose.ts";
import { plotElement, serializeSvg } from "../render.ts";
import { referenceLine, referenceMarks, type ReferenceInput } from "./reference.ts";
import { numericAxis, plotMargins, tickLabels } from "./axis-ticks.ts";
import { tip, tipNumber } from "../titles.ts";

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
  const refY = options.referenceY === undefined ? [] : [referenceLine(options.referenceY).value];
  // bars stand on zero, so zero is on the axis
  const y = numericAxis([0, ...bars.map((b) => b.value), ...refY], { label: options.yLabel, domain: options.yDomain, length: height, direction: "y" });
  const xFormat = options.xTickFormat ?? String;
  const plot = plotElement({
    width,
    height,
    ...plotMargins({ yLabels: tickLabels(y), yLabel: options.yLabel, xLabel: options.xLabel }),
    x: {
      type: "band",
      domain,
      padding: 0.15,
      label: options.xLabel ?? null,
      labelAnchor: "center",
      labelArrow: "none",
      ticks: domain.filter((_, i) => i % step === 0),
      tickFormat: xFormat,
    },
    y,
    marks: [
      Plot.barY(bars, {
        x: "label",
        y: "value",
        fill: color,
        className: "bar",
        ariaLabel: (b: Bar) => `${b.label}: ${b.value}`,
        title: (b: Bar) => tip(`${options.xLabel ?? "category"} ${xFormat(b.label)}`, `${options.yLabel ?? "value"}: ${tipNumber(b.value)}`),
      }),
      Plot.ruleY([0], { ariaHidden: "true" }),
      ...referenceMarks(options.referenceY, "y"),
    ],
  });
  return withTitle(plot, options.title);
}
