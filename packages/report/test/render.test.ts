import * as Plot from "@observablehq/plot";
import { describe, expect, it } from "vitest";
import { renderPlot } from "../src/render.ts";
import { FONT_FAMILY } from "../src/style.ts";
import { parseSvg } from "./svg.ts";
import { shownText } from "../src/titles.ts";

describe("renderPlot", () => {
  it("returns one standalone, namespaced <svg> with the report's font", () => {
    const markup = renderPlot({ width: 200, height: 120, marks: [Plot.dot([{ x: 1, y: 2 }], { x: "x", y: "y" })] });
    expect(markup.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(markup).toContain('xmlns:xlink="http://www.w3.org/1999/xlink"');
    const svg = parseSvg(markup);
    expect(svg.getAttribute("font-family")).toBe(FONT_FAMILY);
    expect(svg.getAttribute("width")).toBe("200");
    expect(svg.querySelectorAll("circle")).toHaveLength(1);
  });

  it("flattens Plot's HTML <figure> (title, caption, swatches legend) into one SVG", () => {
    const markup = renderPlot({
      title: "A title",
      caption: "A caption",
      color: { legend: true },
      marks: [
        Plot.dot(
          [
            { x: 1, c: "alpha" },
            { x: 2, c: "beta" },
          ],
          { x: "x", fill: "c" },
        ),
      ],
    });
    const svg = parseSvg(markup); // throws if HTML (<figure>, <div>) leaked into the file
    expect(markup).not.toMatch(/<(figure|div|span|h2|figcaption)[\s>]/);
    const texts = [...svg.querySelectorAll("text")].map(shownText);
    expect(texts).toEqual(expect.arrayContaining(["A title", "A caption", "alpha", "beta"]));
    // The legend's swatches keep the dots' colours.
    const dots = [...svg.querySelectorAll("circle")].map((c) => c.getAttribute("fill"));
    const swatches = [...svg.querySelectorAll("g.swatch-legend rect")].map((r) => r.getAttribute("fill"));
    expect(swatches).toEqual(dots);
    // Stacked: the title above the legend above the plot.
    const nested = [...svg.children].filter((c) => c.localName === "svg").map((c) => Number(c.getAttribute("y")));
    expect(nested).toEqual([...nested].sort((a, b) => a - b));
    expect(nested.length).toBe(4);
  });
});
