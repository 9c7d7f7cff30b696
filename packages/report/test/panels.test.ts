import { describe, expect, it } from "vitest";
import { schematicFigure, type SchematicData } from "../src/figures/schematic.ts";
import { tmsTrainingFigure } from "../src/figures/tms-training.ts";
import { barFigure } from "../src/figures/bar.ts";
import { scatterFigure } from "../src/figures/scatter.ts";
import { X_SET_COLOR, Y_SET_COLOR } from "../src/style.ts";
import { parseSvg } from "./svg.ts";
import { shownText } from "../src/titles.ts";

const square: Array<[number, number]> = [
  [1, 0],
  [0, 1],
  [-1, 0],
  [0, -1],
];

describe("schematicFigure", () => {
  const data: SchematicData = {
    trueFeatures: [
      { x: 1, y: 0.1, set: 0, label: "x1" },
      { x: -1, y: 0.1, set: 0, label: "x2" },
      { x: 0, y: 1, set: 1, label: "y1" },
      { x: 0, y: -1, set: 1, label: "y2" },
    ],
    instances: [0.3, 0.1, Number.NaN, 0.2, 0.4].map((loss) => ({ loss, rows: square })),
  };
  const svg = parseSvg(schematicFigure(data));
  const texts = [...svg.querySelectorAll("text")].map(shownText);

  it("labels the true features x1, x2, y1, y2 in their set colours and the best latents f1..f4", () => {
    const labels = [...svg.querySelectorAll("g.arrow-label text")].map(shownText);
    expect(labels).toEqual(["x1", "x2", "y1", "y2", "f1", "f2", "f3", "f4"]);
    const truthStrokes = [...svg.querySelectorAll("g.true-feature")].map((g) => g.getAttribute("stroke"));
    expect(new Set(truthStrokes)).toEqual(new Set([X_SET_COLOR, Y_SET_COLOR]));
  });

  it("shows the lowest-loss instance large and the others in loss order, NaN last", () => {
    expect(texts).toContain("Lowest loss: inst. 1 (0.1)");
    const small = texts.filter((t) => /^\d\. inst\./.test(t));
    expect(small).toEqual(["2. inst. 3: 0.2", "3. inst. 0: 0.3", "4. inst. 4: 0.4", "5. inst. 2: NaN"]);
    // Two large panels and four small ones, each with its own frame.
    expect(svg.querySelectorAll('[aria-label="frame"]')).toHaveLength(6);
    // Every instance's four decoder rows are drawn.
    expect(svg.querySelectorAll("g.decoder-row path")).toHaveLength(20);
  });
});

describe("tmsTrainingFigure", () => {
  it("draws the loss on a log axis next to one arrow per feature", () => {
    const loss = [1, 0.5, 0.1, 0, 0.05].map((l, step) => ({ step, loss: l }));
    const features = [0, 1, 2, 3, 4].map((k) => ({ x: Math.cos(k), y: Math.sin(k), label: `x${k + 1}` }));
    const svg = parseSvg(tmsTrainingFigure({ loss, features }));
    const line = svg.querySelector("g.loss-curve path")?.getAttribute("d") ?? "";
    // The zero loss cannot sit on a log axis and is dropped: 4 vertices remain.
    expect(line.match(/[ML]/g)).toHaveLength(4);
    expect(svg.querySelectorAll("g.feature-arrow path")).toHaveLength(5);
    const yTicks = [...svg.querySelectorAll('g[aria-label="y-axis tick label"] text')].map(shownText);
    expect(yTicks).toEqual(["0.05", "0.1", "0.2", "0.5", "1"]);
  });
});

describe("barFigure and scatterFigure", () => {
  it("draws one bar per feature, labelling every tenth", () => {
    const bars = Array.from({ length: 50 }, (_, i) => ({ label: i, value: 0.3 - 0.005 * i }));
    const svg = parseSvg(barFigure(bars, { tickEvery: 10, yLabel: "P_i" }));
    const rects = [...svg.querySelectorAll("g.bar rect")];
    expect(rects).toHaveLength(50);
    // Higher probability, taller bar.
    expect(Number(rects[0].getAttribute("height"))).toBeGreaterThan(Number(rects[49].getAttribute("height")));
    const xTicks = [...svg.querySelectorAll('g[aria-label="x-axis tick label"] text')].map(shownText);
    expect(xTicks).toEqual(["0", "10", "20", "30", "40"]);
  });

  it("draws one dot per point, coloured by series, with a legend", () => {
    const points = [
      { x: 0.05, y: 27.7, series: "JumpReLU" },
      { x: 0.5, y: 11.6, series: "JumpReLU" },
      { x: 0.1, y: 20, series: "TopK" },
    ];
    const svg = parseSvg(scatterFigure(points, { logX: true, connect: true }));
    const fills = [...svg.querySelectorAll("g.scatter-dot circle")].map((c) => c.getAttribute("fill"));
    expect(fills).toHaveLength(3);
    expect(fills[0]).toBe(fills[1]);
    expect(fills[0]).not.toBe(fills[2]);
    expect([...svg.querySelectorAll("g.swatch-legend text")].map(shownText)).toEqual(["JumpReLU", "TopK"]);
    const xTicks = [...svg.querySelectorAll('g[aria-label="x-axis tick label"] text')].map(shownText);
    expect(xTicks).toEqual(["0.05", "0.1", "0.2", "0.5"]);
  });
});
