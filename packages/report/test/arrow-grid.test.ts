import { describe, expect, it } from "vitest";
import { arrowGridFigure, type ArrowGridCell, type ArrowGridData } from "../src/figures/arrow-grid.ts";
import { X_SET_COLOR, Y_SET_COLOR, MONO_COLOR } from "../src/style.ts";
import { facetOffset, markElements, parseSvg } from "./svg.ts";
import { shownText } from "../src/titles.ts";

const rows = [3e-5, 1e-4, 3e-4, 1e-3, 3e-3];
const cols = [1e-2, 3e-2, 1e-1, 3e-1, 1];
const trueFeatures: ArrowGridData["trueFeatures"] = [
  { x: 1, y: 0, set: 0, label: "x1" },
  { x: -1, y: 0, set: 0, label: "x2" },
  { x: 0, y: 1, set: 1, label: "y1" },
  { x: 0, y: -1, set: 1, label: "y2" },
];
const s = Math.SQRT1_2;
const composed: Array<[number, number]> = [
  [s, s],
  [-s, s],
  [-s, -s],
  [s, -s],
];
const monoCells = new Set(["0,3", "2,2", "4,1"]);
const cells: ArrowGridCell[] = rows.flatMap((_, row) =>
  cols.map((_, col) => ({
    row,
    col,
    // Vary the number of rows per cell so that counts can tell cells apart.
    best: composed.slice(0, 2 + ((row + col) % 3)),
    mono: monoCells.has(`${row},${col}`)
      ? ([
          [1, 0],
          [0, 1],
          [-1, 0],
        ] as Array<[number, number]>)
      : undefined,
    diverged: row === 4 && col === 0,
  })),
);
const data: ArrowGridData = { rows, cols, trueFeatures, cells, title: "Correlated amplitudes" };

describe("arrowGridFigure", () => {
  const svg = parseSvg(arrowGridFigure(data));

  it("draws one square panel per (lr, λ) cell", () => {
    const frames = [...svg.querySelectorAll('g[aria-label="frame"] rect')];
    expect(frames).toHaveLength(25);
    for (const frame of frames) expect(frame.getAttribute("width")).toBe(frame.getAttribute("height"));
    expect(new Set(frames.map(facetOrTransform)).size).toBe(25);
  });

  it("labels rows with learning rates and columns with λ", () => {
    const texts = [...svg.querySelectorAll("text")].map(shownText);
    for (const label of ["lr=3×10⁻⁵", "lr=1×10⁻⁴", "lr=3×10⁻⁴", "lr=1×10⁻³", "lr=3×10⁻³"]) expect(texts).toContain(label);
    for (const label of ["λ=0.01", "λ=0.03", "λ=0.1", "λ=0.3", "λ=1"]) expect(texts).toContain(label);
    expect(texts).toContain("Correlated amplitudes");
  });

  it("draws every true feature in every panel, x-set green and y-set orange", () => {
    const groups = [...svg.querySelectorAll("g.true-feature")];
    expect(groups.length).toBeGreaterThan(0);
    const byColor = new Map<string, number>();
    for (const g of groups) {
      const stroke = g.getAttribute("stroke") ?? "";
      byColor.set(stroke, (byColor.get(stroke) ?? 0) + g.querySelectorAll("path").length);
    }
    expect(byColor.get(X_SET_COLOR)).toBe(50);
    expect(byColor.get(Y_SET_COLOR)).toBe(50);
    expect(X_SET_COLOR).toBe("rgb(27,158,119)");
    expect(Y_SET_COLOR).toBe("rgb(217,95,2)");
    expect(groups.every((g) => g.getAttribute("stroke-width") === "3")).toBe(true);
  });

  it("draws exactly the lowest-loss decoder rows in black", () => {
    const paths = markElements(svg, "best-decoder", "path");
    expect(paths).toHaveLength(cells.reduce((n, c) => n + c.best.length, 0));
    const groups = [...svg.querySelectorAll("g.best-decoder")];
    expect(groups.length).toBeGreaterThan(0);
    for (const g of groups) expect(g.getAttribute("stroke")).toBe("black");
    // Per cell: the accessible names say which cell each arrow belongs to.
    const perCell = countBy(paths.map((p) => cellOf(p.getAttribute("aria-label") ?? "")));
    expect(perCell.get("lr=3×10⁻⁴, λ=0.1")).toBe(2 + ((2 + 2) % 3));
    expect(perCell.get("lr=3×10⁻⁵, λ=0.01")).toBe(2);
  });

  it("draws the most monosemantic instance in thin grey only where the cell has one", () => {
    const paths = markElements(svg, "mono-decoder", "path");
    expect(paths).toHaveLength(3 * monoCells.size);
    const named = new Set(paths.map((p) => cellOf(p.getAttribute("aria-label") ?? "")));
    expect(named).toEqual(new Set(["lr=3×10⁻⁵, λ=0.3", "lr=3×10⁻⁴, λ=0.1", "lr=3×10⁻³, λ=0.03"]));
    const groups = [...svg.querySelectorAll("g.mono-decoder")];
    expect(groups.length).toBeGreaterThan(0);
    for (const g of groups) {
      expect(g.getAttribute("stroke")).toBe(MONO_COLOR);
      // Plot leaves out stroke-width="1" because it is SVG's default.
      expect(g.getAttribute("stroke-width") ?? "1").toBe("1");
    }
  });

  it("marks the diverged cell in its own panel", () => {
    const labels = [...svg.querySelectorAll("g.diverged-label text")];
    expect(labels.map(shownText)).toEqual(["diverged"]);
    expect(svg.querySelectorAll("g.diverged-panel rect")).toHaveLength(1);
    // Same facet offset as the arrows of cell (lr=3e-3, λ=0.01).
    const arrowInCell = markElements(svg, "best-decoder", "path").find((p) => cellOf(p.getAttribute("aria-label") ?? "") === "lr=3×10⁻³, λ=0.01");
    expect(arrowInCell).toBeDefined();
    expect(facetOffset(labels[0])).toBe(facetOffset(arrowInCell!));
    const arrowElsewhere = markElements(svg, "best-decoder", "path").find((p) => cellOf(p.getAttribute("aria-label") ?? "") === "lr=3×10⁻³, λ=0.03");
    expect(facetOffset(labels[0])).not.toBe(facetOffset(arrowElsewhere!));
    expect(svg.querySelectorAll("g.missing-label text")).toHaveLength(0);
  });

  it("still lays out a panel for a cell without data, and says so", () => {
    const partial = parseSvg(arrowGridFigure({ ...data, cells: cells.filter((c) => !(c.row === 1 && c.col === 1)) }));
    expect(partial.querySelectorAll('g[aria-label="frame"] rect')).toHaveLength(25);
    expect([...partial.querySelectorAll("g.missing-label text")].map(shownText)).toEqual(["no data"]);
  });

  it("rejects a cell outside the grid instead of drawing it somewhere", () => {
    expect(() => arrowGridFigure({ ...data, cells: [{ row: 5, col: 0, best: [] }] })).toThrow(/cells\[0\].*row must be an index in 0\.\.4/);
    expect(() => arrowGridFigure({ ...data, cells: [cells[0], cells[0]] })).toThrow(/already given/);
  });
});

function cellOf(ariaLabel: string): string {
  return ariaLabel.split(":")[0];
}

function countBy(keys: string[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const k of keys) counts.set(k, (counts.get(k) ?? 0) + 1);
  return counts;
}

function facetOrTransform(rect: Element): string {
  return `${rect.getAttribute("x")},${rect.getAttribute("y")},${rect.getAttribute("transform") ?? ""}`;
}
