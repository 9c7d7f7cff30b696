/**
 * The two ARENA pipelines end to end on their smoke profiles, in a temporary copy of the
 * workspace: tms-superposition (figures 27–32) and tms-sae (figures 33–34). The Arrow outputs
 * other tools read are checked against the contract (files, columns, experiment and run
 * names, row counts), their values against what the math allows (norms ≥ 0, dimensionalities in
 * [0, 1], cosines in [−1, 1], MMCS ≤ 1, L0 ≤ d_sae, events at resampling steps), provenance, and
 * the figure manifest's findings and reproduction entries.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { readArtifact, readBoolColumn, readFloatColumn, readIntColumn, readStringColumn, type Artifact } from "@toy-sae/core/artifact/arrow";
import { parseManifest } from "../src/framework/manifest.ts";
import { taskStatus, tempWorkspace, type TempWorkspace } from "./workspace.ts";

const STAGES = ["config", "generate", "train-model", "train-saes", "metrics", "plots", "report"];

let ws: TempWorkspace;
const runs = new Map<string, { status: number; output: string }>();
const smoke = JSON.parse(readFileSync(join(import.meta.dirname, "../experiments/tms-sae.json"), "utf8")) as {
  sae: { runs: Array<{ name: string }> };
  profiles: { smoke: { sae: { instances: number; steps: number; resampleEvery: number; dSae?: number } } };
};

beforeAll(() => {
  ws = tempWorkspace();
  for (const name of ["tms-superposition", "tms-sae"]) runs.set(name, ws.nx(["run", `pipelines:${name}:smoke`]));
});
afterAll(() => ws?.dispose());

const out = (name: string, file: string) => join(ws.root, `artifacts/${name}-smoke`, file);

function expectRan(name: string): void {
  const r = runs.get(name);
  if (r?.status !== 0) console.error(r?.output.slice(-4000));
  expect(r?.status).toBe(0);
  for (const s of STAGES) expect(taskStatus(r?.output ?? "", `${name}:${s}:smoke`), s).toBe("ran");
}

function expectProvenance(art: Artifact, name: string): void {
  for (const key of ["experiment", "stage", "profile", "configHash", "seeds", "versions", "backend"]) expect(art.metadata[key], key).toBeTruthy();
  expect(art.metadata.experiment).toBe(name);
  expect(art.metadata.profile).toBe("smoke");
}

describe("tms-superposition on the smoke profile", () => {
  const NAME = "tms-superposition";
  const EXPERIMENTS = ["features-2d", "features-100", "correlated-2", "anticorrelated-2", "correlated-3", "privileged", "geometry"];
  // instances × features of each smoke configuration (its profile overrides the instance counts of features-100 and geometry)
  const ROWS: Record<string, [number, number]> = {
    "features-2d": [8, 5],
    "features-100": [3, 100],
    "correlated-2": [5, 4],
    "anticorrelated-2": [5, 4],
    "correlated-3": [5, 6],
    privileged: [7, 10],
    geometry: [4, 200],
  };

  it("runs every stage", () => expectRan(NAME));

  it("writes metrics/features.arrow: one row per (experiment, instance, feature) with the contract's columns", async () => {
    const art = await readArtifact(out(NAME, "metrics/features.arrow"));
    expect(art.columnNames).toEqual(["experiment", "instance", "feature_probability", "importance", "feature", "norm", "dimensionality", "superposition"]);
    const experiment = readStringColumn(art, "experiment");
    expect([...new Set(experiment)]).toEqual(EXPERIMENTS);
    for (const e of EXPERIMENTS) expect(experiment.filter((x) => x === e).length, e).toBe(ROWS[e][0] * ROWS[e][1]);
    const norm = readFloatColumn(art, "norm");
    const dim = readFloatColumn(art, "dimensionality");
    const sup = readFloatColumn(art, "superposition");
    const p = readFloatColumn(art, "feature_probability");
    const importance = readFloatColumn(art, "importance");
    for (let r = 0; r < art.numRows; r++) {
      expect(norm[r]).toBeGreaterThanOrEqual(0);
      // D_i = ‖W_i‖² / (‖W_i‖²·(‖W_i‖/(‖W_i‖+ε))² + Σ_{j≠i} …) lies in [0, 1] up to the ε
      expect(dim[r]).toBeGreaterThanOrEqual(0);
      expect(dim[r]).toBeLessThanOrEqual(1 + 1e-6);
      expect(sup[r]).toBeGreaterThanOrEqual(0);
      expect(p[r] > 0 && p[r] <= 1).toBe(true);
      expect(importance[r] > 0 && importance[r] <= 1).toBe(true);
    }
    // the configurations' sweeps: features-2d runs from p = 1 to 1/50, geometry from 1 to 1/20
    const pOf = (e: string) => p.filter((_, r) => experiment[r] === e);
    expect(Math.max(...pOf("features-2d"))).toBe(1);
    expect(Math.min(...pOf("features-2d"))).toBeCloseTo(1 / 50, 12);
    expect(Math.min(...pOf("geometry"))).toBeCloseTo(1 / 20, 12);
    expectProvenance(art, NAME);
  });

  it("writes metrics/pairs.arrow: every feature pair of the pair configurations, cosines in [−1, 1]", async () => {
    const art = await readArtifact(out(NAME, "metrics/pairs.arrow"));
    for (const c of ["experiment", "instance", "feature_a", "feature_b", "cos"]) expect(art.columnNames).toContain(c);
    const experiment = readStringColumn(art, "experiment");
    expect([...new Set(experiment)]).toEqual(["correlated-2", "anticorrelated-2", "correlated-3"]);
    // 5 instances × C(4, 2) pairs, 5 × C(4, 2), 5 × C(6, 2)
    expect(art.numRows).toBe(5 * 6 + 5 * 6 + 5 * 15);
    const cos = readFloatColumn(art, "cos");
    const a = readIntColumn(art, "feature_a");
    const b = readIntColumn(art, "feature_b");
    const relation = readStringColumn(art, "relation");
    for (let r = 0; r < art.numRows; r++) {
      expect(a[r]).toBeLessThan(b[r]);
      if (Number.isFinite(cos[r])) expect(Math.abs(cos[r])).toBeLessThanOrEqual(1 + 1e-6);
      const samePair = Math.floor(a[r] / 2) === Math.floor(b[r] / 2);
      expect(relation[r]).toBe(!samePair ? "none" : experiment[r] === "anticorrelated-2" ? "anticorrelated" : "correlated");
    }
  });

  it("computes dimensions per feature, double-descent dimensionalities, and an empty SAE stage", async () => {
    const inst = await readArtifact(out(NAME, "metrics/instances.arrow"));
    expect(inst.numRows).toBe(Object.values(ROWS).reduce((t, [i]) => t + i, 0));
    expect(readFloatColumn(inst, "dimensions_per_feature").every((v) => v > 0)).toBe(true);
    const dd = await readArtifact(out(NAME, "metrics/double-descent.arrow"));
    // smoke: sizes 3 and 40, 50 features each
    expect(dd.numRows).toBe(2 * 50 + 3 + 40);
    expect(
      readFloatColumn(dd, "dimensionality")
        .filter(Number.isFinite)
        .every((v) => v >= 0 && v <= 1 + 1e-6),
    ).toBe(true);
    const saes = await readArtifact(out(NAME, "train-saes/saes.arrow"));
    expect(saes.numRows).toBe(0);
  });

  it("draws figures 27–32 with findings computed from the run, each with a reproduction entry", () => {
    const manifest = parseManifest(readFileSync(out(NAME, "plots/figures.json"), "utf8"), "figures.json");
    expect(manifest.reproduces.map((r) => r.figure)).toEqual([27, 28, 29, 30, 31, 32]);
    const ids = manifest.findings.map((f) => f.id);
    for (const id of [
      "two-orthogonal-at-p1",
      "pentagon-at-sparsest",
      "superposition-grows-with-sparsity",
      "anticorrelated-antipodal",
      "correlated-orthogonal",
      "privileged-monosemantic-dense",
      "dimensions-per-feature-fall",
      "double-descent-trade",
    ]) {
      expect(ids).toContain(id);
    }
    for (const f of manifest.findings) expect(f.text).toMatch(/\d/);
    for (const r of manifest.reproduces)
      expect(r.status).toBe(
        r.findings.every((id) => manifest.findings.find((f) => f.id === id)?.holds !== false) && r.findings.some((id) => manifest.findings.find((f) => f.id === id)?.holds === true)
          ? "shows"
          : "does-not-show",
      );
    const html = readFileSync(out(NAME, "report/index.html"), "utf8");
    expect(html).toContain("Findings in this run");
    expect(html).not.toContain("<script"); // no animation in this report
  });
});

describe("tms-sae on the smoke profile", () => {
  const NAME = "tms-sae";
  const RUNS = ["relu-none", "relu-simple", "relu-advanced", "gated", "jumprelu"];
  const { instances, steps, resampleEvery } = smoke.profiles.smoke.sae;

  it("runs every stage", () => expectRan(NAME));

  it("writes metrics/metrics.arrow: one row per SAE with the contract's columns and run names", async () => {
    const art = await readArtifact(out(NAME, "metrics/metrics.arrow"));
    for (const c of ["run", "architecture", "resampling", "instance", "loss", "l0", "dead", "resampled", "mmcs", "mmcs_sae_to_true", "mcc"]) expect(art.columnNames).toContain(c);
    expect(smoke.sae.runs.map((r) => r.name)).toEqual(RUNS);
    const run = readStringColumn(art, "run");
    expect(run).toEqual(RUNS.flatMap((r) => Array<string>(instances).fill(r)));
    expect(readStringColumn(art, "architecture")).toEqual(["arena-relu", "arena-relu", "arena-relu", "gated", "arena-jumprelu"].flatMap((a) => Array<string>(instances).fill(a)));
    expect(readStringColumn(art, "resampling")).toEqual(["none", "simple", "advanced", "advanced", "advanced"].flatMap((a) => Array<string>(instances).fill(a)));
    const dSae = 5;
    const l0 = readFloatColumn(art, "l0");
    const dead = readIntColumn(art, "dead");
    for (let r = 0; r < art.numRows; r++) {
      expect(readFloatColumn(art, "loss")[r]).toBeGreaterThan(0);
      expect(l0[r] >= 0 && l0[r] <= dSae).toBe(true);
      expect(dead[r] >= 0 && dead[r] <= dSae).toBe(true);
      for (const c of ["mmcs", "mmcs_sae_to_true", "mcc"]) expect(Math.abs(readFloatColumn(art, c)[r]), c).toBeLessThanOrEqual(1 + 1e-9);
    }
    expect(readBoolColumn(art, "diverged").every((d) => !d)).toBe(true);
    // no resampling without a method
    expect(
      readIntColumn(art, "resampled")
        .filter((_, r) => run[r] === "relu-none")
        .every((n) => n === 0),
    ).toBe(true);
    expectProvenance(art, NAME);
  });

  it("records every resampling event at a resampling step, and the metrics count them", async () => {
    const events = await readArtifact(out(NAME, "train-saes/resampling.arrow"));
    for (const c of ["run", "instance", "sae", "step", "latent"]) expect(events.columnNames).toContain(c);
    expect(events.numRows).toBeGreaterThan(0);
    const step = readIntColumn(events, "step");
    const latent = readIntColumn(events, "latent");
    const run = readStringColumn(events, "run");
    for (let r = 0; r < events.numRows; r++) {
      expect((step[r] + 1) % resampleEvery).toBe(0);
      expect(step[r]).toBeLessThan(steps);
      expect(latent[r] >= 0 && latent[r] < 5).toBe(true);
      expect(run[r]).not.toBe("relu-none");
    }
    const metrics = await readArtifact(out(NAME, "metrics/metrics.arrow"));
    const total = readIntColumn(metrics, "resampled").reduce((a, b) => a + b, 0);
    expect(total).toBe(events.numRows);
  });

  it("writes snapshots and frac_active curves for the animations", async () => {
    const snaps = await readArtifact(out(NAME, "train-saes/snapshots.arrow"));
    for (const c of ["run", "sae", "step", "w_enc", "w_dec", "b_enc", "b_dec", "r_mag", "b_mag", "log_theta"]) expect(snaps.columnNames).toContain(c);
    const perSae = new Set(readIntColumn(snaps, "step")).size;
    expect(snaps.numRows).toBe(RUNS.length * instances * perSae);
    const curves = await readArtifact(out(NAME, "train-saes/curves.arrow"));
    expect(curves.columnNames).toContain("frac_active");
  });

  it("draws figures 33–34 with an animation (frames, one inline script) and the findings of ARENA §2", () => {
    const manifest = parseManifest(readFileSync(out(NAME, "plots/figures.json"), "utf8"), "figures.json");
    expect(manifest.reproduces.map((r) => r.figure)).toEqual([33, 34]);
    for (const id of ["latents-die", "advanced-resampling", "simple-resampling", "recovers-gated", "recovers-jumprelu"]) expect(manifest.findings.map((f) => f.id)).toContain(id);
    const plane = manifest.figures.find((f) => f.id === "plane-relu-advanced");
    expect(plane?.frames?.length).toBeGreaterThanOrEqual(2);
    for (const f of plane?.frames ?? []) expect(existsSync(out(NAME, `plots/${f.file}`))).toBe(true);
    const html = readFileSync(out(NAME, "report/index.html"), "utf8");
    expect(html.match(/<script>/g)).toHaveLength(1);
    expect(html).toContain('type="range"');
    expect(html).not.toMatch(/<script[^>]*src=/);
  });
});
