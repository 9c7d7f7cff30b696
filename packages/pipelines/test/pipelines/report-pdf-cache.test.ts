/**
 * The report stage and the browser (issue 11, "The PDF and the cache"), in a workspace of its
 * own where lr-l1-grid runs on the smoke profile: which Chromium would print the PDF is part of
 * the report stage's cache key (nx/chromium.cjs), so a report cached without its PDF is not
 * replayed once a browser is there; a stale PDF never survives a rerun; a broken browser fails
 * the stage with one line naming it and the fix, and caches nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { taskStatus, tempWorkspace, type TempWorkspace } from "../workspace.ts";

const REAL_CHROMIUM = "/usr/bin/chromium";
const hasChromium = existsSync(REAL_CHROMIUM) || process.env.REQUIRE_CHROMIUM === "1";
let ws: TempWorkspace;
let bin: string;

function fake(name: string, body: string): string {
  const path = join(bin, name);
  writeFileSync(path, `#!/bin/sh\n${body}\n`);
  chmodSync(path, 0o755);
  return path;
}

function report(chromium: string): { status: number; output: string; report: "cached" | "ran" | "absent"; pdf: boolean } {
  const r = ws.nx(["run", "lr-l1-grid:report:smoke"], { CHROMIUM_PATH: chromium });
  const out = join(ws.root, "artifacts/lr-l1-grid-smoke/report");
  return { ...r, report: taskStatus(r.output, "lr-l1-grid:report:smoke"), pdf: existsSync(join(out, "report.pdf")) };
}

beforeAll(() => {
  ws = tempWorkspace();
  bin = mkdtempSync(join(tmpdir(), "toy-sae-fake-chromium-"));
});
afterAll(() => {
  ws?.dispose();
  if (bin) rmSync(bin, { recursive: true, force: true });
});

describe("report stage caching with and without a browser", () => {
  it("without a browser: writes the HTML, says how to get the PDF, and replays that from the cache", () => {
    const first = report(join(bin, "no-such-chromium"));
    if (first.status !== 0) console.error(first.output.slice(-3000));
    expect(first.status).toBe(0);
    expect(first.report).toBe("ran");
    expect(first.pdf).toBe(false);
    expect(first.output).toContain(`PDF skipped: no Chromium at ${join(bin, "no-such-chromium")}`);
    expect(existsSync(join(ws.root, "artifacts/lr-l1-grid-smoke/report/index.html"))).toBe(true);
    const again = report(join(bin, "no-such-chromium"));
    expect(again.report).toBe("cached");
    expect(again.pdf).toBe(false);
  });

  it.runIf(hasChromium)("once a browser is there, the report reruns and writes its PDF; rerunning then replays the PDF", () => {
    // A "fake" CHROMIUM_PATH that is a real browser under another name: the cache key follows the
    // executable the stage would use, not a fixed path.
    const chromium = fake("chromium-wrapper", `exec ${REAL_CHROMIUM} "$@"`);
    const withBrowser = report(chromium);
    if (withBrowser.status !== 0) console.error(withBrowser.output.slice(-3000));
    expect(withBrowser.status).toBe(0);
    expect(withBrowser.report).toBe("ran");
    expect(withBrowser.pdf).toBe(true);
    expect(readFileSync(join(ws.root, "artifacts/lr-l1-grid-smoke/report/report.pdf")).subarray(0, 5).toString("latin1")).toBe("%PDF-");
    const again = report(chromium);
    expect(again.report).toBe("cached");
    expect(again.pdf).toBe(true);
  });

  it("a browser that does not start fails the stage with one line naming it and the fix, and leaves no PDF", () => {
    const broken = fake("broken-chromium", 'echo "cannot open display" >&2\nexit 1');
    // its --version fails too, so the cache key says "broken"; the launch is what fails the stage
    const r = report(broken);
    expect(r.status).not.toBe(0);
    expect(r.report).toBe("ran");
    const lines = r.output.split("\n").filter((l) => l.includes("PDF failed"));
    expect(lines).toEqual([
      `error: PDF failed: the Chromium at ${broken} exited with code 1 before it was ready — point CHROMIUM_PATH at a working Chromium (e.g. /usr/bin/chromium) or unset it`,
    ]);
    expect(r.output).not.toMatch(/Browser logs|Call log|<launching>|\n\s+at /);
    expect(r.pdf).toBe(false);
    // nothing was cached for the broken browser: it fails again rather than replaying
    expect(report(broken).status).not.toBe(0);
  });

  it("going back to no browser restores the HTML-only report from the cache, without the PDF of another run", () => {
    const r = report(join(bin, "no-such-chromium"));
    expect(r.status).toBe(0);
    expect(r.report).toBe("cached");
    expect(r.pdf).toBe(false);
  });
});
