import * as Plot from "@observablehq/plot";
import { describe, expect, it } from "vitest";
import { heatmapColor, heatmapFigure, textColorOn, type HeatmapCell, type HeatmapOptions } from "../src/figures/heatmap.ts";
import { MISSING_FILL } from "../src/style.ts";
import { parseSvg } from "./svg.ts";
import { shownText } from "../src/titles.ts";

/** 3 latents × 4 features of cosine similarities, one NaN and one diverged. */
const cos: HeatmapCell[] = [];
for (let latent = 0; latent < 3; latent++)
  for (let feature = 0; feature < 4; feature++) cos.push({ x: `f${feature}`, y: latent, value: latent === feature ? 1 : -0.5 + 0.1 * feature });
cos[5] = { ...cos[5], value: Number.NaN };
cos[7] = { ...cos[7], diverged: true };

const rgb = (color: string | null) => (/rgb\((\d+), (\d+), (\d+)\)/.exec(color ?? "") ?? []).slice(1).map(Number);

describe("heatmapFigure", () => {
  const svg = parseSvg(heatmapFigure(cos, { xLabel: "True feature", yLabel: "SAE Latent", colorLabel: "cos" }));
  const cells = [...svg.querySelectorAll("g.heatmap-cell rect")];
  const missing = [...svg.querySelectorAll("g.heatmap-missing rect")];

  it("draws one rect per cell, grey where there is no finite value", () => {
    expect(cells).toHaveLength(10);
    expect(missing).toHaveLength(2);
    // A constant fill sits on the mark's group.
    expect(svg.querySelector("g.heatmap-missing")?.getAttribute("fill")).toBe(MISSING_FILL);
    const labels = [...svg.querySelectorAll("g.heatmap-missing-label text")].map(shownText);
    expect(labels).toHaveLength(2);
  });

  it("colours signed values with RdBu over [−1, 1]: +1 blue, −0.5 red", () => {
    const fillOf = (name: string) => cells.find((r) => r.getAttribute("aria-label") === name)?.getAttribute("fill") ?? null;
    const one = rgb(fillOf("0, f0: 1.00"));
    const negative = rgb(fillOf("0, f1: −0.40"));
    expect(one).toHaveLength(3);
    expect(one[2]).toBeGreaterThan(one[0]); // blue end
    expect(negative[0]).toBeGreaterThan(negative[2]); // red side
    const expected = Plot.scale({ color: { type: "linear", scheme: "RdBu", domain: [-1, 1] } }).apply(1);
    expect(fillOf("0, f0: 1.00")).toBe(expected);
  });

  it("prints values with contrasting text", () => {
    const texts = [...svg.querySelectorAll("g.heatmap-value text")];
    expect(texts).toHaveLength(10);
    expect(texts.map(shownText)).toContain("1.00");
    expect(texts.map(shownText)).toContain("−0.40");
    expect(textColorOn("rgb(5, 48, 97)")).toBe("white");
    expect(textColorOn("#fde725")).toBe("black");
  });

  it("puts the first category on top by default and at the bottom with reverseY", () => {
    const yOf = (root: Element, label: string) => Number([...root.querySelectorAll("g.heatmap-cell rect")].find((r) => r.getAttribute("aria-label") === label)?.getAttribute("y"));
    expect(yOf(svg, "0, f0: 1.00")).toBeLessThan(yOf(svg, "2, f2: 1.00"));
    const reversed = parseSvg(heatmapFigure(cos, { reverseY: true }));
    expect(yOf(reversed, "0, f0: 1.00")).toBeGreaterThan(yOf(reversed, "2, f2: 1.00"));
  });

  it("has a colour legend with the domain's ends", () => {
    const legend = svg.querySelector("svg.ramp-legend");
    expect(legend).not.toBeNull();
    const ticks = [...legend!.querySelectorAll("text.ramp-tick")].map(shownText);
    // one number of decimals for every tick of the legend
    expect(ticks[0]).toBe("−1.0");
    expect(ticks.at(-1)).toBe("1.0");
    expect(ticks).toContain("0.0");
    expect(legend!.querySelectorAll("linearGradient stop").length).toBeGreaterThan(10);
  });

  it("gives a colour legend at least two ticks, in one format, however narrow its domain", () => {
    const ticksOf = (cells: HeatmapCell[], options: HeatmapOptions) =>
      [...(parseSvg(heatmapFigure(cells, options)).querySelector("svg.ramp-legend")?.querySelectorAll("text.ramp-tick") ?? [])].map(shownText);
    // the smoke run's loss heatmaps: log colour inside one decade, where 1-2-5 holds one value
    const loss = [0.624, 0.737, 1.02, 1.19].map((value, i) => ({ x: i % 2, y: Math.floor(i / 2), value }));
    const logTicks = ticksOf(loss, { logColor: true, color: "sequential", colorLabel: "loss" });
    expect(logTicks.length).toBeGreaterThanOrEqual(2);
    expect(new Set(logTicks.map((t) => t.split(".")[1]?.length ?? 0)).size).toBe(1);
    const narrow = [0.283, 0.957].map((value, i) => ({ x: i, y: 0, value }));
    expect(ticksOf(narrow, { logColor: true, color: "sequential" }).length).toBeGreaterThanOrEqual(2);
    const constant = [0.5, 0.5].map((value, i) => ({ x: i, y: 0, value }));
    expect(ticksOf(constant, { color: "sequential" }).length).toBeGreaterThanOrEqual(2);
  });

  it("prints every value of a grid in one format", () => {
    const mono = [0.716, 0.727, 0.73, 0.704].map((value, i) => ({ x: i % 2, y: Math.floor(i / 2), value }));
    const values = [...parseSvg(heatmapFigure(mono, { color: "sequential", colorDomain: [0, 1] })).querySelectorAll("g.heatmap-value text")].map(shownText);
    expect(values).toEqual(["0.716", "0.727", "0.730", "0.704"]);
  });

  it("labels only every n-th category when asked", () => {
    const big: HeatmapCell[] = [];
    for (let i = 0; i < 50; i++) for (let j = 0; j < 50; j++) big.push({ x: i, y: j, value: i === j ? 1 : 0 });
    const root = parseSvg(heatmapFigure(big, { tickEvery: 10, colorLabel: null }));
    const xTicks = [...root.querySelectorAll('g[aria-label="x-axis tick label"] text')].map(shownText);
    expect(xTicks).toEqual(["0", "10", "20", "30", "40"]);
    expect(root.querySelectorAll("g.heatmap-cell rect")).toHaveLength(2500);
    expect(root.querySelectorAll("g.heatmap-value text")).toHaveLength(0); // too many cells to print
    expect(root.querySelector("svg.ramp-legend")).toBeNull();
  });
});

describe("heatmapColor", () => {
  it("is diverging and symmetric for values in [−1, 1] with negatives", () => {
    expect(heatmapColor(cos)).toEqual({ kind: "diverging", type: "linear", scheme: "RdBu", domain: [-1, 1], reverse: false });
  });

  it("is sequential over the value extent otherwise, ignoring missing values", () => {
    const loss: HeatmapCell[] = [
      { x: 0.01, y: 1e-4, value: 0.02 },
      { x: 0.1, y: 1e-4, value: 0.5 },
      { x: 1, y: 1e-4, value: Number.POSITIVE_INFINITY, diverged: true },
    ];
    expect(heatmapColor(loss)).toEqual({ kind: "sequential", type: "linear", scheme: "Viridis", domain: [0.02, 0.5], reverse: false });
    expect(heatmapColor(loss, { logColor: true }).type).toBe("log");
    expect(heatmapColor(loss, { colorDomain: [0, 1], scheme: "Magma" }).domain).toEqual([0, 1]);
  });

  it("widens a diverging domain to the largest magnitude when values leave [−1, 1]", () => {
    expect(
      heatmapColor(
        [
          { x: 0, y: 0, value: -3 },
          { x: 1, y: 0, value: 2 },
        ],
        { color: "diverging" },
      ).domain,
    ).toEqual([-3, 3]);
  });

  it("never returns an empty domain", () => {
    const [lo, hi] = heatmapColor([{ x: 0, y: 0, value: 0.7 }]).domain;
    expect(lo).toBeCloseTo(-0.3, 12);
    expect(hi).toBeCloseTo(1.7, 12);
    expect(heatmapColor([], { logColor: true }).domain).toEqual([1, 10]);
  });
});
