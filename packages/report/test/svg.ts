import { JSDOM } from "jsdom";

/**
 * Parses markup as a standalone SVG *file* (XML, not HTML), so a test that
 * uses it also proves the markup is well-formed and namespaced.
 */
export function parseSvg(markup: string): Element {
  const { document } = new JSDOM(markup, { contentType: "image/svg+xml" }).window;
  const root = document.documentElement;
  if (root.localName !== "svg" || root.namespaceURI !== "http://www.w3.org/2000/svg") throw new Error(`not an SVG document: <${root.localName}> in ${root.namespaceURI}`);
  return root;
}

/** Elements of a mark, found by the className given to the Plot mark. */
export function markElements(root: Element, className: string, tag: string): Element[] {
  return [...root.querySelectorAll(`g.${className} ${tag}`)];
}

/** The translate(x,y) of the nearest ancestor group that has one (a facet's offset). */
export function facetOffset(element: Element): string {
  for (let node = element.parentElement; node; node = node.parentElement) {
    const transform = node.getAttribute("transform");
    if (transform?.startsWith("translate(")) return transform;
  }
  return "";
}
