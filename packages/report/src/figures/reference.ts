import * as Plot from "@observablehq/plot";
import { FONT_SIZE, REFERENCE_COLOR } from "../style.ts";
import { tipNumber } from "../titles.ts";

/**
 * A dashed reference line with an optional label, e.g. "true L0 = 11" on a
 * sweep over SAE L0: the notebooks' red dashed line.
 */

export interface ReferenceLine {
  value: number;
  label?: string;
  /** Default red. */
  color?: string;
}

/** Accepts a bare number for the common case. */
export type ReferenceInput = number | ReferenceLine;

export function referenceLine(input: ReferenceInput): ReferenceLine {
  return typeof input === "number" ? { value: input } : input;
}

/** Marks for a vertical (axis "x") or horizontal (axis "y") reference line. */
export function referenceMarks(input: ReferenceInput | undefined, axis: "x" | "y"): Plot.Markish[] {
  if (input === undefined) return [];
  const ref = referenceLine(input);
  const stroke = ref.color ?? REFERENCE_COLOR;
  // the tooltip says what the line marks and where exactly it is
  const title = () => (ref.label ? `${ref.label} (${axis} = ${tipNumber(ref.value)})` : `${axis} = ${tipNumber(ref.value)}`);
  const rule =
    axis === "x"
      ? Plot.ruleX([ref.value], { stroke, strokeWidth: 1.5, strokeDasharray: "5,4", className: "reference-line", title })
      : Plot.ruleY([ref.value], { stroke, strokeWidth: 1.5, strokeDasharray: "5,4", className: "reference-line", title });
  if (!ref.label) return [rule];
  // the label's look, the same on either axis; only where it sits differs
  const label = {
    textAnchor: "start",
    text: () => ref.label,
    fill: stroke,
    stroke: "white",
    strokeWidth: 3,
    fontSize: FONT_SIZE,
    className: "reference-label",
    title,
  } satisfies Plot.TextOptions;
  const text =
    axis === "x"
      ? // in the top margin, above the frame, so the label never covers data
        Plot.text([ref.value], { ...label, x: (v: number) => v, frameAnchor: "top", lineAnchor: "bottom", dx: 4, dy: -3 })
      : Plot.text([ref.value], { ...label, y: (v: number) => v, frameAnchor: "left", dx: 4, dy: -6 });
  return [rule, text];
}
