/**
 * Config validation of the feature-hedging kind: the two shipped configs resolve in every profile
 * and expand into the notebooks' runs (the paper profile trains 24,414 steps; β runs become the
 * balancing notebook's Matryoshka options), and bad fields — schema, tree, architecture options
 * and cross-field rules — are reported with the field path and what was expected.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { readJsonFile, registered, resolveProfile, type JsonObject } from "../src/framework/experiment-config.ts";
import type { Registered } from "../src/framework/kind.ts";
import { kind } from "../src/kinds/feature-hedging/kind.ts";
import { hedgingSaes, type FeatureHedgingConfig } from "../src/kinds/feature-hedging/config.ts";
import { loadRecipe } from "@toy-sae/core/train/recipes/load";
import { configProblems, experimentFile } from "./config-problems.ts";

const NAMES = ["hedging-single-latent", "hedging-matryoshka-balance"] as const;
const PROFILES = ["smoke", "default", "paper"] as const;
const fileOf = experimentFile;

let known: Registered;
beforeAll(async () => {
  known = await registered();
});

function resolve(name: string, raw: JsonObject, profile: (typeof PROFILES)[number] = "default"): FeatureHedgingConfig {
  return resolveProfile<FeatureHedgingConfig>(fileOf(name), raw, kind, profile, known);
}

function problemsOf(name: string, raw: JsonObject, profile: (typeof PROFILES)[number] = "default"): string[] {
  return configProblems(() => resolve(name, raw, profile));
}

/** The shipped config with `edit` applied (profiles dropped, so only the base is checked). */
function edited(name: string, edit: (c: FeatureHedgingConfig) => void): JsonObject {
  const raw = readJsonFile(fileOf(name));
  delete raw.profiles;
  edit(raw as unknown as FeatureHedgingConfig);
  return raw;
}

describe("feature-hedging configs", () => {
  it("accept the two shipped configs in every profile", () => {
    for (const name of NAMES) for (const p of PROFILES) expect(problemsOf(name, readJsonFile(fileOf(name)), p), `${name} ${p}`).toEqual([]);
  });

  it("expand into the notebooks' runs; the paper profile trains the original's 24,414 steps", async () => {
    const recipe = await loadRecipe("saelens-5.10");
    const single = resolve("hedging-single-latent", readJsonFile(fileOf("hedging-single-latent")), "paper");
    expect(recipe.steps(single.sae.tokens, single.sae.batch)).toBe(24_414);
    expect(single.sae.batch).toBe(500);
    const saes = hedgingSaes(single);
    expect([...new Set(saes.map((s) => s.run))]).toEqual([
      "indep",
      "hierarchical",
      "hedge-demo",
      "absorption",
      "corr-low-l1",
      "corr-high-l1",
      "full-width",
      "anti-corr",
      "anti-corr-wide",
    ]);
    expect(saes).toHaveLength(9 * 5);
    const table = Object.fromEntries(single.sae.runs.map((r) => [r.name, [r.dSae, r.l1, r.initNoise]]));
    expect(table).toEqual({
      indep: [1, 1e-3, 0.25],
      hierarchical: [1, 1e-3, 0.25],
      "hedge-demo": [1, 1e-3, 0],
      absorption: [2, 1e-3, 0.1],
      "corr-low-l1": [1, 1e-3, 0.25],
      "corr-high-l1": [1, 1e-1, 0.25],
      "full-width": [2, 1e-3, 0.25],
      "anti-corr": [1, 2e-2, 0.25],
      "anti-corr-wide": [2, 2e-2, 0.25],
    });

    const balance = resolve("hedging-matryoshka-balance", readJsonFile(fileOf("hedging-matryoshka-balance")), "paper");
    expect(recipe.steps(balance.sae.tokens, balance.sae.batch)).toBe(24_414);
    expect(balance.sae.batch).toBe(128);
    const b = hedgingSaes(balance);
    const named = (run: string) => b.find((s) => s.run === run);
    expect(named("standard")?.options).toMatchObject({ matryoshkaSteps: [4], skipOuterLoss: true, scaleSparsityByDecoderNorm: true });
    expect(named("detached")?.options).toMatchObject({ matryoshkaSteps: [1, 4], useDeltaLoss: true, skipOuterLoss: true });
    expect(named("detached")?.beta).toBe(Infinity);
    expect(named("balanced")?.options).toMatchObject({ matryoshkaSteps: [1, 4], innerLossMultipliers: [0.25, 1] });
    expect(named("unbalanceable")?.dataset).toBe("unbalanced");
    const sweep = b.filter((s) => s.run === "beta-sweep");
    const betas = [...new Set(sweep.map((s) => s.beta))];
    expect(betas.length).toBeGreaterThanOrEqual(12);
    expect(betas[0]).toBe(0);
    expect(betas.at(-1)).toBe(Infinity);
    expect(sweep).toHaveLength(betas.length * 2 * 5);
  });

  it("reject unknown fields and bad values with their path", () => {
    const problems = problemsOf(
      "hedging-single-latent",
      edited("hedging-single-latent", (c) => {
        (c.sae as unknown as Record<string, unknown>).epochs = 3;
        c.sae.runs[0].dSae = 0;
      }),
    );
    expect(problems).toEqual(
      expect.arrayContaining([expect.stringMatching(/sae\.epochs: unknown field/), expect.stringMatching(/sae\.runs\[0\]\.dSae: got 0, expected an integer ≥ 1/)]),
    );
  });

  it("report a malformed tree with its path in the tree, the field, the value and the expectation", () => {
    const problems = problemsOf(
      "hedging-matryoshka-balance",
      edited("hedging-matryoshka-balance", (c) => {
        const tree = c.data.datasets[1].tree as { children: Array<{ children: Array<Record<string, unknown>> }> };
        tree.children[0].children[2].active_prob = 1.5;
      }),
    );
    expect(problems).toEqual(["data.datasets[1].tree: children[0].children[2].active_prob is 1.5; expected a number in [0, 1]"]);
  });

  it("check architecture options against the registered architecture", () => {
    const problems = problemsOf(
      "hedging-single-latent",
      edited("hedging-single-latent", (c) => {
        c.sae.runs[0].options = { scaleSparsityByDecoderNorm: "yes", decoderNorm: true };
      }),
    );
    expect(problems).toEqual([
      expect.stringMatching(/^sae\.runs\[0\]\.options\.decoderNorm: unknown field/),
      'sae.runs[0].options.scaleSparsityByDecoderNorm: got "yes", expected true or false',
    ]);
  });

  it("reject cross-field mistakes: β on a non-Matryoshka run, options β sets, a hyperparameter the architecture lacks, a bad ordering, dangling references", () => {
    const balance = problemsOf(
      "hedging-matryoshka-balance",
      edited("hedging-matryoshka-balance", (c) => {
        c.sae.runs[0].options = { ...c.sae.runs[0].options, innerLossMultipliers: [1, 1] };
        c.sae.runs[1].architecture = "standard";
        c.sae.runs[2].featureOrdering = [0, 1, 1, 3];
        c.sae.runs[3].k = 2;
        c.sae.runs[4].datasets = ["balanced", "skewed"];
        if (c.plots.betaSweep) c.plots.betaSweep.expect = { other: true };
        c.plots.heatmaps?.push({ id: "extra", title: "x", run: "beta-sweep", figure: 22 });
      }),
    );
    expect(balance).toEqual(
      expect.arrayContaining([
        "sae.runs[0].options.innerLossMultipliers: got [1,1], expected nothing: β sets it",
        'sae.runs[1].beta: got ["detached"], expected no β unless architecture is matryoshka',
        "sae.runs[2].featureOrdering: got [0,1,1,3], expected a permutation of 0…3 (min(dSae, features))",
        "sae.runs[3].k: got 2, expected nothing: architecture matryoshka takes l1",
        'sae.runs[4].datasets[1]: got "skewed", expected one of data.datasets (balanced, unbalanced)',
        'plots.betaSweep.expect.other: got "other", expected one of the run\'s datasets (balanced, skewed)',
        "plots.heatmaps[4].dataset: got undefined, expected one of the run's datasets (balanced, skewed): it has more than one",
        "plots.heatmaps[4].beta: got undefined, expected one of the run's β: it has more than one",
      ]),
    );
    const single = problemsOf(
      "hedging-single-latent",
      edited("hedging-single-latent", (c) => {
        c.data.datasets[1].modifiers = [{ kind: "child-only-with-parent", parent: 0, child: 2 }];
        c.data.datasets[2].tree = { active_prob: 1 };
        c.plots.heatmaps?.push({ id: "independent", title: "x", run: "nope", figure: 15 });
      }),
    );
    expect(single).toEqual(
      expect.arrayContaining([
        "data.datasets[1].modifiers[0]: got 2, expected features < 2 (the dataset's feature count)",
        'data.datasets[2]: got ["name","firingProbabilities","modifiers","tree"], expected exactly one of tree and firingProbabilities',
        'plots.heatmaps[9].run: got "nope", expected the name of a run in sae.runs (indep, hierarchical, hedge-demo, absorption, corr-low-l1, corr-high-l1, full-width, anti-corr, anti-corr-wide)',
      ]),
    );
  });
});
