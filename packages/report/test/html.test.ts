import { JSDOM } from "jsdom";
import { describe, expect, it } from "vitest";
import { buildReportHtml } from "../src/html.ts";
import { formatSeconds as formatDuration } from "../src/html/tables.ts";
import { scopeSvgIds } from "../src/html/svg-ids.ts";
import { exampleReport } from "./report-fixture.ts";

const report = exampleReport();
const html = buildReportHtml(report);
const { document } = new JSDOM(html).window;

describe("buildReportHtml", () => {
  it("is self-contained: no scripts, no external references, no URLs but SVG namespace names", () => {
    expect(document.querySelectorAll("script")).toHaveLength(0);
    expect(document.querySelectorAll("[src], link, iframe, object, embed, img, image")).toHaveLength(0);
    for (const element of document.querySelectorAll("[href], [*|href]")) {
      const href = element.getAttribute("href") ?? element.getAttribute("xlink:href") ?? "";
      expect(href.startsWith("#")).toBe(true);
    }
    const withoutNamespaces = html.replace(/\sxmlns(:xlink)?="http:\/\/www\.w3\.org\/(2000\/svg|1999\/xlink)"/g, "");
    expect(withoutNamespaces).not.toMatch(/https?:|\/\/[a-z]/i);
    expect(withoutNamespaces).not.toMatch(/@import|@font-face/);
    for (const match of html.matchAll(/url\(([^)]*)\)/g)) expect(match[1].startsWith("#")).toBe(true);
    // The namespace names really are there, i.e. the test above removed something real.
    expect(html).toContain('xmlns="http://www.w3.org/2000/svg"');
  });

  it("contains the title, summary, every section, figure and caption", () => {
    expect(document.title).toBe(report.title);
    expect(document.querySelector("h1")?.textContent).toBe(report.title);
    expect(document.querySelector(".summary")?.textContent).toBe(report.summary);
    const headings = [...document.querySelectorAll("h2")].map((h) => h.textContent);
    expect(headings).toEqual(["Grid of decoders", "Loss heatmap", "Metrics", "Configuration", "Provenance"]);
    const figures = [...document.querySelectorAll("figure")];
    expect(figures).toHaveLength(3);
    expect(figures.map((f) => f.querySelector("figcaption")?.textContent)).toEqual([
      "Figure 1. Arrow grid: black = lowest loss.",
      "Figure 2. Loss over lr × λ.",
      "Figure 3. The same grid again, to check ids stay unique.",
    ]);
    for (const figure of figures) expect(figure.querySelector(".figure-body > svg")).not.toBeNull();
    // The table of contents links to sections that exist.
    for (const a of document.querySelectorAll("nav.toc a")) {
      const id = (a.getAttribute("href") ?? "").slice(1);
      expect(document.getElementById(id), id).not.toBeNull();
    }
  });

  it("escapes text instead of interpreting it", () => {
    expect(html).toContain("Composed features &lt;2-d&gt; &amp; friends");
    const paragraphs = [...document.querySelectorAll("section p")].map((p) => p.textContent);
    expect(paragraphs).toContain('A <script>alert("x")</script> is only text here.');
    expect(document.querySelector("pre.config b")).toBeNull();
    const config = document.querySelector("pre.config")?.textContent ?? "";
    expect(JSON.parse(config)).toEqual(report.config);
    expect(config).toContain('"lr": [0.0001, 0.001]'); // short arrays stay on one line
  });

  it("keeps ids unique when the same figure appears twice", () => {
    const ids = [...document.querySelectorAll("[id]")].map((e) => e.id);
    expect(ids.length).toBeGreaterThan(5);
    expect(new Set(ids).size).toBe(ids.length);
    // Every url(#…) resolves inside the page.
    for (const match of html.matchAll(/url\(#([^)]+)\)/g)) expect(document.getElementById(match[1]), match[1]).not.toBeNull();
  });

  it("formats the metrics table and marks diverged rows", () => {
    const rows = [...document.querySelectorAll("table.metrics tbody tr")];
    expect(rows).toHaveLength(2);
    const headers = [...document.querySelectorAll("table.metrics th")];
    expect(headers.map((th) => th.textContent)).toEqual(["status", "lr", "λ", "loss", "name"]);
    expect(headers.map((th) => th.classList.contains("num"))).toEqual([false, true, true, true, false]);
    expect([...rows[0].querySelectorAll("td")].map((td) => td.textContent)).toEqual(["", "1×10⁻⁴", "0.1", "0.123", "a"]);
    expect(rows[0].classList.contains("diverged")).toBe(false);
    expect(rows[1].classList.contains("diverged")).toBe(true);
    expect(rows[1].querySelector("td .badge")?.textContent).toBe("diverged");
    expect(rows[1].querySelectorAll("td")[3].textContent).toBe("NaN");
    expect(document.querySelector(".table-note")?.textContent).toMatch(/^1 of 2 rows diverged/);
  });

  it("has the provenance: config hash, source commit, seeds, versions, backend, timings, time", () => {
    const text = document.querySelector("#provenance")?.textContent ?? "";
    for (const expected of ["cafe1234", "0, 1, 2", "@tensorflow/tfjs-core 4.22.0", "@toy-sae/core 0.1.0", "cpu", "2025-06-01T12:00:00.000Z"]) expect(text).toContain(expected);
    expect(text).toContain("commit 0a1b2c3d4e5f60718293a4b5c6d7e8f901234567 with uncommitted changes");
    const timings = [...document.querySelectorAll("table.stage-timings tbody tr")].map((tr) => [...tr.querySelectorAll("td")].map((td) => td.textContent));
    expect(timings).toEqual([
      ["train-saes", "2 min 05 s", "ran"],
      ["generate", "0.50 s", "cached"],
    ]);
    expect(document.querySelector("table.stage-timings tfoot td")?.textContent).toBe("2 min 06 s");
    // no length sentence given, no row
    expect([...document.querySelectorAll("#provenance th")].map((th) => th.textContent)).not.toContain("Length");
  });

  it("shows the run's length sentence as given, and hours as hours", () => {
    const length = "32 % of the original's estimated work (the paper profile's), profile default.";
    const page = new JSDOM(buildReportHtml({ ...report, provenance: { ...report.provenance, length } })).window.document;
    const row = [...page.querySelectorAll("#provenance tr")].find((tr) => tr.querySelector("th")?.textContent === "Length");
    expect(row?.querySelector("td")?.textContent).toBe(length);
    expect(formatDuration(7441)).toBe("2 h 04 min");
    expect(formatDuration(3599)).toBe("59 min 59 s");
  });

  it("prints on A4 without splitting figures", () => {
    const css = document.querySelector("style")?.textContent ?? "";
    expect(css).toMatch(/@page\s*{\s*size:\s*A4/);
    expect(css).toMatch(/figure\s*{[^}]*break-inside:\s*avoid/);
  });

  it("refuses figure SVG that would reach outside the page", () => {
    const withFigure = (svg: string) => ({ ...report, sections: [{ heading: "x", figures: [{ svg, caption: "bad" }] }] });
    expect(() => buildReportHtml(withFigure('<svg><image href="https://example.org/a.png"/></svg>'))).toThrow(/references "https:/);
    expect(() => buildReportHtml(withFigure("<svg><script>1</script></svg>"))).toThrow(/<script>/);
    expect(() => buildReportHtml(withFigure('<svg><style>@import "x.css";</style></svg>'))).toThrow(/@import/);
    expect(() => buildReportHtml(withFigure("<div>not svg</div>"))).toThrow(/does not start with <svg>/);
  });
});

describe("scopeSvgIds", () => {
  it("prefixes ids and the references to them, and nothing else", () => {
    const svg = '<svg><clipPath id="c1"><rect/></clipPath><g clip-path="url(#c1)"><use href="#c1"/><a href="#other"/></g></svg>';
    expect(scopeSvgIds(svg, "f2")).toBe('<svg><clipPath id="f2-c1"><rect/></clipPath><g clip-path="url(#f2-c1)"><use href="#f2-c1"/><a href="#other"/></g></svg>');
  });
});

describe("navigation and layout", () => {
  const titled = {
    ...report,
    sections: [
      {
        heading: "Condition: correlated",
        id: "condition-correlated",
        figures: [
          { svg: report.sections[0].figures?.[0]?.svg ?? "", caption: "The grid.", title: "Decoder directions", id: "grid" },
          { svg: report.sections[1].figures?.[0]?.svg ?? "", caption: "Loss.", title: "Loss", id: "heat-loss", group: "heat" },
          { svg: report.sections[1].figures?.[0]?.svg ?? "", caption: "Monosemanticity.", title: "Monosemanticity", id: "heat-mono", group: "heat" },
          { svg: report.sections[1].figures?.[0]?.svg ?? "", caption: "MMCS.", title: "MMCS", id: "heat-mmcs", group: "heat" },
        ],
      },
    ],
    metrics: {
      columns: ["lr", "mmcs_sae_to_true", "k"],
      rows: [
        { lr: 3e-5, mmcs_sae_to_true: 0.9, k: 2 },
        { lr: 1e-3, mmcs_sae_to_true: 0.8, k: 1.8 },
      ],
    },
  };
  const page = new JSDOM(buildReportHtml(titled)).window.document;

  it("gives titled figures a numbered h3 heading (a PDF bookmark) and an unnumbered caption", () => {
    const headings = [...page.querySelectorAll("figure > h3.figure-title")].map((h) => h.textContent);
    expect(headings).toEqual(["Figure 1. Decoder directions", "Figure 2. Loss", "Figure 3. Monosemanticity", "Figure 4. MMCS"]);
    expect(page.querySelector("#grid figcaption")?.textContent).toBe("The grid.");
  });

  it("puts the figures of one group side by side in one row", () => {
    const rows = [...page.querySelectorAll(".figure-row")];
    expect(rows).toHaveLength(1);
    expect([...rows[0].querySelectorAll(":scope > figure")].map((f) => f.id)).toEqual(["heat-loss", "heat-mono", "heat-mmcs"]);
    expect(page.querySelector("#grid")?.parentElement?.classList.contains("figure-row")).toBe(false);
    const css = page.querySelector("style")?.textContent ?? "";
    expect(css).toMatch(/\.figure-row\s*{[^}]*display:\s*flex/);
  });

  it("lists sections and their figures in the contents, every link resolving, and prints the contents", () => {
    const links = [...page.querySelectorAll("nav.toc a")];
    expect(links.map((a) => a.textContent)).toEqual([
      "Condition: correlated",
      "Figure 1. Decoder directions",
      "Figure 2. Loss",
      "Figure 3. Monosemanticity",
      "Figure 4. MMCS",
      "Metrics",
      "Configuration",
      "Provenance",
    ]);
    for (const a of links) expect(page.getElementById((a.getAttribute("href") ?? "").slice(1)), a.textContent ?? "").not.toBeNull();
    const css = page.querySelector("style")?.textContent ?? "";
    expect(css).not.toMatch(/nav\.toc\s*{\s*display:\s*none/);
  });

  it("formats each table column one way and lets headers wrap after underscores", () => {
    const cells = [...page.querySelectorAll("table.metrics tbody tr")].map((tr) => [...tr.querySelectorAll("td")].map((td) => td.textContent));
    expect(cells).toEqual([
      ["3×10⁻⁵", "0.9", "2.0"],
      ["1×10⁻³", "0.8", "1.8"],
    ]);
    expect(page.querySelector("table.metrics th:nth-child(2)")?.innerHTML).toBe("mmcs_<wbr>sae_<wbr>to_<wbr>true");
  });
});
