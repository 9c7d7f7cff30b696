/**
 * The three sparse-but-wrong pipelines end to end on their smoke profiles (run once for all
 * pipeline tests by smoke-workspace.ts): the Arrow outputs are read back and checked (rows, columns, the true L0
 * against Σp within its sampling error, finite metrics, cosines in [−1, 1], provenance), and
 * the report has its figures.
 */
import { describe, expect, inject, it } from "vitest";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { readArtifact, readBoolColumn, readFloatColumn, readIntColumn, readStringColumn, type Artifact } from "@toy-sae/core/artifact/arrow";
import { compareToGolden, readGolden } from "../golden.ts";
import { taskStatus } from "../workspace.ts";

const STAGES = ["config", "generate", "train-model", "train-saes", "metrics", "plots", "report"];
const METRIC_COLUMNS = ["run", "k", "rho", "seed", "true_l0", "l0", "dead", "shrinkage", "variance_explained", "feature_mixing"];
const COS_COLUMNS = ["run", "k", "rho", "seed", "latent", "feature", "enc_cos", "dec_cos"];

interface Expected {
  name: string;
  /** SAEs of the smoke profile (see its `profiles.smoke.sae.runs`). */
  saes: number;
  features: number;
  dSae: number;
  /** Σp, the expected true L0. */
  sumP: number;
  /** Figures the smoke profile's plots section asks for. */
  figures: string[];
}

const PIPELINES: Expected[] = [
  // k2-random 2 + k18-truth 2 + rho-sweep 3 ρ × 2 seeds + k-sweep 2 k × 2 ρ × 2 seeds + superposition 2
  { name: "toy-l0-small", saes: 2 + 2 + 6 + 8 + 2, features: 5, dSae: 5, sumP: 2.0, figures: ["pos-k18", "mixing-vs-rho", "mixing-vs-k-positive", "superposition-features"] },
  // l0-runs 2 + finetuned 1 + k-sweep 3 + ground-truth 3 (untrained) + 2 transitions
  {
    name: "toy-l0-main",
    saes: 2 + 1 + 3 + 3 + 2,
    features: 50,
    dSae: 50,
    sumP: 10.9525,
    figures: ["firing-probabilities", "correlation", "l0-eq", "decoder-projection", "variance-explained", "pairwise-decoder", "intuition"],
  },
  { name: "toy-l0-jumprelu", saes: 3, features: 50, dSae: 50, sumP: 10.9525, figures: ["jumprelu-l0", "jumprelu-projection"] },
];

const ws = { root: inject("smokeRoot") };
const smoke = { status: inject("smokeStatus"), output: inject("smokeOutput") };
const runs = new Map(PIPELINES.map((p) => [p.name, smoke]));

describe.each(PIPELINES)("$name on the smoke profile", (p) => {
  const out = () => join(ws.root, `artifacts/${p.name}-smoke`);
  let metrics: Artifact;

  it("runs every stage", () => {
    const r = runs.get(p.name);
    if (r?.status !== 0) console.error(r?.output.slice(-4000));
    expect(r?.status).toBe(0);
    for (const s of STAGES) expect(taskStatus(r?.output ?? "", `${p.name}:${s}:smoke`), s).toBe("ran");
  });

  it("writes metrics.arrow: one row per SAE with the documented columns and finite values", async () => {
    metrics = await readArtifact(join(out(), "metrics/metrics.arrow"));
    expect(metrics.numRows).toBe(p.saes);
    for (const c of METRIC_COLUMNS) expect(metrics.columnNames).toContain(c);
    const diverged = readBoolColumn(metrics, "diverged");
    expect(diverged.every((d) => !d)).toBe(true);
    for (const c of ["true_l0", "l0", "shrinkage", "variance_explained", "feature_mixing", "mse", "pairwise_dec_cos"]) {
      expect(readFloatColumn(metrics, c).every(Number.isFinite), c).toBe(true);
    }
    const dead = readIntColumn(metrics, "dead");
    expect(dead.every((d) => d >= 0 && d <= p.dSae)).toBe(true);
    const l0 = readFloatColumn(metrics, "l0");
    expect(l0.every((v) => v > 0 && v <= p.dSae)).toBe(true);
    const mixing = readFloatColumn(metrics, "feature_mixing");
    expect(mixing.every((v) => Math.abs(v) <= 1 + 1e-9)).toBe(true);
  });

  it("measures the true L0 at Σp within five standard errors", () => {
    const trueL0 = readFloatColumn(metrics, "true_l0");
    const se = readFloatColumn(metrics, "true_l0_se");
    for (let r = 0; r < metrics.numRows; r++) {
      expect(se[r]).toBeGreaterThan(0);
      expect(se[r]).toBeLessThan(0.1);
      expect(Math.abs(trueL0[r] - p.sumP)).toBeLessThan(5 * se[r]);
    }
  });

  it("BatchTopK SAEs keep ⌊k·B⌋ activations over the evaluation batch: L0 = k (at most k when untrained)", () => {
    const arch = readStringColumn(metrics, "architecture");
    const trained = readBoolColumn(metrics, "trained");
    const k = readFloatColumn(metrics, "final_k");
    const l0 = readFloatColumn(metrics, "l0");
    const n = Number(metrics.metadata.eval_samples);
    for (let r = 0; r < metrics.numRows; r++) {
      if (arch[r] !== "batchtopk") continue;
      const kept = Math.floor(k[r] * n) / n;
      // the ground-truth SAE has no positive pre-activation beyond the firing features (up to rounding)
      if (trained[r]) expect(l0[r]).toBeCloseTo(kept, 9);
      else expect(l0[r]).toBeLessThanOrEqual(kept + 1e-9);
    }
  });

  it("records provenance in the Arrow schema metadata", () => {
    for (const key of ["experiment", "stage", "profile", "configHash", "seeds", "versions", "backend"]) expect(metrics.metadata[key], key).toBeTruthy();
    expect(metrics.metadata.experiment).toBe(p.name);
    expect(metrics.metadata.profile).toBe("smoke");
  });

  it("writes cos.arrow: encoder and decoder cosines in [−1, 1] for every latent and feature", async () => {
    const cos = await readArtifact(join(out(), "metrics/cos.arrow"));
    expect(cos.numRows).toBe(p.saes * p.dSae * p.features);
    for (const c of COS_COLUMNS) expect(cos.columnNames).toContain(c);
    for (const c of ["enc_cos", "dec_cos"])
      expect(
        readFloatColumn(cos, c).every((v) => Math.abs(v) <= 1 + 1e-6),
        c,
      ).toBe(true);
    expect(cos.metadata.profile).toBe("smoke");
  });

  it("gives the same metrics.arrow and cos.arrow as before the plug-in seams refactor (golden outputs)", async () => {
    for (const file of ["metrics", "cos"] as const) {
      const cmp = compareToGolden(await readArtifact(join(out(), `metrics/${file}.arrow`)), readGolden(p.name, file));
      expect(cmp.problems, file).toEqual([]);
      expect(cmp.numbers, file).toBeGreaterThan(0);
    }
  });

  it("writes s_n^dec for every SAE and n", async () => {
    const proj = await readArtifact(join(out(), "metrics/projections.arrow"));
    expect(proj.numRows).toBe(p.saes * p.dSae);
    expect(readFloatColumn(proj, "s_n").every(Number.isFinite)).toBe(true);
  });

  it("builds a self-contained HTML report with its figures and findings, and its PDF", () => {
    const html = readFileSync(join(out(), "report/index.html"), "utf8");
    expect(html).toContain("<svg");
    expect(html).toContain("Findings in this run");
    expect(html).not.toMatch(/<script[^>]+src=|<link[^>]+href="http/);
    const manifest = JSON.parse(readFileSync(join(out(), "plots/figures.json"), "utf8")) as { figures: Array<{ id: string; file: string }>; findings: unknown[] };
    const ids = manifest.figures.map((f) => f.id);
    for (const id of p.figures) expect(ids).toContain(id);
    for (const f of manifest.figures) expect(existsSync(join(out(), "plots", f.file))).toBe(true);
    expect(manifest.findings.length).toBeGreaterThan(0);
    const chromium = existsSync(process.env.CHROMIUM_PATH ?? "/usr/bin/chromium");
    if (chromium || process.env.REQUIRE_CHROMIUM) {
      expect(readFileSync(join(out(), "report/report.pdf")).subarray(0, 4).toString()).toBe("%PDF");
    }
  });
});

describe("toy-l0-small smoke report text", () => {
  const html = () => readFileSync(join(ws.root, "artifacts/toy-l0-small-smoke/report/index.html"), "utf8");
  const section = (id: string) => {
    const page = html();
    const start = page.indexOf(`<section id="${id}">`);
    return start < 0 ? "" : page.slice(start, page.indexOf("</section>", start));
  };

  it("has no section without figures, and mentions the red dashed line only where a figure draws it", () => {
    const page = html();
    // the smoke profile has no JumpReLU run and no idealised histogram
    expect(page).not.toContain("<h2>JumpReLU SAEs</h2>");
    expect(page).not.toContain("<h2>Why s_n^dec finds the true L0</h2>");
    const sweeps = section("sweeps");
    expect(sweeps).toContain("Feature mixing vs correlation");
    expect(sweeps).not.toContain("reference-line");
    expect(sweeps).not.toContain("red dashed");
  });

  it("summarises the smoke runs, not the default profile's description", () => {
    const summary = /<p class="summary">([^<]*)<\/p>/.exec(html())?.[1] ?? "";
    expect(summary).toContain("20 SAEs with 5 latents in 5 run groups");
    expect(summary).toContain("k-sweep (batchtopk, k ∈ {1.8, 2})");
    expect(summary).not.toContain("1.7–1.9");
    expect(html()).toContain("Deviation from the original in this profile (&quot;smoke&quot;)");
    expect(html()).not.toContain("default profile");
  });
});

describe("toy-l0-small smoke specifics", () => {
  it("starts ground-truth SAEs at the features and keeps the superposition model non-orthogonal", async () => {
    const model = await readArtifact(join(ws.root, "artifacts/toy-l0-small-smoke/train-model/model.arrow"));
    expect(readStringColumn(model, "model")).toEqual(["orthogonal", "superposition"]);
    const err = readFloatColumn(model, "max_orthogonality_error");
    expect(err[0]).toBeLessThan(1e-5);
    expect(err[1]).toBeGreaterThan(0.05);
    const spec = await readArtifact(join(ws.root, "artifacts/toy-l0-small-smoke/generate/spec.arrow"));
    expect(Array.from(readFloatColumn(spec, "rho"))).toEqual([-0.4, 0, 0.4]);
  });
});
