import { describe, expect, it } from "vitest";
import { lineBandFigure, meanSdBands, type LinePoint } from "../src/figures/line-band.ts";
import { REFERENCE_COLOR } from "../src/style.ts";
import { parseSvg } from "./svg.ts";
import { shownText } from "../src/titles.ts";

const data: LinePoint[] = [
  { x: 1, y: 1, series: "a" },
  { x: 1, y: 2, series: "a" },
  { x: 1, y: 3, series: "a" },
  { x: 2, y: 4, series: "a" },
  { x: 2, y: Number.NaN, series: "a" }, // a diverged seed
  { x: 2, y: 10, series: "b" },
  { x: 2, y: 14, series: "b" },
  { x: 1, y: 0, series: "b" },
];

describe("meanSdBands", () => {
  it("computes mean and sample sd per series and x", () => {
    const bands = meanSdBands(data);
    expect(bands.map((b) => [b.series, b.x, b.n])).toEqual([
      ["a", 1, 3],
      ["a", 2, 1],
      ["b", 1, 1],
      ["b", 2, 2],
    ]);
    expect(bands[0].mean).toBe(2);
    expect(bands[0].sd).toBeCloseTo(1, 12);
    expect([bands[0].lo, bands[0].hi]).toEqual([1, 3]);
    expect(bands[1]).toMatchObject({ mean: 4, sd: 0 }); // one seed left: no spread
    expect(bands[3].mean).toBe(12);
    expect(bands[3].sd).toBeCloseTo(Math.SQRT2 * 2, 12); // values 10, 14
  });

  it("uses the population sd with ddof 0", () => {
    const bands = meanSdBands(data, { ddof: 0 });
    expect(bands[0].sd).toBeCloseTo(Math.sqrt(2 / 3), 12);
    expect(bands[3].sd).toBeCloseTo(2, 12);
  });
});

describe("lineBandFigure", () => {
  const seeds: LinePoint[] = [];
  for (const x of [1, 2, 3, 4]) for (const offset of [-1, 0, 1]) seeds.push({ x, y: 10 * x + offset });
  const svg = parseSvg(lineBandFigure(seeds, { xLabel: "SAE L0", yLabel: "s_n^dec", referenceX: { value: 2.5, label: "true L0" } }));

  it("draws one mean line through every x and a band around it", () => {
    const line = svg.querySelector("g.mean-line path");
    const vertices = (line?.getAttribute("d") ?? "").match(/[ML][^ML]+/g) ?? [];
    expect(vertices).toHaveLength(4);
    const ys = vertices.map((v) => Number(v.slice(1).split(",")[1]));
    // Means 10, 20, 30, 40 are equally spaced and increase upwards on screen.
    expect(ys[0]).toBeGreaterThan(ys[1]);
    expect(ys[0] - ys[1]).toBeCloseTo(ys[2] - ys[3], 6);
    expect(svg.querySelectorAll("g.sd-band path")).toHaveLength(1);
    expect(svg.querySelectorAll("g.mean-dot circle")).toHaveLength(4);
  });

  it("draws the reference line red and dashed, with its label", () => {
    const rule = svg.querySelector("g.reference-line line");
    const group = svg.querySelector("g.reference-line");
    expect(rule).not.toBeNull();
    expect(group?.getAttribute("stroke")).toBe(REFERENCE_COLOR);
    expect(group?.getAttribute("stroke-dasharray")).toBe("5,4");
    expect(shownText(svg.querySelector("g.reference-label text") ?? svg)).toBe("true L0");
  });

  it("labels the axes and shows a legend only for several series", () => {
    const texts = [...svg.querySelectorAll("text")].map(shownText);
    expect(texts).toContain("SAE L0");
    expect(texts).toContain("s_n^dec");
    expect(svg.querySelector("g.swatch-legend")).toBeNull();
    const two = parseSvg(lineBandFigure(data));
    expect([...two.querySelectorAll("g.swatch-legend text")].map(shownText)).toEqual(["a", "b"]);
    expect(two.querySelectorAll("g.mean-line path")).toHaveLength(2);
  });
});
