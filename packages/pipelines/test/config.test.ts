import { describe, expect, it, afterAll, beforeAll } from "vitest";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Type } from "@sinclair/typebox";
import { schemaProblems, strictObject } from "@toy-sae/core/schema/index";
import { mergeDeep, readJsonFile, registered, resolveProfile, type JsonObject } from "../src/framework/experiment-config.ts";
import type { Registered } from "../src/framework/kind.ts";
import { kind } from "../src/kinds/composed/kind.ts";
import { gridInstances, type ComposedGridConfig } from "../src/kinds/composed/config.ts";
import { configProblems } from "./config-problems.ts";
import { REPO, tempWorkspace } from "./workspace.ts";

const FILE = join(REPO, "packages/pipelines/experiments/lr-l1-grid.json");
const base = () => readJsonFile(FILE);
let known: Registered;
beforeAll(async () => {
  known = await registered();
});

function problemsOf(raw: JsonObject, profile: "smoke" | "default" | "paper" = "default"): string[] {
  return configProblems(() => resolveProfile(FILE, raw, kind, profile, known));
}

describe("experiment config validation", () => {
  it("accepts the shipped lr-l1-grid config in every profile", () => {
    for (const p of ["smoke", "default", "paper"] as const) expect(problemsOf(base(), p)).toEqual([]);
  });

  it("resolves profiles by deep merge: smoke overrides lr, keeps λ-independent fields", () => {
    const smoke = resolveProfile<ComposedGridConfig>(FILE, base(), kind, "smoke", known);
    const paper = resolveProfile<ComposedGridConfig>(FILE, base(), kind, "paper", known);
    expect(smoke.sae.lr).toEqual([1e-3, 3e-3]);
    expect(smoke.sae.batch).toBe(1024);
    expect(paper.sae.samples).toBe(128_000_000);
    expect(paper.sae.lr).toEqual([3e-5, 1e-4, 3e-4, 1e-3, 3e-3]);
    expect(gridInstances(paper)).toHaveLength(3 * 25 * 5);
  });

  it("names the file, the field path, the value and the expectation", () => {
    const raw = base();
    (raw.sae as JsonObject).lr = [3e-4, -1];
    const problems = problemsOf(raw);
    expect(problems).toEqual(["sae.lr[1]: got -1, expected a finite number > 0"]);
    try {
      resolveProfile(FILE, raw, kind, "default", known);
    } catch (e) {
      expect((e as Error).message).toContain("lr-l1-grid.json");
    }
  });

  it("rejects unknown fields instead of ignoring them", () => {
    const raw = base();
    (raw.sae as JsonObject).learningRate = 0.1;
    expect(problemsOf(raw)[0]).toMatch(/^sae\.learningRate: unknown field; expected one of architecture, recipe, lr, l1, /);
  });

  it("checks profile overrides and unknown profiles", () => {
    const raw = base();
    (raw.profiles as JsonObject).fast = {};
    ((raw.profiles as JsonObject).smoke as JsonObject).model = { steps: 0 };
    const problems = problemsOf(raw);
    expect(problems).toContain("profiles.fast: unknown profile; expected one of smoke, default, paper");
    delete (raw.profiles as JsonObject).fast;
    // a profile's problems are found after merging it over the base, and say which profile
    expect(problemsOf(raw, "default")).toEqual(["(profile smoke) model.steps: got 0, expected an integer ≥ 1"]);
  });

  it("reports a missing field, a wrong enum value and a name that does not match the file", () => {
    const raw = base();
    delete (raw.model as JsonObject).lr;
    (raw.sae as JsonObject).engine = "gpu";
    raw.name = "other";
    const problems = problemsOf(raw);
    expect(problems).toContain("model.lr: missing; expected a finite number > 0");
    expect(problems).toContain('sae.engine: got "gpu", expected one of "fused", "tfjs"');
    expect(problems).toContain('name: got "other", expected "lr-l1-grid" (the file name)');
  });

  it("rejects an unknown architecture or recipe, listing the registered ones, and an architecture the grid cannot sweep", () => {
    const raw = base();
    (raw.sae as JsonObject).architecture = "relu-l2";
    (raw.sae as JsonObject).recipe = "arena-2025";
    const problems = problemsOf(raw);
    // the list is the registry's, whatever else gets registered
    expect(problems.some((p) => /^sae\.architecture: got "relu-l2", expected one of the registered architectures \(relu-l1, batchtopk, jumprelu, topk[,)]/.test(p))).toBe(true);
    expect(problems.some((p) => p.startsWith('sae.recipe: got "arena-2025", expected one of the registered recipes (composed-2024, saelens-6.11'))).toBe(true);
    (raw.sae as JsonObject).architecture = "batchtopk";
    (raw.sae as JsonObject).recipe = "composed-2024";
    expect(problemsOf(raw)).toEqual(['sae.architecture: got "batchtopk", expected an architecture whose hyperparameter is l1 (the grid\'s λ); batchtopk takes k']);
  });

  it("rejects an unknown kind, listing the registered ones", async () => {
    const { kindOf } = await import("../src/framework/experiment-config.ts");
    await expect(kindOf(FILE, { ...base(), kind: "composed" })).rejects.toThrow(/kind: got "composed", expected one of the registered kinds \("composed-grid", "sparse-but-wrong"/);
  });

  it("schema helpers: nested arrays and objects report full paths", () => {
    const s = strictObject({ a: Type.Array(strictObject({ b: Type.Integer({ minimum: 1 }), c: Type.Number() })) });
    expect(
      schemaProblems(s, {
        a: [
          { b: 1, c: 2 },
          { b: 0.5, c: "x" },
        ],
      }),
    ).toEqual(["a[1].b: got 0.5, expected an integer ≥ 1", 'a[1].c: got "x", expected a finite number']);
    expect(mergeDeep({ x: { y: 1, z: [1, 2] } }, { x: { z: [3] } })).toEqual({ x: { y: 1, z: [3] } });
  });
});

describe("the stage CLI on a bad config", () => {
  const ws = tempWorkspace();
  afterAll(() => ws.dispose());

  it("exits non-zero with the file, field and expectation, and writes nothing", () => {
    ws.editConfig("lr-l1-grid", (c) => {
      (c.data as Record<string, unknown>).hidden = "two";
    });
    const r = ws.cli(["config", "--experiment", "lr-l1-grid", "--profile", "smoke"]);
    expect(r.status).toBe(1);
    expect(r.output).toContain("lr-l1-grid.json");
    expect(r.output).toContain('data.hidden: got "two", expected an integer ≥ 1');
    expect(() => readFileSync(join(ws.root, "artifacts/lr-l1-grid-smoke/config/generate.json"))).toThrow();
  });

  it("reports invalid JSON with the file name", () => {
    writeFileSync(join(ws.root, "packages/pipelines/experiments/broken.json"), "{ not json");
    const r = ws.cli(["config", "--experiment", "broken"]);
    expect(r.status).toBe(1);
    expect(r.output).toMatch(/broken\.json[\s\S]*1:3/);
  });
});

describe("plot rotation", () => {
  it("rotates feature 0 onto the horizontal axis with arctan (so it may land on −x)", async () => {
    const { rotationFor } = await import("../src/kinds/composed/grid-rows.ts");
    // feature 0 at (1, 1)/√2·2: θ = 45°, so it maps to (2, 0)
    const w = Float32Array.from([Math.SQRT2, Math.SQRT2, 0, 1]);
    const [x, y] = rotationFor(w)([Math.SQRT2, Math.SQRT2]);
    expect(x).toBeCloseTo(2, 6);
    expect(y).toBeCloseTo(0, 6);
    // feature 0 at (−1, −1): arctan gives the same θ = 45°, so it lands on −x (atan2 would not)
    const v = Float32Array.from([-1, -1]);
    const [x2, y2] = rotationFor(v)([-1, -1]);
    expect(x2).toBeCloseTo(-Math.SQRT2, 6);
    expect(y2).toBeCloseTo(0, 6);
    // a perpendicular vector stays perpendicular (rotation, not a projection)
    const [x3, y3] = rotationFor(w)([-1, 1]);
    expect(x3).toBeCloseTo(0, 6);
    expect(Math.abs(y3)).toBeCloseTo(Math.SQRT2, 6);
  });
});
