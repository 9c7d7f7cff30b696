/**
 * Configs that cannot run fail at the config stage, before anything is written, with one line
 * per problem naming the field, the value and the expectation (issue 9): duplicates and aliases,
 * values JSON cannot hold, and configs too large for this machine or far beyond their profile's
 * usual time.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { writeFileSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { judgeEstimate } from "../src/framework/estimate.ts";
import { readJsonFile, registered, resolveProfile, type JsonObject } from "../src/framework/experiment-config.ts";
import type { ExperimentConfigBase, KindDeclaration, Registered } from "../src/framework/kind.ts";
import { kind as composed } from "../src/kinds/composed/kind.ts";
import { kind as sbw } from "../src/kinds/sparse-but-wrong/kind.ts";
import { kind as hedging } from "../src/kinds/feature-hedging/kind.ts";
import { kind as tmsSae } from "../src/kinds/tms-sae/kind.ts";
import { kind as tmsSuperposition } from "../src/kinds/tms-superposition/kind.ts";
import { configProblems, experimentFile } from "./config-problems.ts";

const fileOf = experimentFile;
let known: Registered;
beforeAll(async () => {
  known = await registered();
});

function problems(name: string, kind: KindDeclaration, edit: (raw: JsonObject) => void, file = fileOf(name)): string[] {
  const raw = readJsonFile(fileOf(name));
  edit(raw);
  return configProblems(() => resolveProfile(file, raw, kind, "default", known));
}

const sae = (raw: JsonObject) => raw.sae as JsonObject;
const data = (raw: JsonObject) => raw.data as JsonObject;

describe("duplicates and aliases", () => {
  it("a learning rate listed twice", () => {
    expect(problems("lr-l1-grid", composed, (r) => (sae(r).lr = [3e-4, 1e-3, 3e-4]))).toEqual([
      "sae.lr[2]: got 0.0003, expected a value not already in sae.lr (a duplicate would train the same cell twice)",
    ]);
  });

  it("two conditions of one name", () => {
    const p = problems("lr-l1-grid", composed, (r) => {
      const conditions = data(r).conditions as JsonObject[];
      conditions[2].name = "correlated";
    });
    expect(p).toEqual(['data.conditions[2].name: got "correlated", expected a name no other condition has']);
  });

  it("a ρ listed twice", () => {
    const p = problems("toy-l0-small", sbw, (r) => ((data(r).correlation as JsonObject).rho = [0.4, -0.4, 0.4]));
    expect(p).toContain("data.correlation.rho[2]: got 0.4, expected a ρ not already in the list (two conditions of one name would be merged)");
  });

  it("a seed beyond 32 bits (it would alias a smaller one)", () => {
    expect(problems("lr-l1-grid", composed, (r) => (r.seed = 4294967296))).toEqual(["seed: got 4294967296, expected an integer ≥ 0 and ≤ 4294967295"]);
  });

  it("warm-up and cool-down that overlap", () => {
    expect(problems("lr-l1-grid", composed, (r) => (sae(r).cooldownFrac = 0.95))).toEqual([
      "sae.cooldownFrac: got 0.95, expected at most 1 − sae.warmupFrac (0.9): warm-up and cool-down cannot overlap",
    ]);
  });

  it("a key written twice, a number JSON cannot hold (as written) and a BOM", () => {
    const dir = mkdtempSync(join(tmpdir(), "toy-sae-config-"));
    const file = join(dir, "lr-l1-grid.json");
    writeFileSync(file, '{ "seed": 0, "seed": 1 }');
    expect(() => readJsonFile(file)).toThrow(/seed: duplicate key "seed" at 1:14 \(first at 1:3\)/);
    writeFileSync(file, '{ "sae": { "lr": [1e999] } }');
    expect(() => readJsonFile(file)).toThrow(/sae\.lr\[0\]: got 1e999 \(as written\), expected a finite number/);
    writeFileSync(file, '\uFEFF{ "seed": 3 }');
    expect(readJsonFile(file)).toEqual({ seed: 3 });
  });
});

describe("configs that cannot fit", () => {
  const judge = (name: string, kind: KindDeclaration, edit: (raw: JsonObject) => void, profile: "smoke" | "default" | "paper" = "default") => {
    const raw = readJsonFile(fileOf(name));
    edit(raw);
    const config = resolveProfile<ExperimentConfigBase>(fileOf(name), raw, kind, profile, known);
    return judgeEstimate(kind.estimate(config), profile, 24e9);
  };

  it("the shipped configs fit and need no confirmation on their profiles", () => {
    for (const [name, kind] of [
      ["lr-l1-grid", composed],
      ["toy-l0-main", sbw],
      ["composed-more-dims", composed],
    ] as const) {
      for (const p of ["smoke", "default"] as const) {
        const v = judge(name, kind, () => {}, p);
        expect(v.refused, `${name} ${p}`).toEqual([]);
        expect(v.confirm, `${name} ${p}`).toBeNull();
      }
    }
  });

  it("the hedging and ARENA configs fit on every profile; smoke and default need no confirmation", () => {
    const shipped = [
      ["hedging-single-latent", hedging],
      ["hedging-matryoshka-balance", hedging],
      ["tms-sae", tmsSae],
      ["tms-superposition", tmsSuperposition],
    ] as const;
    for (const [name, kind] of shipped) {
      for (const p of ["smoke", "default", "paper"] as const) {
        const v = judge(name, kind as KindDeclaration, () => {}, p);
        expect(v.refused, `${name} ${p}`).toEqual([]);
        if (p !== "paper") expect(v.confirm, `${name} ${p}`).toBeNull();
        expect(v.totalSeconds, `${name} ${p}`).toBeGreaterThan(0);
      }
    }
  });

  it("refuses a hedging run whose SAEs cannot fit, and a TMS-SAE grid too large, naming the fields", () => {
    const wide = judge("hedging-matryoshka-balance", hedging as KindDeclaration, (r) => {
      for (const run of sae(r).runs as JsonObject[]) run.dSae = 1e9;
    });
    expect(wide.refused.some((l) => /^model\.hidden: 50, sae\.runs \(\d+ SAEs\) needs ~[\d.]+ [TP]B for W_enc of \d+ SAEs .*\(train-saes\); this machine has 24 GB$/.test(l))).toBe(
      true,
    );
    const many = judge("tms-sae", tmsSae as KindDeclaration, (r) => (sae(r).instances = 1e7));
    expect(many.refused.some((l) => l.includes("sae.instances (10000000)") && l.includes("(train-saes)"))).toBe(true);
  });

  it("refuses an SAE width whose weights cannot fit, naming the field, the estimate and the limit", () => {
    const v = judge("lr-l1-grid", composed, (r) => (sae(r).dSae = 1e9));
    expect(v.refused.some((l) => /^sae\.dSae: 1000000000, data\.hidden: 2, .* needs ~12 TB for W_enc of 375 SAEs .*\(train-saes\); this machine has 24 GB$/.test(l))).toBe(true);
  });

  it("refuses an evaluation sample too large for one array, and a huge batch", () => {
    const v = judge("lr-l1-grid", composed, (r) => {
      data(r).evalSamples = 1e9;
      sae(r).batch = 1e9;
    });
    expect(v.refused.some((l) => l.startsWith("data.evalSamples: 1000000000 needs ~48 GB for the evaluation sample (generate); this machine has 24 GB"))).toBe(true);
    expect(v.refused.some((l) => l.startsWith("sae.batch: 1000000000, data.hidden: 2 needs ~32 GB for a training batch (train-saes)"))).toBe(true);
  });

  it("asks for confirmation before a run far beyond the profile's usual time, with the estimate", () => {
    const v = judge("lr-l1-grid", composed, (r) => (sae(r).samples = 1e15));
    expect(v.refused).toEqual([]);
    expect(v.confirm).toMatch(
      /^estimated ~[\d,.]+ days on this machine — train-saes: 375 SAEs × [\d.e+]+ steps of 1024.* while the default profile usually takes at most 60 min; rerun with TOY_SAE_YES=1/,
    );
    const model = judge("lr-l1-grid", composed, (r) => ((r.model as JsonObject).steps = 1e9));
    expect(model.confirm).toMatch(/train-model: 3 toy models × 1000000000 steps/);
  });
});
