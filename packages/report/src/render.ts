import * as Plot from "@observablehq/plot";
import { stack, textBlock } from "./compose.ts";
import { swatchLegend, type SwatchEntry } from "./legend.ts";
import { svgDocument, XLINK_NS, XMLNS_NS } from "./dom.ts";
import { FONT_FAMILY, FONT_SIZE } from "./style.ts";
import { addMissingTitles } from "./titles.ts";

/**
 * Observable Plot in Node: Plot builds its DOM in a jsdom document, we
 * serialise it. The output is always a single <svg> with its namespaces, so
 * the same string works inline in HTML and as a standalone .svg file.
 */

/**
 * Renders Plot options to an SVG element (a <figure> from titles/legends is flattened into one
 * SVG). The figure builders give every data mark a `title` channel (titles.ts); a mark drawn
 * here without one still gets a tooltip from its accessible name, when it has one.
 */
export function plotElement(options: Plot.PlotOptions): SVGSVGElement {
  const document = svgDocument();
  const node = Plot.plot({ ...options, document });
  const svg = isSvg(node) ? node : flattenFigure(node);
  addMissingTitles(svg);
  return withFixedFont(svg);
}

/** Renders Plot options to standalone SVG markup. */
export function renderPlot(options: Plot.PlotOptions): string {
  return serializeSvg(plotElement(options));
}

/**
 * Serialises an SVG element as XML with the svg and xlink namespaces declared,
 * which a .svg file needs and inline HTML tolerates.
 */
export function serializeSvg(svg: SVGSVGElement): string {
  svg.setAttributeNS(XMLNS_NS, "xmlns:xlink", XLINK_NS);
  const window = svg.ownerDocument.defaultView;
  if (!window) throw new Error("serializeSvg: the element's document has no window");
  const markup = new window.XMLSerializer().serializeToString(svg);
  // XMLSerializer declares xmlns on the root only when the namespace is not
  // inherited; a detached element always gets it, but be explicit anyway.
  return markup.includes('xmlns="http://www.w3.org/2000/svg"') ? markup : markup.replace(/^<svg/, '<svg xmlns="http://www.w3.org/2000/svg"');
}

function isSvg(node: SVGSVGElement | HTMLElement): node is SVGSVGElement {
  return node.localName === "svg";
}

/**
 * Plot asks for "system-ui" at 10px; Debian Chromium maps that unpredictably,
 * and Plot's margin heuristics assume ~10px text, so pin family and size.
 */
function withFixedFont(svg: SVGSVGElement): SVGSVGElement {
  svg.setAttribute("font-family", FONT_FAMILY);
  if (!svg.getAttribute("font-size")) svg.setAttribute("font-size", String(FONT_SIZE));
  return svg;
}

/**
 * Plot returns an HTML <figure> when a title, subtitle, caption or legend is
 * requested. Rebuild it as one SVG: nested SVGs stay as they are, headings and
 * captions become text lines, and the HTML swatches legend is redrawn in SVG.
 */
function flattenFigure(figure: HTMLElement): SVGSVGElement {
  const parts: SVGSVGElement[] = [];
  for (const child of Array.from(figure.children)) {
    if (child.localName === "svg") parts.push(child as SVGSVGElement);
    else if (/-swatches\b/.test(child.getAttribute("class") ?? "")) parts.push(swatchFromPlot(child));
    else if (child.textContent?.trim()) {
      const heading = child.localName === "h2";
      parts.push(
        textBlock(child.textContent.trim(), {
          fontSize: heading ? 14 : child.localName === "h3" ? 12 : FONT_SIZE,
          fontWeight: heading ? "bold" : "normal",
        }),
      );
    }
  }
  return stack(parts, { gap: 4 });
}

/** Redraws Plot's HTML swatches legend (spans holding a tiny svg and a label) as SVG. */
function swatchFromPlot(container: Element): SVGSVGElement {
  const entries: SwatchEntry[] = [];
  for (const span of Array.from(container.children)) {
    const swatch = span.querySelector("svg");
    if (!swatch) continue;
    const color = swatch.getAttribute("fill") ?? swatch.getAttribute("stroke") ?? "currentColor";
    entries.push({ label: span.textContent?.trim() ?? "", color });
  }
  return swatchLegend(entries);
}
