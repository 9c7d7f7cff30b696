import { JSDOM } from "jsdom";

/**
 * One jsdom document for the whole process. Plot only creates detached
 * elements in it, so sharing is safe, and building a JSDOM costs ~10 ms that
 * would otherwise be paid for every panel of a composed figure.
 */
let shared: Document | undefined;

export function svgDocument(): Document {
  shared ??= new JSDOM("<!DOCTYPE html><html><body></body></html>").window.document;
  return shared;
}

export const SVG_NS = "http://www.w3.org/2000/svg";
export const XLINK_NS = "http://www.w3.org/1999/xlink";
export const XMLNS_NS = "http://www.w3.org/2000/xmlns/";

/** Creates an SVG-namespaced element with string attributes. */
export function svgElement<K extends keyof SVGElementTagNameMap>(document: Document, tag: K, attributes: Record<string, string | number> = {}): SVGElementTagNameMap[K] {
  const element = document.createElementNS(SVG_NS, tag) as SVGElementTagNameMap[K];
  for (const [name, value] of Object.entries(attributes)) element.setAttribute(name, String(value));
  return element;
}
