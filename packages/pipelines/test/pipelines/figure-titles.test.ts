/**
 * Hover titles in the figures of every smoke run (issue 11): every data mark of every figure
 * (each cell, dot, arrow, line, bar, reference line and label) carries a <title>, which a
 * browser shows as a tooltip — checked on the SVG files the plots stages wrote, so figures that
 * kinds draw with the shared builders, or with Plot directly, are all held to it.
 */
import { describe, expect, inject, it } from "vitest";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { JSDOM } from "jsdom";
import { dataMarkGroups, untitledMarks } from "@toy-sae/report";

const root = () => join(inject("smokeRoot"), "artifacts");

function figuresOf(run: string): string[] {
  const dir = join(root(), run, "plots");
  return existsSync(dir)
    ? readdirSync(dir)
        .filter((f) => f.endsWith(".svg"))
        .map((f) => join(dir, f))
    : [];
}

describe("every figure of every smoke run", () => {
  it("gives every data mark a <title>", () => {
    expect(inject("smokeStatus")).toBe(0);
    const runs = readdirSync(root()).filter((d) => d.endsWith("-smoke"));
    expect(runs.length).toBeGreaterThanOrEqual(5);
    let marks = 0;
    const problems: string[] = [];
    for (const run of runs)
      for (const file of figuresOf(run)) {
        const svg = new JSDOM(readFileSync(file, "utf8"), { contentType: "image/svg+xml" }).window.document.documentElement;
        marks += dataMarkGroups(svg).length;
        problems.push(...untitledMarks(svg).map((p) => `${run}/plots/${file.split("/").at(-1)}: ${p}`));
      }
    expect(problems).toEqual([]);
    expect(marks).toBeGreaterThan(100);
  });
});
