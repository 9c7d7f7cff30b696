import { svgDocument, svgElement } from "./dom.ts";
import { FONT_FAMILY, FONT_SIZE, TITLE_FONT_SIZE } from "./style.ts";

/**
 * Composition of several SVGs into one, for figures whose panels differ in
 * size (the schematic) or in kind (loss curve next to arrows), and for
 * titles and legends, which Plot would otherwise wrap in an HTML <figure>
 * that cannot be saved as a .svg file.
 *
 * Children are nested <svg> elements positioned with x/y; each keeps its own
 * viewport, so Plot's coordinates inside stay untouched.
 */

export interface Size {
  width: number;
  height: number;
}

export interface Placement {
  element: SVGSVGElement;
  x: number;
  y: number;
}

/** Size of an SVG from its width/height attributes, else from its viewBox. */
export function svgSize(svg: SVGSVGElement): Size {
  const width = Number(svg.getAttribute("width"));
  const height = Number(svg.getAttribute("height"));
  if (width > 0 && height > 0) return { width, height };
  const viewBox = (svg.getAttribute("viewBox") ?? "").split(/[\s,]+/).map(Number);
  const [, , vbWidth = 0, vbHeight = 0] = viewBox;
  if (viewBox.length === 4 && vbWidth > 0 && vbHeight > 0) return { width: vbWidth, height: vbHeight };
  throw new Error("svgSize: the SVG has neither width/height nor a viewBox");
}

/** Places SVGs at absolute positions inside a new root SVG; size defaults to the bounding box. */
export function compose(placements: readonly Placement[], size?: Size): SVGSVGElement {
  const document = svgDocument();
  let width = 0;
  let height = 0;
  for (const { element, x, y } of placements) {
    const s = svgSize(element);
    width = Math.max(width, x + s.width);
    height = Math.max(height, y + s.height);
  }
  const outer = size ?? { width: Math.ceil(width), height: Math.ceil(height) };
  const root = svgElement(document, "svg", {
    width: outer.width,
    height: outer.height,
    viewBox: `0 0 ${outer.width} ${outer.height}`,
    "font-family": FONT_FAMILY,
    "font-size": FONT_SIZE,
    fill: "currentColor",
  });
  for (const { element, x, y } of placements) {
    const s = svgSize(element);
    element.setAttribute("x", String(x));
    element.setAttribute("y", String(y));
    // Plot's stylesheet gives its <svg> `height: auto; max-width: 100%`, which a
    // browser applies to a *nested* svg as "fill the parent viewport". Pinning the
    // size inline (inline style beats Plot's zero-specificity :where rule) keeps
    // each panel at its own size in Chromium.
    element.setAttribute("style", `width:${s.width}px;height:${s.height}px;max-width:none;overflow:visible`);
    root.appendChild(element);
  }
  return root;
}

export interface StackOptions {
  /** Default "vertical". */
  direction?: "vertical" | "horizontal";
  /** Space between consecutive elements in px; default 8. */
  gap?: number;
  /** Cross-axis alignment; default "start". */
  align?: "start" | "center";
}

/** Lays out SVGs one after the other. */
export function stack(elements: readonly SVGSVGElement[], options: StackOptions = {}): SVGSVGElement {
  const { direction = "vertical", gap = 8, align = "start" } = options;
  const sized = elements.map((element) => ({ element, s: svgSize(element) }));
  const cross = Math.max(0, ...sized.map(({ s }) => (direction === "vertical" ? s.width : s.height)));
  let offset = 0;
  const placements = sized.map(({ element, s }): Placement => {
    const own = direction === "vertical" ? s.width : s.height;
    const shift = align === "center" ? (cross - own) / 2 : 0;
    const placement = direction === "vertical" ? { element, x: shift, y: offset } : { element, x: offset, y: shift };
    offset += (direction === "vertical" ? s.height : s.width) + gap;
    return placement;
  });
  return compose(placements);
}

/**
 * Advance widths (em) of DejaVu Sans for the characters of numbers, where the
 * flat 0.6 em is wrong both ways: digits are wider (0.64), "×" and "−" much
 * wider (0.84), points and superscripts narrower. Tick labels such as
 * "1×10⁻⁴" decide margins, so they must not be underestimated.
 */
const EM: Readonly<Record<string, number>> = {
  ...Object.fromEntries([..."0123456789"].map((c) => [c, 0.64])),
  ...Object.fromEntries([..."⁰¹²³⁴⁵⁶⁷⁸⁹⁻"].map((c) => [c, 0.42])),
  "×": 0.84,
  "−": 0.84,
  "-": 0.37,
  "+": 0.84,
  ".": 0.32,
  ",": 0.32,
  " ": 0.32,
  "%": 0.95,
};

/**
 * Rough text width for a sans-serif at the given size. Without a layout engine
 * we cannot measure: the characters of numbers use DejaVu Sans' widths, every
 * other character 0.6 em, which over-estimates DejaVu Sans' letters slightly
 * and errs on the side of no overlap.
 */
export function estimateTextWidth(text: string, fontSize: number = FONT_SIZE): number {
  let em = 0;
  for (const c of text) em += EM[c] ?? 0.6;
  return em * fontSize;
}

export interface TextBlockOptions {
  /** Default TITLE_FONT_SIZE. */
  fontSize?: number;
  /** Default "bold". */
  fontWeight?: "normal" | "bold";
  /** Width of the block; default the estimated text width. */
  width?: number;
  /** Default "start" (left aligned). */
  anchor?: "start" | "middle";
  /** Text colour; default currentColor. */
  color?: string;
  /** CSS class on the <text>, so tests and styles can find it. */
  className?: string;
}

/** A single line of text as its own small SVG, to stack above or beside panels. */
export function textBlock(text: string, options: TextBlockOptions = {}): SVGSVGElement {
  const document = svgDocument();
  const { fontSize = TITLE_FONT_SIZE, fontWeight = "bold", anchor = "start", color, className } = options;
  const width = Math.ceil(options.width ?? estimateTextWidth(text, fontSize) + 2);
  const height = Math.ceil(fontSize * 1.5);
  const svg = svgElement(document, "svg", {
    width,
    height,
    viewBox: `0 0 ${width} ${height}`,
    "font-family": FONT_FAMILY,
  });
  const node = svgElement(document, "text", {
    x: anchor === "middle" ? width / 2 : 1,
    y: Math.round(fontSize * 1.1),
    "font-size": fontSize,
    "font-weight": fontWeight,
    "text-anchor": anchor,
    fill: color ?? "currentColor",
  });
  if (className) node.setAttribute("class", className);
  node.textContent = text;
  svg.appendChild(node);
  return svg;
}

/** Puts a title line above an SVG; returns the SVG unchanged when there is no title. */
export function withTitle(svg: SVGSVGElement, title: string | undefined): SVGSVGElement {
  if (!title) return svg;
  return stack([textBlock(title, { className: "figure-title" }), svg], { gap: 4 });
}
