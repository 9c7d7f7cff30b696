/**
 * The two feature-hedging pipelines end to end on their smoke profiles, in a temporary copy of
 * the workspace: the Arrow outputs the issue fixes (metrics, cos, bdec, loss-curves) are read
 * back and checked (columns, row counts, value ranges, the loss-curve minimum against the
 * paper's number, latent 0 = the parent's latent, β = ∞ for detached), provenance, the findings
 * and the catalogue figures the reproduction index collects, and the report.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { readArtifact, readBoolColumn, readFloatColumn, readIntColumn, readStringColumn } from "@toy-sae/core/artifact/arrow";
import { taskStatus, tempWorkspace, type TempWorkspace } from "./workspace.ts";

const STAGES = ["config", "generate", "train-model", "train-saes", "metrics", "plots", "report"];

let ws: TempWorkspace;
const runs = new Map<string, { status: number; output: string }>();

beforeAll(() => {
  ws = tempWorkspace();
  for (const name of ["hedging-single-latent", "hedging-matryoshka-balance"]) runs.set(name, ws.nx(["run", `pipelines:${name}:smoke`]));
});
afterAll(() => ws?.dispose());

const out = (name: string, file: string) => join(ws.root, `artifacts/${name}-smoke`, file);
const finite = (a: ArrayLike<number>) => Array.from(a).every(Number.isFinite);
const within = (a: ArrayLike<number>, lo: number, hi: number) => Array.from(a).every((v) => v >= lo && v <= hi);

interface Manifest {
  figures: Array<{ id: string; file: string }>;
  findings: Array<{ id: string; holds: boolean | null; claim: string; text: string }>;
  reproduces: Array<{ figure: number; figures: string[]; findings: string[]; status: string }>;
}
const manifestOf = (name: string) => JSON.parse(readFileSync(out(name, "plots/figures.json"), "utf8")) as Manifest;

describe.each(["hedging-single-latent", "hedging-matryoshka-balance"])("%s on the smoke profile", (name) => {
  it("runs every stage", () => {
    const r = runs.get(name);
    if (r?.status !== 0) console.error(r?.output.slice(-4000));
    expect(r?.status).toBe(0);
    for (const s of STAGES) expect(taskStatus(r?.output ?? "", `${name}:${s}:smoke`), s).toBe("ran");
  });

  it("records provenance in every Arrow file it was asked for", async () => {
    for (const file of ["metrics/metrics.arrow", "metrics/cos.arrow", "metrics/bdec.arrow", "metrics/loss-curves.arrow", "train-saes/saes.arrow"]) {
      const art = await readArtifact(out(name, file));
      for (const key of ["experiment", "stage", "profile", "configHash", "seeds", "versions", "backend"]) expect(art.metadata[key], `${file} ${key}`).toBeTruthy();
      expect(art.metadata.experiment).toBe(name);
      expect(art.metadata.profile).toBe("smoke");
    }
  });

  it("builds the HTML report with its figures and findings, and lists catalogue figures for the index", () => {
    const html = readFileSync(out(name, "report/index.html"), "utf8");
    expect(html).toContain("<svg");
    expect(html).toContain("Findings in this run");
    expect(html).toContain("Deviations from the original");
    expect(html).not.toMatch(/<script[^>]+src=|<link[^>]+href="http/);
    const manifest = manifestOf(name);
    for (const f of manifest.figures) expect(existsSync(out(name, `plots/${f.file}`)), f.file).toBe(true);
    expect(manifest.findings.length).toBeGreaterThan(0);
    for (const r of manifest.reproduces) {
      expect(r.figure).toBeGreaterThanOrEqual(15);
      expect(r.figure).toBeLessThanOrEqual(22);
      expect(r.findings.length).toBeGreaterThan(0);
      // the status follows the findings: shows iff every tested one holds
      const tested = r.findings.map((id) => manifest.findings.find((f) => f.id === id)).filter((f) => f && f.holds !== null);
      expect(r.status).toBe(tested.length > 0 && tested.every((f) => f?.holds === true) ? "shows" : "does-not-show");
    }
    if (existsSync(process.env.CHROMIUM_PATH ?? "/usr/bin/chromium") || process.env.REQUIRE_CHROMIUM) {
      expect(readFileSync(out(name, "report/report.pdf")).subarray(0, 4).toString()).toBe("%PDF");
    }
  });
});

describe("hedging-single-latent smoke outputs", () => {
  const name = "hedging-single-latent";
  // smoke runs (seeds): indep (2), hierarchical (2), hedge-demo (2), absorption (2, d_sae 2), corr-low-l1 (1),
  // full-width (1, d_sae 2), anti-corr (2); every other SAE has one latent; 2 features
  const dSae = [1, 1, 1, 1, 1, 1, 2, 2, 1, 2, 1, 1];

  it("metrics.arrow: one row per SAE with run, seed, d_sae, l1, noise, mse, l0, dead, b_dec_norm", async () => {
    const m = await readArtifact(out(name, "metrics/metrics.arrow"));
    for (const c of ["run", "seed", "d_sae", "l1", "noise", "mse", "l0", "dead", "b_dec_norm"]) expect(m.columnNames).toContain(c);
    expect(readStringColumn(m, "run")).toEqual([
      "indep",
      "indep",
      "hierarchical",
      "hierarchical",
      "hedge-demo",
      "hedge-demo",
      "absorption",
      "absorption",
      "corr-low-l1",
      "full-width",
      "anti-corr",
      "anti-corr",
    ]);
    expect(Array.from(readIntColumn(m, "seed"))).toEqual([0, 1, 0, 1, 0, 1, 0, 1, 0, 0, 0, 1]);
    expect(Array.from(readIntColumn(m, "d_sae"))).toEqual(dSae);
    expect(Array.from(readFloatColumn(m, "l1"))).toEqual([...Array<number>(10).fill(1e-3), 2e-2, 2e-2]);
    expect(Array.from(readFloatColumn(m, "noise"))).toEqual([0.25, 0.25, 0.25, 0.25, 0, 0, 0.1, 0.1, 0.25, 0.25, 0.25, 0.25]);
    const mse = readFloatColumn(m, "mse");
    expect(finite(mse) && within(mse, 0, 2)).toBe(true);
    const l0 = readFloatColumn(m, "l0");
    for (const [r, v] of l0.entries()) expect(v).toBeLessThanOrEqual(dSae[r]);
    expect(within(l0, 0.05, 2)).toBe(true); // every SAE fires on some samples
    const dead = readIntColumn(m, "dead");
    expect(Array.from(dead).every((d) => d === 0)).toBe(true);
    const norm = readFloatColumn(m, "b_dec_norm");
    expect(finite(norm) && within(norm, 0, 1)).toBe(true);
    expect(readBoolColumn(m, "diverged").every((d) => !d)).toBe(true);
    // the firing frequency of the independent child is its p = 0.2 within sampling error (4000 samples)
    const features = await readArtifact(out(name, "generate/features.arrow"));
    const freq = readFloatColumn(features, "firing_frequency");
    const row = readStringColumn(features, "dataset").findIndex((d, r) => d === "independent" && readIntColumn(features, "feature")[r] === 1);
    expect(Math.abs(freq[row] - 0.2)).toBeLessThan(5 * Math.sqrt((0.2 * 0.8) / 4000));
  });

  it("cos.arrow and bdec.arrow: every latent × feature, cosines in [−1, 1]", async () => {
    const cos = await readArtifact(out(name, "metrics/cos.arrow"));
    for (const c of ["run", "seed", "latent", "feature", "enc_cos", "dec_cos"]) expect(cos.columnNames).toContain(c);
    expect(cos.numRows).toBe(dSae.reduce((a, b) => a + b, 0) * 2);
    for (const c of ["enc_cos", "dec_cos"]) expect(within(readFloatColumn(cos, c), -1 - 1e-9, 1 + 1e-9), c).toBe(true);
    const bdec = await readArtifact(out(name, "metrics/bdec.arrow"));
    for (const c of ["run", "seed", "feature", "cos"]) expect(bdec.columnNames).toContain(c);
    expect(bdec.numRows).toBe(dSae.length * 2);
    expect(within(readFloatColumn(bdec, "cos"), -1 - 1e-9, 1 + 1e-9)).toBe(true);
  });

  it("loss-curves.arrow: both settings × λ ∈ {0, 0.1} on 10,000 α values, minimised where the paper says", async () => {
    const lc = await readArtifact(out(name, "metrics/loss-curves.arrow"));
    for (const c of ["setting", "l1", "alpha", "expected_loss"]) expect(lc.columnNames).toContain(c);
    expect(lc.numRows).toBe(4 * 10_000);
    const setting = readStringColumn(lc, "setting");
    expect(new Set(setting)).toEqual(new Set(["skew-parent", "skew-child"]));
    const l1 = readFloatColumn(lc, "l1");
    const alpha = readFloatColumn(lc, "alpha");
    const loss = readFloatColumn(lc, "expected_loss");
    const argmin = (s: string, lambda: number) => {
      let best = -1;
      for (let r = 0; r < lc.numRows; r++) if (setting[r] === s && l1[r] === lambda && (best < 0 || loss[r] < loss[best])) best = r;
      return { alpha: alpha[best], loss: loss[best] };
    };
    expect(argmin("skew-parent", 0).alpha).toBeCloseTo(0.232, 2);
    expect(argmin("skew-parent", 0).loss).toBeCloseTo(0.0697, 4);
    expect(argmin("skew-child", 0).alpha).toBeCloseTo(0.459, 2);
    expect(argmin("skew-child", 0.1).loss).toBeCloseTo(0.0958, 4);
  });

  it("tests the figures' claims on the run and lists figures 15–21 for the index", () => {
    const manifest = manifestOf(name);
    expect(manifest.reproduces.map((r) => r.figure)).toEqual([15, 16, 17, 18, 19, 20, 21]);
    const ids = manifest.findings.map((f) => f.id);
    expect(ids).toEqual(
      expect.arrayContaining([
        "independent-latent-and-bdec",
        "hierarchical-hedging",
        "hedging-hedging",
        "absorption-absorption",
        "correlated-low-l1-hedging",
        "correlated-full-width-separates",
        "anti-correlated-absorption",
        "loss-curve-minima",
        "loss-curve-argmin-not-zero",
      ]),
    );
    // started exactly at the parent, the single latent moves toward the child within the smoke run's 500 steps
    expect(manifest.findings.find((f) => f.id === "hedging-hedging")?.holds).toBe(true);
    // the analytic curves do not depend on training: they show on any profile
    expect(manifest.findings.find((f) => f.id === "loss-curve-minima")?.holds).toBe(true);
    expect(manifest.reproduces.find((r) => r.figure === 21)?.status).toBe("shows");
  });
});

describe("hedging-matryoshka-balance smoke outputs", () => {
  const name = "hedging-matryoshka-balance";
  // smoke: standard, detached, balanced (balanced tree), unbalanceable (unbalanced), 1 seed each,
  // and beta-sweep over β ∈ {0, 0.25, ∞} on both trees, 1 seed: 4 + 6 SAEs of 4 latents, 4 features

  it("metrics.arrow: run, tree, beta, seed, mse, l0, mcc, f1; β = ∞ for detached; the sweep's rows are run beta-sweep", async () => {
    const m = await readArtifact(out(name, "metrics/metrics.arrow"));
    for (const c of ["run", "tree", "beta", "seed", "mse", "l0", "mcc", "f1"]) expect(m.columnNames).toContain(c);
    expect(m.numRows).toBe(10);
    const run = readStringColumn(m, "run");
    const tree = readStringColumn(m, "tree");
    const beta = readFloatColumn(m, "beta");
    expect(run).toEqual(["standard", "detached", "balanced", "unbalanceable", ...Array<string>(6).fill("beta-sweep")]);
    expect(tree).toEqual(["balanced", "balanced", "balanced", "unbalanced", "balanced", "balanced", "balanced", "unbalanced", "unbalanced", "unbalanced"]);
    expect(Array.from(beta)).toEqual([0, Infinity, 0.25, 0.17, 0, 0.25, Infinity, 0, 0.25, Infinity]);
    for (const c of ["mcc", "f1"]) expect(within(readFloatColumn(m, c), 0, 1), c).toBe(true);
    // started at the ground truth and trained briefly: every latent still matches its feature well
    expect(within(readFloatColumn(m, "mcc"), 0.9, 1)).toBe(true);
    expect(within(readFloatColumn(m, "l0"), 0.2, 4)).toBe(true);
    expect(finite(readFloatColumn(m, "mse"))).toBe(true);
  });

  it("cos.arrow: latent 0 is the parent's latent (ground-truth start with ordering [0, 1, 2, 3])", async () => {
    const cos = await readArtifact(out(name, "metrics/cos.arrow"));
    for (const c of ["run", "tree", "beta", "seed", "latent", "feature", "enc_cos", "dec_cos"]) expect(cos.columnNames).toContain(c);
    expect(cos.numRows).toBe(10 * 4 * 4);
    const sae = readIntColumn(cos, "sae");
    const latent = readIntColumn(cos, "latent");
    const feature = readIntColumn(cos, "feature");
    const dec = readFloatColumn(cos, "dec_cos");
    const at = (s: number, l: number, f: number) => dec[sae.findIndex((v, r) => v === s && latent[r] === l && feature[r] === f)];
    for (let s = 0; s < 10; s++) {
      expect(at(s, 0, 0), `SAE ${s}: latent 0 vs the parent`).toBeGreaterThan(0.9);
      // every latent is still closest to the feature it started at
      for (let l = 0; l < 4; l++) for (let f = 0; f < 4; f++) if (f !== l) expect(at(s, l, l), `SAE ${s}, latent ${l}`).toBeGreaterThan(at(s, l, f));
    }
    const beta = readFloatColumn(cos, "beta");
    expect(beta.filter((b) => b === Infinity).length).toBe(3 * 16); // the detached run and the sweep's β = ∞ on both trees
  });

  it("writes the child components of the parent latent for each of the three children", async () => {
    const comp = await readArtifact(out(name, "metrics/components.arrow"));
    expect(comp.numRows).toBe(10 * 3);
    expect(new Set(readIntColumn(comp, "parent"))).toEqual(new Set([0]));
    expect(new Set(readIntColumn(comp, "child"))).toEqual(new Set([1, 2, 3]));
    expect(new Set(readIntColumn(comp, "latent"))).toEqual(new Set([0]));
    expect(within(readFloatColumn(comp, "enc_cos"), -1, 1)).toBe(true);
  });

  it("draws figure 22 and the β sweep, with the sweep's finding, and writes no loss curves", async () => {
    const manifest = manifestOf(name);
    expect(manifest.figures.map((f) => f.id)).toEqual(
      expect.arrayContaining(["detached", "standard", "balanced", "unbalanceable", "beta-sweep-encoder", "beta-sweep-decoder", "beta-sweep-mcc-f1"]),
    );
    expect(manifest.reproduces.map((r) => r.figure)).toEqual([22]);
    const sweep = manifest.findings.find((f) => f.id === "beta-sweep-one-beta");
    expect(sweep?.text).toMatch(/^balanced: .*; unbalanced: /);
    expect(manifest.findings.map((f) => f.id)).toEqual(expect.arrayContaining(["standard-absorption", "detached-hedging", "balanced-balanced", "unbalanceable-mixed-signs"]));
    expect((await readArtifact(out(name, "metrics/loss-curves.arrow"))).numRows).toBe(0);
  });
});
