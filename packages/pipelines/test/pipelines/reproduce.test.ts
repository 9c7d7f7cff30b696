/**
 * The reproduction index on the smoke profile (`nx run pipelines:reproduce:smoke`, run by
 * smoke-workspace.ts): one row per catalogue figure 1–36, each status taken from the run's
 * figure manifests (not written in advance), with links into the reports.
 */
import { describe, expect, inject, it } from "vitest";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parseManifest } from "../../src/framework/manifest.ts";
import type { IndexEntry } from "../../src/framework/reproduce.ts";

const root = inject("smokeRoot");
const entries = () => JSON.parse(readFileSync(join(root, "artifacts/index-smoke.json"), "utf8")) as IndexEntry[];

describe("reproduction index (smoke)", () => {
  it("is built after every experiment", () => {
    if (inject("smokeStatus") !== 0) console.error(inject("smokeOutput").slice(-4000));
    expect(inject("smokeStatus")).toBe(0);
    for (const f of ["index-smoke.html", "index-smoke.json"]) expect(existsSync(join(root, "artifacts", f)), f).toBe(true);
  });

  it("lists figures 1–36 with a status each; the implemented ones come from the experiments that draw them", () => {
    const list = entries();
    expect(list.map((e) => e.figure)).toEqual(Array.from({ length: 36 }, (_, i) => i + 1));
    for (const e of list) {
      expect(["shows", "does-not-show", "not-implemented"]).toContain(e.status);
      expect(e.title.length).toBeGreaterThan(0);
      expect(e.status === "not-implemented").toBe(e.experiments.length === 0);
    }
    const implemented = list.filter((e) => e.status !== "not-implemented").map((e) => e.figure);
    for (const n of [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 23, 24, 25, 26]) expect(implemented, `figure ${n}`).toContain(n);
    expect(list.find((e) => e.figure === 14)?.status).toBe("not-implemented");
  });

  it("takes each status from the findings of the report that draws the figure", () => {
    for (const e of entries().filter((x) => x.status !== "not-implemented")) {
      for (const x of e.experiments) {
        const manifest = parseManifest(readFileSync(join(root, "artifacts", `${x.experiment}-smoke`, "plots", "figures.json"), "utf8"), x.experiment);
        const r = manifest.reproduces.find((q) => q.figure === e.figure);
        expect(r, `${x.experiment} figure ${e.figure}`).toBeDefined();
        const decisive = manifest.findings.filter((f) => r?.findings.includes(f.id) && f.holds !== null);
        expect(x.status).toBe(decisive.length > 0 && decisive.every((f) => f.holds) ? "shows" : "does-not-show");
        // the link points into the report at the figure
        const [page, anchor] = x.link.split("#");
        expect(existsSync(join(root, "artifacts", page))).toBe(true);
        expect(readFileSync(join(root, "artifacts", page), "utf8")).toContain(`id="${anchor}"`);
      }
    }
  });

  it("writes a self-contained HTML page with a thumbnail per implemented figure", () => {
    const html = readFileSync(join(root, "artifacts/index-smoke.html"), "utf8");
    expect(html).not.toMatch(/<script[^>]+src=|<link[^>]+href="http/);
    const implemented = entries().filter((e) => e.status !== "not-implemented").length;
    expect((html.match(/class="thumb"/g) ?? []).length).toBe(implemented);
    expect(html).toContain("not implemented yet");
  });
});
