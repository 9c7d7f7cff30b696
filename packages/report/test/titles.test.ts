import { describe, expect, it } from "vitest";
import { arrowGridFigure } from "../src/figures/arrow-grid.ts";
import { barFigure } from "../src/figures/bar.ts";
import { heatmapFigure } from "../src/figures/heatmap.ts";
import { heatmapGridFigure } from "../src/figures/heatmap-grid.ts";
import { lineBandFigure } from "../src/figures/line-band.ts";
import { markedLinesFigure } from "../src/figures/marked-lines.ts";
import { scatterFigure } from "../src/figures/scatter.ts";
import { schematicFigure } from "../src/figures/schematic.ts";
import { tmsTrainingFigure } from "../src/figures/tms-training.ts";
import { renderPlot } from "../src/render.ts";
import { dataMarkGroups, untitledMarks } from "../src/titles.ts";
import * as Plot from "@observablehq/plot";
import { parseSvg } from "./svg.ts";

const features = [
  { x: 1, y: 0.1, set: 0 as const, label: "x1" },
  { x: 0, y: 1, set: 1 as const, label: "y1" },
];

/** One figure of every builder, with the reference lines, diverged cells and series they can draw. */
const figures: Record<string, string> = {
  arrowGrid: arrowGridFigure({
    rows: [1e-4, 1e-3],
    cols: [0.1, 1],
    trueFeatures: features,
    cells: [
      { row: 0, col: 0, best: [[0.7, 0.7]], mono: [[1, 0]], bestInstance: 3, monoInstance: 1 },
      { row: 1, col: 1, best: [[0, 1]], diverged: true },
    ],
  }),
  schematic: schematicFigure({
    trueFeatures: features,
    instances: [
      { rows: [[1, 0]], loss: 0.2, id: 4 },
      { rows: [[0, 1]], loss: 0.3, id: 7 },
    ],
  }),
  tms: tmsTrainingFigure({
    loss: [
      { step: 0, loss: 0.1 },
      { step: 100, loss: 1e-6 },
    ],
    features,
  }),
  heatmap: heatmapFigure(
    [
      { x: "0.1", y: "1×10⁻⁴", value: 0.2, note: "instance 3 of 5" },
      { x: "1", y: "1×10⁻⁴", value: Number.NaN, diverged: true },
    ],
    { xLabel: "λ", yLabel: "lr", colorLabel: "loss" },
  ),
  heatmapGrid: heatmapGridFigure([
    { label: "realisation 0", panels: [{ title: "x-set responses", cells: [{ x: 0, y: "x1", value: 0.5 }], scheme: "Greys", colorDomain: [0, 1] }] },
  ]),
  lineBand: lineBandFigure(
    [
      { x: 1, y: 1, series: "a" },
      { x: 1, y: 2, series: "a" },
      { x: 2, y: 3, series: "b" },
    ],
    { xLabel: "k", yLabel: "mixing", referenceX: { value: 1.5, label: "true L0" }, referenceY: 2 },
  ),
  scatter: scatterFigure(
    [
      { x: 0.1, y: 5, label: "coefficient 0.1" },
      { x: 1, y: 2, series: "b" },
    ],
    { logX: true, connect: true, referenceY: { value: 3, label: "true L0" } },
  ),
  markedLines: markedLinesFigure(
    [
      { x: 0, y: -0.3, series: "child 1", lo: -0.35, hi: -0.25 },
      { x: 0.25, y: 0, series: "child 1", lo: -0.05, hi: 0.05 },
      { x: 1, y: 0.2, series: "child 1", lo: 0.15, hi: 0.25 },
    ],
    {
      xLabel: "β",
      yLabel: "component",
      dots: true,
      xTicks: [
        { value: 0, label: "0" },
        { value: 0.25, label: "0.25" },
        { value: 1, label: "∞" },
      ],
      markers: [{ x: 0.25, y: 0, series: "child 1", label: "crosses 0" }],
      referenceY: 0,
    },
  ),
  bar: barFigure(
    [
      { label: 0, value: 0.4 },
      { label: 1, value: 0.2 },
    ],
    { referenceY: 0.3 },
  ),
};

describe("every plotted mark carries a <title>", () => {
  for (const [name, svg] of Object.entries(figures))
    it(name, () => {
      const root = parseSvg(svg);
      expect(dataMarkGroups(root).length, "data marks found").toBeGreaterThan(0);
      expect(untitledMarks(root)).toEqual([]);
    });

  const titles = (svg: string, selector: string) => [...parseSvg(svg).querySelectorAll(`${selector} title`)].map((t) => t.textContent);

  it("says the value, the cell and the instance", () => {
    expect(titles(figures.heatmap, "g.heatmap-cell")).toEqual(["lr 1×10⁻⁴, λ 0.1\nloss: 0.2\ninstance 3 of 5"]);
    expect(titles(figures.heatmap, "g.heatmap-missing")).toEqual(["lr 1×10⁻⁴, λ 1\nloss: diverged"]);
    expect(titles(figures.arrowGrid, "g.best-decoder")).toContain("lr=1×10⁻⁴, λ=0.1\nlowest-loss latent (instance 3) f1 (0.7, 0.7)");
    expect(titles(figures.schematic, "g.decoder-row")).toContain("instance 7 (rank 2 by loss, loss 0.3)\nlatent f1 (0, 1)");
    expect(titles(figures.lineBand, "g.mean-dot")).toContain("a\nk = 1\nmixing: 1.5 ± 0.7071 (mean ± sd over 2 seeds)");
    expect(titles(figures.lineBand, "g.reference-line")).toEqual(["true L0 (x = 1.5)", "y = 2"]);
    expect(titles(figures.markedLines, "g.line-dot")).toContain("child 1\nβ = ∞\ncomponent: 0.2");
    expect(titles(figures.markedLines, "g.line-marker")).toEqual(["child 1\ncrosses 0\nβ = 0.25\ncomponent: 0"]);
    expect(titles(figures.heatmapGrid, "g.heatmap-cell")).toEqual(["realisation 0\nrow x1, column 0\nx-set responses: 0.5"]);
  });

  it("gives a mark drawn without a title channel one from its accessible name", () => {
    const svg = renderPlot({ marks: [Plot.dot([1, 2], { x: (d: number) => d, ariaLabel: (d: number) => `point ${d}` })] });
    expect(untitledMarks(parseSvg(svg))).toEqual([]);
    expect(titles(svg, 'g[aria-label="dot"]')).toEqual(["point 1", "point 2"]);
  });

  it("reports marks without titles", () => {
    const svg = renderPlot({ marks: [Plot.dot([1, 2], { x: (d: number) => d })] });
    expect(untitledMarks(parseSvg(svg))).toEqual(['mark "dot": 2 of 2 shapes have no <title>']);
  });
});
