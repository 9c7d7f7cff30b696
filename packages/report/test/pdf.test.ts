import { execFileSync } from "node:child_process";
import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it, vi } from "vitest";
import { buildReportHtml } from "../src/html.ts";
import { DEFAULT_CHROMIUM_PATH, PdfError, writePdf } from "../src/pdf.ts";
import { exampleReport } from "./report-fixture.ts";

const dir = mkdtempSync(join(tmpdir(), "report-pdf-test-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("writePdf", () => {
  it("skips with one clear line when there is no Chromium", async () => {
    vi.stubEnv("CHROMIUM_PATH", "/nonexistent/chromium");
    try {
      const html = join(dir, "missing.html");
      writeFileSync(html, "<!DOCTYPE html><title>x</title>");
      const result = await writePdf(html, join(dir, "missing.pdf"));
      expect(result).toEqual({
        ok: false,
        message: "PDF skipped: no Chromium at /nonexistent/chromium — install it with `apt-get install -y chromium` (or set CHROMIUM_PATH)",
      });
      expect(existsSync(join(dir, "missing.pdf"))).toBe(false);
    } finally {
      vi.unstubAllEnvs();
    }
  });

  it("removes a stale PDF even when it cannot print a new one", async () => {
    const html = join(dir, "stale.html");
    const pdf = join(dir, "stale.pdf");
    writeFileSync(html, "<!DOCTYPE html><title>new</title>");
    writeFileSync(pdf, "%PDF- an old report");
    const result = await writePdf(html, pdf, { executablePath: "/nonexistent/chromium" });
    expect(result.ok).toBe(false);
    expect(existsSync(pdf)).toBe(false);
  });

  describe("a Chromium that is there but broken fails with one line naming it and the fix", () => {
    const script = (name: string, body: string, mode = 0o755) => {
      const path = join(dir, name);
      writeFileSync(path, body);
      chmodSync(path, mode);
      return path;
    };
    const cases: Array<[string, () => string, RegExp]> = [
      ["/bin/false", () => "/bin/false", /exited with code 1|closed before it was ready/],
      ["a script that exits 1", () => script("exits-1", '#!/bin/sh\necho "cannot open display" >&2\nexit 1\n'), /exited with code 1|closed before it was ready/],
      ["a file that is not executable", () => script("not-executable", "just text\n", 0o644), /is not executable/],
      ["a directory", () => dir, /is not a file/],
    ];
    for (const [name, path, why] of cases) {
      it(name, async () => {
        const executable = path();
        const html = join(dir, "broken.html");
        const pdf = join(dir, "broken.pdf");
        writeFileSync(html, "<!DOCTYPE html><title>x</title>");
        writeFileSync(pdf, "%PDF- stale");
        vi.stubEnv("CHROMIUM_PATH", executable);
        try {
          const error = await writePdf(html, pdf).then(
            () => null,
            (e: unknown) => e,
          );
          expect(error).toBeInstanceOf(PdfError);
          const message = (error as PdfError).message;
          expect(message.split("\n")).toHaveLength(1);
          expect(message).toContain(`the Chromium at ${executable} `);
          expect(message).toMatch(why);
          expect(message).toContain("point CHROMIUM_PATH at a working Chromium");
          expect(message).not.toMatch(/Browser logs|Call log|<launching>|--disable-/);
          expect(existsSync(pdf)).toBe(false);
          expect(readdirSync(dir).filter((f) => f.includes(".partial"))).toEqual([]);
        } finally {
          vi.unstubAllEnvs();
        }
      }, 30_000);
    }
  });

  // CI sets REQUIRE_CHROMIUM so this test runs (and fails loudly) instead of being skipped.
  const hasChromium = existsSync(process.env.CHROMIUM_PATH ?? DEFAULT_CHROMIUM_PATH) || process.env.REQUIRE_CHROMIUM === "1";
  it.runIf(hasChromium)(
    "prints the report to an A4 PDF whose text contains the title",
    async () => {
      const html = join(dir, "report.html");
      const pdf = join(dir, "out", "..", "report.pdf");
      writeFileSync(html, buildReportHtml(exampleReport()));
      const result = await writePdf(html, pdf);
      expect(result).toEqual({ ok: true, path: join(dir, "report.pdf") });
      const bytes = readFileSync(join(dir, "report.pdf"));
      expect(bytes.subarray(0, 5).toString("latin1")).toBe("%PDF-");
      // No temporary file left behind next to the result.
      expect(readdirSync(dir).filter((f) => f.includes(".partial"))).toEqual([]);
      const text = execFileSync("pdftotext", ["-layout", join(dir, "report.pdf"), "-"], { encoding: "utf8" });
      expect(text).toContain("Composed features <2-d> & friends");
      expect(text).toContain("Provenance");
      expect(text).toContain("cafe1234");
      // A4 is 210 × 297 mm = 595.3 × 841.9 pt; Chromium rounds to whole device pixels.
      const info = execFileSync("pdfinfo", [join(dir, "report.pdf")], { encoding: "utf8" });
      expect(info).toMatch(/Page size:\s+59[45]\.\d+ x 84[12]\.\d+ pts \(A4\)/);
    },
    60_000,
  );
});

describe("the printed report", () => {
  const hasChromium = existsSync(process.env.CHROMIUM_PATH || DEFAULT_CHROMIUM_PATH) || process.env.REQUIRE_CHROMIUM === "1";
  /** The lr-l1-grid metrics table at the default profile's size: 14 columns, lr down to 3×10⁻⁵, one diverged row. */
  function wideReport() {
    const base = exampleReport();
    const svg = base.sections[1]?.figures?.[0]?.svg ?? "";
    const rows = [];
    for (const condition of ["correlated", "uncorrelated", "one-hot-75"])
      for (const lr of [3e-5, 1e-4, 3e-4, 1e-3, 3e-3])
        for (const l1 of [0.01, 0.03, 0.1, 0.3, 1])
          rows.push({
            condition,
            lr,
            l1,
            instance: 3,
            loss: 20.586 * l1,
            fvu: 0.6108,
            l0: 1.95,
            dead: 0,
            monosemanticity: 0.7303,
            mmcs: 0.8191,
            mmcs_sae_to_true: 0.8966,
            mcc: 0.9004,
            composed: 2,
            diverged: lr === 3e-3 && l1 === 1,
          });
    return {
      ...base,
      sections: [
        {
          heading: "Condition: correlated",
          id: "condition-correlated",
          figures: [
            { svg, caption: "Loss per cell.", title: "Loss", id: "heat-loss", group: "heat" },
            { svg, caption: "Monosemanticity per cell.", title: "Monosemanticity", id: "heat-mono", group: "heat" },
            { svg, caption: "MMCS per cell.", title: "MMCS", id: "heat-mmcs", group: "heat" },
          ],
        },
      ],
      metrics: {
        caption: "Lowest-loss SAE of every grid cell.",
        columns: ["condition", "lr", "l1", "instance", "loss", "fvu", "l0", "dead", "monosemanticity", "mmcs", "mmcs_sae_to_true", "mcc", "composed", "diverged"],
        rows,
      },
    };
  }

  it.runIf(hasChromium)(
    "has an outline of sections and figures, links for its contents, and a wide table inside the page",
    async () => {
      const html = join(dir, "wide.html");
      const pdf = join(dir, "wide.pdf");
      const report = wideReport();
      writeFileSync(html, buildReportHtml(report));
      expect((await writePdf(html, pdf)).ok).toBe(true);

      const info = execFileSync("pdfinfo", [pdf], { encoding: "utf8" });
      expect(info).toMatch(/Tagged:\s+yes/);
      // The outline (bookmarks), as poppler reads it back: report › sections › figures.
      const xml = execFileSync("pdftohtml", ["-stdout", "-xml", "-i", "-q", pdf], { encoding: "utf8" });
      const outline = [...xml.matchAll(/<item page="\d+">([^<]*)<\/item>/g)].map((m) => m[1]);
      expect(outline).toEqual([
        "Composed features &lt;2-d&gt; &amp; friends",
        "Condition: correlated",
        "Figure 1. Loss",
        "Figure 2. Monosemanticity",
        "Figure 3. MMCS",
        "Metrics",
        "Configuration",
        "Provenance",
      ]);
      expect(xml).toMatch(/<outline>\s*<item[^>]*>Composed[^<]*<\/item>\s*<outline>\s*<item[^>]*>Condition: correlated<\/item>\s*<outline>/);
      // The contents' links land somewhere: every target is a named destination of the PDF.
      const dests = execFileSync("pdfinfo", ["-dests", pdf], { encoding: "utf8" });
      for (const id of ["condition-correlated", "heat-loss", "heat-mono", "heat-mmcs", "metrics", "config", "provenance"]) expect(dests).toContain(`"${id}"`);

      // Nothing of the table is cut: every word lies inside the page's right margin (12 mm),
      // and the last column is there on every row.
      const width = Number(/Page size:\s+([\d.]+) x/.exec(info)?.[1]);
      const bbox = execFileSync("pdftotext", ["-bbox", pdf, "-"], { encoding: "utf8" });
      const right = Math.max(...[...bbox.matchAll(/xMax="([\d.]+)"/g)].map((m) => Number(m[1])));
      expect(right).toBeLessThanOrEqual(width - (12 / 25.4) * 72 + 1);
      const text = execFileSync("pdftotext", ["-layout", pdf, "-"], { encoding: "utf8" });
      for (const header of ["condition", "instance", "monosemanticity", "mmcs", "mcc", "composed", "diverged"]) expect(text).toContain(header);
      expect(text.match(/\b(?:no|yes)\s*$/gm)?.length).toBe(report.metrics.rows.length);
      // one format per column: every learning rate in scientific notation
      const table = text.slice(text.indexOf("Lowest-loss SAE of every grid cell."));
      expect(table).toContain("3×10⁻⁵");
      expect(table).toContain("1×10⁻³");
      expect(table).not.toMatch(/\s0\.00[13]\s/);
    },
    60_000,
  );
});
