import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { chromium } from "playwright-core";
import { afterAll, describe, expect, it } from "vitest";
import { axisTicks, plotMargins } from "../src/figures/axis-ticks.ts";
import { barFigure } from "../src/figures/bar.ts";
import { lineBandFigure } from "../src/figures/line-band.ts";
import { scatterFigure } from "../src/figures/scatter.ts";
import { tmsTrainingFigure } from "../src/figures/tms-training.ts";
import { CHROMIUM_ARGS, chromiumPath } from "../src/pdf.ts";
import { shownText } from "../src/titles.ts";
import { parseSvg } from "./svg.ts";

/** Figures whose tick labels are wide: losses over seven decades, small and negative values. */
const figures: Record<string, string> = {
  "loss over seven decades": tmsTrainingFigure({
    loss: Array.from({ length: 50 }, (_, i) => ({ step: i * 30, loss: 0.07 * 10 ** (-i / 8) })),
    features: [{ x: 1, y: 0 }],
  }),
  "small negative values": lineBandFigure(
    [1.8, 1.9, 2].flatMap((x) => [
      { x, y: -0.0015 - x / 1000 },
      { x, y: -0.0016 - x / 1000 },
    ]),
    { xLabel: "SAE L0 (k)", yLabel: "feature mixing" },
  ),
  "large values, log x": scatterFigure(
    [0.05, 0.1, 0.5, 1.5].map((x, i) => ({ x, y: 120000 / (i + 1) })),
    { xLabel: "L0 coefficient", yLabel: "SAE L0", logX: true },
  ),
  probabilities: barFigure(
    Array.from({ length: 50 }, (_, i) => ({ label: i, value: 0.388 - i * 0.0069 })),
    { xLabel: "feature i", yLabel: "P_i", tickEvery: 10 },
  ),
};

const yTicks = (svg: string) => [...parseSvg(svg).querySelectorAll('g[aria-label="y-axis tick label"] text')].map(shownText);

describe("numeric axes", () => {
  it("never mix notations on one axis", () => {
    expect(yTicks(figures["loss over seven decades"])).toEqual(["1×10⁻⁷", "1×10⁻⁶", "1×10⁻⁵", "1×10⁻⁴", "1×10⁻³", "1×10⁻²"]);
    for (const [name, svg] of Object.entries(figures)) {
      const labels = yTicks(svg);
      const scientific = labels.filter((l) => l.includes("×10"));
      expect(scientific.length === 0 || scientific.length === labels.length, `${name}: ${labels.join(" ")}`).toBe(true);
      // one number of decimals on a linear axis
      if (scientific.length === 0) expect(new Set(labels.map((l) => l.split(".")[1]?.length ?? 0)).size, `${name}: ${labels.join(" ")}`).toBe(1);
    }
  });

  it("make room for the widest tick label next to the axis title", () => {
    const { labels } = axisTicks([1e-8, 0.07], { log: true, direction: "y" });
    const narrow = plotMargins({ yLabels: ["0.1"], yLabel: "loss" });
    const wide = plotMargins({ yLabels: labels, yLabel: "loss" });
    expect(wide.marginLeft).toBeGreaterThanOrEqual(narrow.marginLeft + 20);
    expect(plotMargins({ yLabels: labels }).marginLeft).toBeLessThan(wide.marginLeft);
  });

  // Measured in the browser that prints the report: no axis title overlaps a tick label.
  const executable = chromiumPath();
  const dir = mkdtempSync(join(tmpdir(), "report-axes-test-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  it.runIf(existsSync(executable) || process.env.REQUIRE_CHROMIUM === "1")(
    "keep axis titles clear of tick labels, as Chromium lays them out",
    async () => {
      const page = join(dir, "axes.html");
      writeFileSync(
        page,
        `<!DOCTYPE html><html><body>${Object.entries(figures)
          .map(([name, svg]) => `<div data-name="${name}">${svg}</div>`)
          .join("")}</body></html>`,
      );
      const browser = await chromium.launch({ executablePath: executable, args: [...CHROMIUM_ARGS] });
      try {
        const tab = await browser.newPage();
        await tab.goto(pathToFileURL(page).href);
        const overlaps = await tab.evaluate(() => {
          const found: string[] = [];
          const box = (e: Element) => e.getBoundingClientRect();
          const hit = (a: DOMRect, b: DOMRect) => a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom;
          for (const holder of document.querySelectorAll("div[data-name]"))
            for (const plot of holder.querySelectorAll("svg")) {
              for (const axis of ["x", "y"]) {
                const title = plot.querySelector(`:scope > g[aria-label="${axis}-axis label"] text`);
                if (!title) continue;
                for (const tick of plot.querySelectorAll(`:scope > g[aria-label="${axis}-axis tick label"] text`))
                  if (hit(box(title), box(tick))) found.push(`${holder.getAttribute("data-name")}: ${axis} title "${title.textContent}" overlaps "${tick.textContent}"`);
                const svgBox = box(plot);
                if (box(title).left < svgBox.left - 0.5) found.push(`${holder.getAttribute("data-name")}: ${axis} title is cut at the left edge`);
              }
            }
          return found;
        });
        expect(overlaps).toEqual([]);
      } finally {
        await browser.close();
      }
    },
    60_000,
  );
});
