/**
 * The lr-l1-grid pipeline end to end on the smoke profile (run once for all pipeline tests by
 * smoke-workspace.ts): its Arrow outputs are read back and checked against the documented
 * columns, hand-checkable invariants and the golden outputs. Cache behaviour: caching.test.ts.
 */
import { describe, expect, inject, it } from "vitest";
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { readArtifact, readBoolColumn, readFloatColumn, readIntColumn, readStringColumn, type Artifact } from "@toy-sae/core/artifact/arrow";
import { compareToGolden, readGolden } from "../golden.ts";
import { taskStatus } from "../workspace.ts";

const STAGES = ["config", "generate", "train-model", "train-saes", "metrics", "plots", "report"];
const task = (stage: string) => `lr-l1-grid:${stage}:smoke`;

const first = { status: inject("smokeStatus"), output: inject("smokeOutput") };
const out = () => join(inject("smokeRoot"), "artifacts/lr-l1-grid-smoke");

describe("lr-l1-grid on the smoke profile", () => {
  it("runs every stage", () => {
    if (first.status !== 0) console.error(first.output.slice(-4000));
    expect(first.status).toBe(0);
    for (const s of STAGES) expect(taskStatus(first.output, task(s))).toBe("ran");
  });

  let metrics: Artifact;
  let cos: Artifact;
  it("writes metrics.arrow with one row per SAE and the documented columns", async () => {
    metrics = await readArtifact(join(out(), "metrics/metrics.arrow"));
    // smoke profile: 3 conditions × 2 lr × 2 λ × 2 realisations
    expect(metrics.numRows).toBe(24);
    for (const c of ["condition", "lr", "l1", "instance", "loss", "fvu", "l0", "dead", "monosemanticity", "mmcs", "diverged"]) {
      expect(metrics.columnNames).toContain(c);
    }
    expect(new Set(readStringColumn(metrics, "condition"))).toEqual(new Set(["correlated", "uncorrelated", "one-hot-75"]));
    expect(new Set(readFloatColumn(metrics, "lr"))).toEqual(new Set([1e-3, 3e-3]));
    const loss = readFloatColumn(metrics, "loss");
    const fvu = readFloatColumn(metrics, "fvu");
    const l0 = readFloatColumn(metrics, "l0");
    const mono = readFloatColumn(metrics, "monosemanticity");
    const mmcs = readFloatColumn(metrics, "mmcs");
    const diverged = readBoolColumn(metrics, "diverged");
    for (let r = 0; r < metrics.numRows; r++) {
      expect(diverged[r]).toBe(false);
      expect(Number.isFinite(loss[r])).toBe(true);
      expect(loss[r]).toBeGreaterThanOrEqual(fvu[r]);
      expect(l0[r]).toBeGreaterThan(0);
      expect(l0[r]).toBeLessThanOrEqual(4);
      expect(mono[r]).toBeGreaterThan(0);
      expect(mono[r]).toBeLessThanOrEqual(1 + 1e-9);
      expect(mmcs[r]).toBeGreaterThan(0);
      expect(mmcs[r]).toBeLessThanOrEqual(1 + 1e-9);
    }
    // exactly one lowest-loss instance per grid cell
    const best = readBoolColumn(metrics, "best_in_cell");
    expect(best.filter(Boolean).length).toBe(12);
  });

  it("records provenance in the Arrow schema metadata", () => {
    for (const key of ["experiment", "stage", "profile", "configHash", "seeds", "versions", "backend"]) {
      expect(metrics.metadata[key], key).toBeTruthy();
    }
    expect(metrics.metadata.experiment).toBe("lr-l1-grid");
    expect(metrics.metadata.profile).toBe("smoke");
    expect(JSON.parse(metrics.metadata.versions)["@tensorflow/tfjs-core"]).toBe("4.22.0");
    // the code's git state ("unknown" in a workspace copy outside a checkout, as this one usually is)
    expect(metrics.metadata.gitCommit).toMatch(/^([0-9a-f]{40}|unknown)$/);
    expect(["true", "false", "unknown"]).toContain(metrics.metadata.gitDirty);
  });

  it("writes cos.arrow: unit-normalised decoder row · true feature, for every latent and feature", async () => {
    cos = await readArtifact(join(out(), "metrics/cos.arrow"));
    expect(cos.numRows).toBe(24 * 4 * 4);
    for (const c of ["condition", "lr", "l1", "instance", "latent", "feature", "cos"]) expect(cos.columnNames).toContain(c);
    const values = readFloatColumn(cos, "cos");
    expect(values.every((v) => Math.abs(v) <= 1 + 1e-6)).toBe(true);
    // mmcs (true → SAE) recomputed from cos.arrow for the first SAE matches metrics.arrow
    const cond = readStringColumn(cos, "condition");
    const lr = readFloatColumn(cos, "lr");
    const l1 = readFloatColumn(cos, "l1");
    const inst = readIntColumn(cos, "instance");
    const feature = readIntColumn(cos, "feature");
    const rows = Array.from(values, (v, r) => ({ v, r })).filter(({ r }) => cond[r] === cond[0] && lr[r] === lr[0] && l1[r] === l1[0] && inst[r] === inst[0]);
    const perFeature = [0, 1, 2, 3].map((f) => Math.max(...rows.filter(({ r }) => feature[r] === f).map(({ v }) => v)));
    expect(perFeature.reduce((a, b) => a + b) / 4).toBeCloseTo(readFloatColumn(metrics, "mmcs")[0], 6);
  });

  it("gives the same metrics.arrow and cos.arrow as before the plug-in seams refactor (golden outputs)", () => {
    for (const [file, actual] of [
      ["metrics", metrics],
      ["cos", cos],
    ] as const) {
      const cmp = compareToGolden(actual, readGolden("lr-l1-grid", file));
      expect(cmp.problems, file).toEqual([]);
      expect(cmp.numbers, file).toBeGreaterThan(0);
    }
  });

  it("says what the smoke run is: a 2 × 2 grid with 2 realisations, not the default 5 × 5 with 5", () => {
    const html = readFileSync(join(out(), "report/index.html"), "utf8");
    const summary = /<p class="summary">([^<]*)<\/p>/.exec(html)?.[1] ?? "";
    expect(summary).toContain("a 2 × 2 grid of learning rates {1×10⁻³, 3×10⁻³} × L1 coefficients λ {0.03, 0.3}, 2 realisations per cell (24 SAEs in all)");
    expect(summary).not.toMatch(/5\s*×\s*5|5 realisations/);
    // every colour legend has at least two ticks
    const legends = [...html.matchAll(/<svg[^>]*class="ramp-legend"[\s\S]*?<\/svg>/g)].map((m) => (m[0].match(/class="ramp-tick"/g) ?? []).length);
    expect(legends.length).toBeGreaterThan(0);
    expect(Math.min(...legends)).toBeGreaterThanOrEqual(2);
    // the loss, monosemanticity and MMCS heatmaps of a condition share a row
    expect(html).toMatch(/<div class="figure-row">\s*<figure id="heat-loss-correlated">[\s\S]*?<figure id="heat-mono-correlated">[\s\S]*?<figure id="heat-mmcs-correlated">/);
  });

  it.runIf(existsSync(process.env.CHROMIUM_PATH || "/usr/bin/chromium") || process.env.REQUIRE_CHROMIUM === "1")(
    "prints a tagged PDF whose outline lists the sections and figures",
    () => {
      const pdf = join(out(), "report/report.pdf");
      expect(execFileSync("pdfinfo", [pdf], { encoding: "utf8" })).toMatch(/Tagged:\s+yes/);
      const xml = execFileSync("pdftohtml", ["-stdout", "-xml", "-i", "-q", pdf], { encoding: "utf8" });
      const outline = [...xml.matchAll(/<item page="\d+">([^<]*)<\/item>/g)].map((m) => m[1]);
      for (const entry of [
        "Findings in this run",
        "What was run",
        "Condition: correlated",
        "Figure 1. Decoder directions over the lr × λ grid — correlated",
        "Metrics",
        "Provenance",
      ])
        expect(outline).toContain(entry);
      expect(outline.filter((e) => e.startsWith("Figure ")).length).toBe(18);
    },
  );

  it("states the run's length against the paper profile's, from every profile's estimated work", () => {
    const snapshot = JSON.parse(readFileSync(join(out(), "config/report.json"), "utf8")) as { work: Record<string, Record<string, number>> };
    expect(Object.keys(snapshot.work).sort()).toEqual(["default", "paper", "smoke"]);
    // the paper profile trains 128M samples per SAE on the full grid, the smoke profile a few thousand on 24 SAEs
    const { smoke, paper } = snapshot.work;
    expect(paper["train-saes"]).toBeGreaterThan(1000 * smoke["train-saes"]);
    const share = (smoke["train-model"] + smoke["train-saes"]) / (paper["train-model"] + paper["train-saes"]);
    const html = readFileSync(join(out(), "report/index.html"), "utf8");
    const row = html.match(/<th scope="row">Length<\/th><td>([^<]*)<\/td>/)?.[1] ?? "";
    expect(row).toContain(`${(share * 100).toPrecision(2)} % of the original&#39;s estimated work`);
    expect(row).toMatch(/the paper profile would take ≈ \d+ (h|min)/);
  });

  it("builds a self-contained HTML report with the figures, and its PDF", () => {
    const html = readFileSync(join(out(), "report/index.html"), "utf8");
    expect(html).toContain("<svg");
    expect(html).not.toMatch(/<script[^>]+src=|<link[^>]+href="http/);
    const manifest = JSON.parse(readFileSync(join(out(), "plots/figures.json"), "utf8")) as { figures: Array<{ id: string; file: string }> };
    expect(manifest.figures.length).toBeGreaterThanOrEqual(8);
    for (const f of manifest.figures) expect(existsSync(join(out(), "plots", f.file))).toBe(true);
    const chromium = existsSync(process.env.CHROMIUM_PATH ?? "/usr/bin/chromium");
    if (chromium || process.env.REQUIRE_CHROMIUM) {
      const pdf = readFileSync(join(out(), "report/report.pdf"));
      expect(pdf.subarray(0, 4).toString()).toBe("%PDF");
    }
  });
});
