/**
 * The ARENA toy-model figures (plain SVG, src/figures/arena/): inert markup the report accepts,
 * one mark per datum (panels, vectors, rings, guides, rules, heatmap cells, weight bars) and a
 * width that fits the legend.
 */
import { JSDOM } from "jsdom";
import { describe, expect, it } from "vitest";
import { assertInlineSvg } from "../src/html/svg-guard.ts";
import { featureMatricesFigure } from "../src/figures/arena/feature-matrices.ts";
import { neuronBarsFigure } from "../src/figures/arena/neuron-bars.ts";
import { vectorPanelsFigure } from "../src/figures/arena/vector-panels.ts";
import { xyPanelsFigure } from "../src/figures/arena/xy-panels.ts";

const parse = (svg: string) => {
  assertInlineSvg(svg, "test");
  return new JSDOM(svg, { contentType: "image/svg+xml" }).window.document;
};

describe("ARENA figures", () => {
  it("vector panels: a panel per entry, a line per vector, rings where asked, room for the legend", () => {
    const panel = (ring: boolean) => ({
      title: "p = 1",
      vectors: [
        { x: 1, y: 0, color: "red", ring },
        { x: 0, y: -0.5, color: "blue", dashed: true },
        { x: NaN, y: 0, color: "green" },
      ],
    });
    const svg = vectorPanelsFigure(
      [
        { label: "step 0", panels: [panel(false), panel(true)] },
        { label: "step 100", panels: [panel(false), panel(false)] },
      ],
      {
        size: 50,
        legend: [
          { label: "a rather long legend entry", color: "red" },
          { label: "another one", color: "blue", dashed: true },
        ],
      },
    );
    const doc = parse(svg);
    expect(doc.querySelectorAll("g.panel")).toHaveLength(4);
    expect(doc.querySelectorAll("g.panel line")).toHaveLength(8); // the NaN vector is skipped
    expect(doc.querySelectorAll("circle.ring")).toHaveLength(1);
    expect(doc.querySelectorAll('g.panel line[stroke-dasharray="3,2"]')).toHaveLength(4);
    expect(Number(doc.documentElement.getAttribute("width"))).toBeGreaterThan(300); // two 50-px panels, but the legend is wider
  });

  it("xy panels: a path per line series, points for point series, guides and rules inside the domain", () => {
    const svg = xyPanelsFigure(
      [
        {
          title: "a",
          series: [
            {
              points: [
                { x: 1, y: 1 },
                { x: 10, y: 0.5 },
                { x: 100, y: 0.4 },
              ],
              color: "red",
            },
          ],
          hrules: [{ value: 0.5, label: "1/2" }, { value: 5 }],
          vrules: [{ value: 10 }],
        },
        {
          title: "b",
          series: [
            {
              points: [
                { x: 2, y: 0.3 },
                { x: 20, y: 0.2 },
              ],
              color: "blue",
              line: false,
            },
          ],
        },
      ],
      { xLabel: "1/p", yLabel: "D", logX: true, yDomain: [0, 1.1] },
    );
    const doc = parse(svg);
    expect(doc.querySelectorAll("g.xy-panel")).toHaveLength(2);
    expect(doc.querySelectorAll("path.series")).toHaveLength(1);
    expect(doc.querySelectorAll("line.hrule")).toHaveLength(1); // 5 is outside [0, 1.1]
    expect(doc.querySelectorAll("line.vrule")).toHaveLength(1);
    expect(doc.querySelectorAll("g.xy-panel")[1].querySelectorAll("circle")).toHaveLength(2);
    // log x: 10 sits halfway between 1 and 100
    const d = doc.querySelector("path.series")?.getAttribute("d") ?? "";
    const xs = [...d.matchAll(/[ML]([\d.]+) /g)].map((m) => Number(m[1]));
    expect(xs[1] - xs[0]).toBeCloseTo(xs[2] - xs[1], 1);
  });

  it("feature matrices: every WᵀW cell drawn once in at most 21 colour paths, a bar per non-zero norm", () => {
    const n = 6;
    const gram = Float64Array.from({ length: n * n }, (_, e) => (e % (n + 1) === 0 ? 1 : ((e % 7) - 3) / 3));
    const norms = Float64Array.from([1, 0.5, 0, 0.2, 0.9, 0.1]);
    const doc = parse(featureMatricesFigure([{ title: "p = 1", n, gram, norms, superposition: new Float64Array(n) }]));
    const paths = [...doc.querySelectorAll("g.gram path")];
    expect(paths.length).toBeLessThanOrEqual(21);
    expect(paths.reduce((t, p) => t + (p.getAttribute("d")?.match(/M/g)?.length ?? 0), 0)).toBe(n * n);
    expect(doc.querySelectorAll("g.norm-bars rect")).toHaveLength(5);
  });

  it("neuron bars: one stacked rect per non-zero weight, positive above the axis and negative below", () => {
    const w = Float64Array.from([0.8, -0.4, 0, 0, 0.3, 0.2]); // 2 neurons × 3 features
    const doc = parse(neuronBarsFigure([{ title: "p = 0.75", dHidden: 2, nFeatures: 3, w }]));
    const rects = [...doc.querySelectorAll("g.neuron-panel rect")].slice(1); // the first is the frame
    expect(rects).toHaveLength(4);
    const axis = Number(doc.querySelector("g.neuron-panel line")?.getAttribute("y1"));
    const [pos, neg] = rects;
    expect(Number(pos.getAttribute("y")) + Number(pos.getAttribute("height"))).toBeCloseTo(axis, 1);
    expect(Number(neg.getAttribute("y"))).toBeCloseTo(axis, 1);
  });
});
