/**
 * Figures with frames (snapshots over training): the HTML carries one small inline script and a
 * range input that steps through the frames; print and a page without scripts show the static
 * small multiples. Nothing reaches the network.
 */
import { JSDOM } from "jsdom";
import { describe, expect, it } from "vitest";
import { buildReportHtml, FRAMES_SCRIPT } from "../src/html.ts";
import { REPORT_CSS } from "../src/html/css.ts";
import { exampleReport } from "./report-fixture.ts";

const frame = (k: number) =>
  `<svg xmlns="http://www.w3.org/2000/svg" width="40" height="40"><defs><clipPath id="c"><rect width="40" height="40"/></clipPath></defs><circle class="dot" cx="${10 * k}" cy="20" r="3" clip-path="url(#c)"/></svg>`;

function animatedReport() {
  const report = exampleReport();
  const staticSvg = `<svg xmlns="http://www.w3.org/2000/svg" width="120" height="40"><g class="small-multiples">${[0, 1, 2].map((k) => `<circle cx="${10 + 40 * k}" cy="20" r="3"/>`).join("")}</g></svg>`;
  const frames = [0, 1, 2].map((k) => ({ svg: frame(k + 1), label: `step ${k * 100}` }));
  return { ...report, sections: [...report.sections, { heading: "Training", figures: [{ svg: staticSvg, caption: "Latents over training.", id: "anim", frames }] }] };
}

describe("figures with frames", () => {
  const html = buildReportHtml(animatedReport());

  it("emits exactly one inline script (FRAMES_SCRIPT), a range input and every frame, the first visible; no URLs", () => {
    const { document } = new JSDOM(html).window;
    const scripts = document.querySelectorAll("script");
    expect(scripts).toHaveLength(1);
    expect(scripts[0].hasAttribute("src")).toBe(false);
    expect(scripts[0].textContent).toBe(FRAMES_SCRIPT);
    const figure = document.getElementById("anim")!;
    expect(figure.querySelector(".frames-static .small-multiples")).not.toBeNull();
    const input = figure.querySelector("input[type=range]")!;
    expect([input.getAttribute("min"), input.getAttribute("max"), input.getAttribute("value")]).toEqual(["0", "2", "0"]);
    const frames = [...figure.querySelectorAll(".frame")];
    expect(frames.map((f) => f.getAttribute("data-label"))).toEqual(["step 0", "step 100", "step 200"]);
    expect(frames.map((f) => f.hasAttribute("hidden"))).toEqual([false, true, true]);
    // the player is hidden until the script runs, so a page without scripts shows the small multiples
    expect(figure.querySelector(".frames-player")!.hasAttribute("hidden")).toBe(true);
    // every frame's ids are scoped, so the three clip paths named "c" stay distinct
    const clipIds = [...figure.querySelectorAll("clipPath")].map((c) => c.id);
    expect(new Set(clipIds).size).toBe(3);
    const withoutNamespaces = html.replace(/\sxmlns(:xlink)?="http:\/\/www\.w3\.org\/(2000\/svg|1999\/xlink)"/g, "");
    expect(withoutNamespaces).not.toMatch(/https?:|\/\/[a-z]/i);
  });

  it("the script reveals the player and the range input switches frames and their label", () => {
    const dom = new JSDOM(html, { runScripts: "dangerously" });
    const { document } = dom.window;
    const figure = document.getElementById("anim")!;
    expect(figure.classList.contains("frames-live")).toBe(true);
    expect(figure.querySelector(".frames-player")!.hasAttribute("hidden")).toBe(false);
    const input = figure.querySelector("input[type=range]") as HTMLInputElement;
    input.value = "2";
    input.dispatchEvent(new dom.window.Event("input"));
    expect([...figure.querySelectorAll(".frame")].map((f) => (f as HTMLElement).hidden)).toEqual([true, true, false]);
    expect(figure.querySelector("output")!.textContent).toBe("step 200");
  });

  it("prints the small multiples, not the player", () => {
    const print = REPORT_CSS.slice(REPORT_CSS.indexOf("@media print"));
    expect(print).toContain(".frames-player { display: none !important; }");
    expect(print).toContain("figure.frames-live > .frames-static { display: block; }");
    expect(REPORT_CSS).toContain("figure.frames-live > .frames-static { display: none; }");
  });

  it("refuses a frame with a script in it", () => {
    const report = animatedReport();
    const bad = { ...report, sections: [{ heading: "x", figures: [{ svg: frame(1), caption: "c", frames: [{ svg: "<svg><script>1</script></svg>", label: "s" }] }] }] };
    expect(() => buildReportHtml(bad)).toThrow(/frame 1 of figure 1.*<script>/);
  });

  it("a report without frames still has no script at all", () => {
    expect(buildReportHtml(exampleReport())).not.toContain("<script");
  });
});
