import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it, vi } from "vitest";
import { buildReportHtml } from "../src/html.ts";
import { DEFAULT_CHROMIUM_PATH, writePdf } from "../src/pdf.ts";
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
        message:
          "PDF skipped: no Chromium at /nonexistent/chromium — install it with `apt-get install -y chromium` (or set CHROMIUM_PATH)",
      });
      expect(existsSync(join(dir, "missing.pdf"))).toBe(false);
    } finally {
      vi.unstubAllEnvs();
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
