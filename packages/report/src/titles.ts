import { formatNumber } from "./format.ts";

/**
 * Hover text for plotted marks. Every figure builder gives its data marks Plot's `title`
 * channel, which puts a <title> in each mark element (each cell, dot, arrow, line): a browser
 * shows it as a tooltip, the report stays one static, script-free file. What a title says:
 * the value, where it is (cell, x), and whose it is (instance, series).
 *
 * `untitledMarks` is the check the tests apply to every figure; `addMissingTitles` is the
 * safety net plotElement applies to marks drawn without a title channel, using their
 * accessible name when they have one.
 */

/** Lines of a tooltip; empty parts are dropped. */
export function tip(...lines: ReadonlyArray<string | false | null | undefined>): string {
  return lines.filter((l): l is string => typeof l === "string" && l.length > 0).join("\n");
}

/** A number in a tooltip: four significant digits, as the tables. */
export function tipNumber(value: number): string {
  return formatNumber(value, { digits: 4 });
}

/** "(0.707, −0.707)". */
export function tipVector(x: number, y: number): string {
  return `(${formatNumber(x, { digits: 3 })}, ${formatNumber(y, { digits: 3 })})`;
}

/** The shapes a mark draws, one per datum or series. */
const SHAPES = new Set(["path", "rect", "circle", "ellipse", "line", "polygon", "polyline", "text", "image", "use"]);

/**
 * Plot's own scaffolding, not data: axes, ticks, grids and frames ("x-axis tick label",
 * "fy-axis tick", "y-grid", "frame").
 */
function isScaffolding(label: string): boolean {
  return label === "frame" || /^f?[xy]-(axis|grid)\b/.test(label);
}

/** The groups Plot rendered for data marks: an aria-label naming the mark, not scaffolding, not hidden. */
export function dataMarkGroups(root: Element): Element[] {
  return [...root.querySelectorAll("g[aria-label]")].filter((g) => {
    const label = g.getAttribute("aria-label") ?? "";
    if (isScaffolding(label)) return false;
    for (let node: Element | null = g; node && node !== root.parentElement; node = node.parentElement) if (node.getAttribute("aria-hidden") === "true") return false;
    // a mark group directly holds its shapes (or, faceted, groups of them), never another mark
    return true;
  });
}

/** The shapes of a mark group (through facet groups), not those of marks nested in it. */
function shapesOf(group: Element): Element[] {
  const out: Element[] = [];
  const walk = (node: Element) => {
    for (const child of [...node.children]) {
      if (child.localName === "g" && !child.hasAttribute("aria-label")) walk(child);
      else if (SHAPES.has(child.localName)) out.push(child);
    }
  };
  walk(group);
  return out;
}

function hasTitle(element: Element): boolean {
  return [...element.children].some((c) => c.localName === "title" && (c.textContent ?? "").trim().length > 0);
}

/** "mark 'dot' (class mean-dot): 3 of 4 shapes have no <title>", one per offending mark group. */
export function untitledMarks(root: Element): string[] {
  const problems: string[] = [];
  for (const group of dataMarkGroups(root)) {
    const shapes = shapesOf(group);
    const missing = shapes.filter((s) => !hasTitle(s)).length;
    if (missing > 0) {
      const cls = group.getAttribute("class");
      problems.push(`mark "${group.getAttribute("aria-label")}"${cls ? ` (class ${cls})` : ""}: ${missing} of ${shapes.length} shapes have no <title>`);
    }
  }
  return problems;
}

/** Gives a data mark's shapes without a <title> one from their accessible name, where they have one. */
export function addMissingTitles(root: Element): void {
  const document = root.ownerDocument;
  for (const group of dataMarkGroups(root))
    for (const shape of shapesOf(group)) {
      const name = shape.getAttribute("aria-label");
      if (!name || hasTitle(shape)) continue;
      const title = document.createElementNS("http://www.w3.org/2000/svg", "title");
      title.textContent = name;
      shape.appendChild(title);
    }
}

/** The text a <text> shows, without its <title> (tests compare drawn labels). */
export function shownText(element: Element): string {
  return [...element.childNodes]
    .filter((n) => !(n.nodeType === 1 && (n as Element).localName === "title"))
    .map((n) => n.textContent ?? "")
    .join("");
}
