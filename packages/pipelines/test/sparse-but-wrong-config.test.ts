/**
 * Config validation of the sparse-but-wrong kind: the three shipped configs resolve in every
 * profile, the run groups expand into the documented instance axis, and a bad field (schema
 * or cross-field) is reported with the file, the field path and what was expected.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { readJsonFile, registered, resolveProfile, type JsonObject } from "../src/framework/experiment-config.ts";
import type { Registered } from "../src/framework/kind.ts";
import { kind } from "../src/kinds/sparse-but-wrong/kind.ts";
import { saeSteps, sbwInstances, type SparseButWrongConfig } from "../src/kinds/sparse-but-wrong/config.ts";
import { kTransitionSchedule } from "../src/kinds/sparse-but-wrong/train-saes.ts";
import { configProblems, experimentFile } from "./config-problems.ts";
import { tempWorkspace } from "./workspace.ts";

const NAMES = ["toy-l0-small", "toy-l0-main", "toy-l0-jumprelu"] as const;
const PROFILES = ["smoke", "default", "paper"] as const;
const fileOf = experimentFile;

let known: Registered;
beforeAll(async () => {
  known = await registered();
});

function resolve(name: string, raw: JsonObject, profile: (typeof PROFILES)[number] = "default"): SparseButWrongConfig {
  return resolveProfile<SparseButWrongConfig>(fileOf(name), raw, kind, profile, known);
}

function problemsOf(name: string, raw: JsonObject, profile: (typeof PROFILES)[number] = "default"): string[] {
  return configProblems(() => resolve(name, raw, profile));
}

describe("sparse-but-wrong configs", () => {
  it("accept the three shipped configs in every profile", () => {
    for (const name of NAMES) for (const p of PROFILES) expect(problemsOf(name, readJsonFile(fileOf(name)), p), `${name} ${p}`).toEqual([]);
  });

  it("run the original's length and grid on the paper profile", () => {
    const small = resolve("toy-l0-small", readJsonFile(fileOf("toy-l0-small")), "paper");
    expect(saeSteps(small)).toBe(14_649);
    // k = 2 (±ρ), k = 1.8 (±ρ), 11 ρ × 5 seeds, 4 k × 2 ρ × 5 seeds, superposition (±ρ)
    expect(sbwInstances(small)).toHaveLength(2 + 2 + 55 + 40 + 2);
    const main = resolve("toy-l0-main", readJsonFile(fileOf("toy-l0-main")), "paper");
    expect(saeSteps(main)).toBe(14_649);
    expect(main.sae.lr).toBe(3e-4);
    const sweep = sbwInstances(main).filter((g) => g.run === "k-sweep");
    expect(sweep).toHaveLength(25 * 5);
    expect(new Set(sweep.map((g) => g.k))).toEqual(new Set(Array.from({ length: 25 }, (_, i) => i + 1)));
    const jump = resolve("toy-l0-jumprelu", readJsonFile(fileOf("toy-l0-jumprelu")), "paper");
    expect(jump.sae.lr).toBe(3e-4);
    const jr = sbwInstances(jump);
    expect(jr.map((g) => g.l0Coefficient)).toEqual([0.05, 0.07, 0.09, 0.1, 0.3, 0.5, 0.75, 1, 1.2, 1.3, 1.4, 1.5]);
    expect(Math.round(jr[0].l0WarmUpFraction * saeSteps(jump))).toBe(10_000);
  });

  it("keep the paper's k transitions in steps: 20→11 over steps 3000–11000, 2→11 over 25,000 steps", () => {
    const main = resolve("toy-l0-main", readJsonFile(fileOf("toy-l0-main")), "paper");
    const steps = saeSteps(main);
    const [down] = sbwInstances(main).filter((g) => g.run === "decrease-20-11");
    const [up] = sbwInstances(main).filter((g) => g.run === "increase-2-11");
    expect(kTransitionSchedule(down, steps)).toEqual({ kind: "transition", from: 20, startStep: 3000, durationSteps: 8000 });
    expect(kTransitionSchedule(up, steps)).toEqual({ kind: "transition", from: 2, startStep: 0, durationSteps: 25_000 });
  });

  it("expand runs run → ρ → seed → k, with one data stream per run, condition, model and seed", () => {
    const small = resolve("toy-l0-small", readJsonFile(fileOf("toy-l0-small")), "default");
    const ks = sbwInstances(small).filter((g) => g.run === "k-sweep");
    expect(ks.slice(0, 5).map((g) => [g.rho, g.seed, g.k])).toEqual([
      [0.4, 0, 1.7],
      [0.4, 0, 1.8],
      [0.4, 0, 1.9],
      [0.4, 0, 2],
      [0.4, 1, 1.7],
    ]);
    expect(new Set(ks.slice(0, 4).map((g) => g.dataKey)).size).toBe(1);
    expect(ks[0].dataKey).not.toBe(ks[4].dataKey);
    const sup = sbwInstances(small).filter((g) => g.run === "superposition");
    expect(sup.every((g) => g.model === "superposition" && g.init === "truth")).toBe(true);
  });

  it("name the field path, the value and the expectation for a schema error", () => {
    const raw = readJsonFile(fileOf("toy-l0-small"));
    ((raw.sae as JsonObject).runs as JsonObject[])[1].init = "zeros";
    (raw.data as JsonObject).magnitudeStd = -1;
    const problems = problemsOf("toy-l0-small", raw);
    expect(problems).toContain('sae.runs[1].init: got "zeros", expected one of "random", "truth"');
    expect(problems).toContain("data.magnitudeStd: got -1, expected a finite number ≥ 0");
  });

  it("report cross-field errors: a ρ that is not a data condition, a k above d_sae, an unknown run in a plot", () => {
    const raw = readJsonFile(fileOf("toy-l0-small"));
    const runs = (raw.sae as JsonObject).runs as JsonObject[];
    runs[0].rho = [0.4, 0.45];
    runs[1].k = [6];
    ((raw.plots as JsonObject).heatmaps as JsonObject[])[0].run = "nope";
    const problems = problemsOf("toy-l0-small", raw);
    expect(problems).toContain("sae.runs[0].rho[1]: got 0.45, expected one of data.correlation.rho (-0.5, -0.4, -0.3, -0.2, -0.1, 0, 0.1, 0.2, 0.3, 0.4, 0.5)");
    expect(problems).toContain("sae.runs[1].k[0]: got 6, expected k ≤ sae.dSae (5)");
    expect(problems.some((p) => p.startsWith('plots.heatmaps[0].run: got "nope", expected the name of a run in sae.runs'))).toBe(true);
  });

  it("require each run to sweep its architecture's hyperparameter: k for BatchTopK and TopK, L0 coefficients for JumpReLU", () => {
    const raw = readJsonFile(fileOf("toy-l0-jumprelu"));
    const [r] = (raw.sae as JsonObject).runs as JsonObject[];
    r.architecture = "batchtopk";
    const problems = problemsOf("toy-l0-jumprelu", raw);
    expect(problems).toContain("sae.runs[0].k: got undefined, expected a list of k values (architecture batchtopk)");
    expect(problems).toContain("sae.runs[0].l0Coefficient: got [0.05,0.07,0.09,0.1,0.3,0.5,0.75,1,1.2,1.3,1.4,1.5], expected no L0 coefficients: architecture batchtopk takes k");
    r.architecture = "relu-l2";
    expect(problemsOf("toy-l0-jumprelu", raw)[0]).toMatch(
      /^sae\.runs\[0\]\.architecture: got "relu-l2", expected one of the registered architectures \(relu-l1, batchtopk, jumprelu, topk/,
    );
    // a registered architecture whose hyperparameter the sweep does not know
    r.architecture = "gated";
    expect(problemsOf("toy-l0-jumprelu", raw)[0]).toBe(
      'sae.runs[0].architecture: got "gated", expected an architecture with hyperparameter k or l0Coefficient; gated takes sparsityCoeff',
    );
  });
});

describe("the stage CLI on a bad sparse-but-wrong config", () => {
  const ws = tempWorkspace();
  afterAll(() => ws.dispose());

  it("exits non-zero naming the file and the cross-field problem, and writes nothing", () => {
    ws.editConfig("toy-l0-main", (c) => {
      const runs = (c.sae as { runs: Array<Record<string, unknown>> }).runs;
      runs[0].rho = [0.4];
    });
    // the default profile: smoke restates its own runs, so the edit would not reach it
    const r = ws.cli(["config", "--experiment", "toy-l0-main"]);
    expect(r.status).toBe(1);
    expect(r.output).toContain("toy-l0-main.json");
    expect(r.output).toContain("sae.runs[0].rho: got [0.4], expected no ρ list: data.correlation.kind is not feature0");
    expect(existsSync(join(ws.root, "artifacts/toy-l0-main/config/generate.json"))).toBe(false);
  });
});
