/**
 * composed-more-dims on the smoke profile (figure 26): conditions of their own set sizes, hidden
 * sizes and SAE widths in one experiment of the composed kind — one model per condition, SAEs of
 * d_sae = 2 × set size, and the imshow figure per condition.
 */
import { describe, expect, inject, it } from "vitest";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { readArtifact, readFloatColumn, readIntColumn, readStringColumn } from "@toy-sae/core/artifact/arrow";
import { parseManifest } from "../../src/framework/manifest.ts";

const out = join(inject("smokeRoot"), "artifacts/composed-more-dims-smoke");

describe("composed-more-dims (smoke)", () => {
  it("trains one toy model per condition with its own shape", async () => {
    const model = await readArtifact(join(out, "train-model/model.arrow"));
    const n = readIntColumn(model, "n_in");
    const h = readIntColumn(model, "n_hidden");
    const names = readStringColumn(model, "condition");
    expect(names).toHaveLength(16);
    expect([n[names.indexOf("sets4-hidden3")], h[names.indexOf("sets4-hidden3")]]).toEqual([8, 3]);
    expect([n[names.indexOf("sets8-hidden5")], h[names.indexOf("sets8-hidden5")]]).toEqual([16, 5]);
  });

  it("evaluates SAEs of twice the set size on each condition", async () => {
    const metrics = await readArtifact(join(out, "metrics/metrics.arrow"));
    expect(metrics.numRows).toBe(16 * 2); // 16 conditions × 1 lr × 1 λ × 2 realisations
    const cond = readStringColumn(metrics, "condition");
    const dSae = readIntColumn(metrics, "d_sae");
    for (const [r, c] of cond.entries()) expect(dSae[r], c).toBe(c.startsWith("sets4") ? 8 : 16);
    const mono = readFloatColumn(metrics, "monosemanticity");
    expect(mono.every((v) => v >= 0 && v <= 1 + 1e-9)).toBe(true);
    const cos = await readArtifact(join(out, "metrics/cos.arrow"));
    expect(cos.numRows).toBe(Array.from(cond, (c) => (c.startsWith("sets4") ? 8 * 8 : 16 * 16)).reduce((a, b) => a + b, 0));
  });

  it("draws figure 26 for every condition, with a finding per condition", () => {
    const manifest = parseManifest(readFileSync(join(out, "plots/figures.json"), "utf8"), "composed-more-dims");
    const imshows = manifest.figures.filter((f) => f.id.startsWith("imshow-"));
    expect(imshows).toHaveLength(16);
    const r = manifest.reproduces.find((x) => x.figure === 26);
    expect(r?.figures).toHaveLength(16);
    expect(r?.findings).toHaveLength(16);
    // no 2-d figures: every condition has more than two hidden dimensions
    expect(manifest.figures.some((f) => f.id.startsWith("grid-"))).toBe(false);
  });
});
