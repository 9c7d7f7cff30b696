/**
 * The sentences of the composed-grid and sparse-but-wrong reports that describe a run are
 * computed from that run's config (its profile) and measurements — never the config's
 * free-text description, which is written for the default profile (issue 11, "Truthful text").
 */
import { beforeAll, describe, expect, it } from "vitest";
import { join } from "node:path";
import { loadRecipe } from "@toy-sae/core/train/recipes/load";
import { readJsonFile, registered, resolveProfile } from "../src/framework/experiment-config.ts";
import type { Registered } from "../src/framework/kind.ts";
import type { Profile } from "../src/framework/stages.ts";
import { kind as composedKind } from "../src/kinds/composed/kind.ts";
import type { ComposedGridConfig } from "../src/kinds/composed/config.ts";
import { experimentSummary as composedSummary, methodsParagraphs as composedMethods } from "../src/kinds/composed/report-text.ts";
import { gridCaption, type ConditionSummary } from "../src/kinds/composed/narrative.ts";
import { kind as sbwKind } from "../src/kinds/sparse-but-wrong/kind.ts";
import { sbwInstances, type SparseButWrongConfig } from "../src/kinds/sparse-but-wrong/config.ts";
import { experimentSummary as sbwSummary, methodsParagraphs as sbwMethods } from "../src/kinds/sparse-but-wrong/report-text.ts";
import { overSeeds, sweepsIntro } from "../src/kinds/sparse-but-wrong/plots.ts";
import { gridInstances } from "../src/kinds/composed/config.ts";
import { REPO } from "./workspace.ts";

let known: Registered;
beforeAll(async () => {
  known = await registered();
});
const file = (name: string) => join(REPO, "packages/pipelines/experiments", `${name}.json`);
const composed = (name: string, profile: Profile) => resolveProfile<ComposedGridConfig>(file(name), readJsonFile(file(name)), composedKind, profile, known);
const sbw = (name: string, profile: Profile) => resolveProfile<SparseButWrongConfig>(file(name), readJsonFile(file(name)), sbwKind, profile, known);

describe("composed-grid report text", () => {
  it("the smoke summary names the smoke grid's sizes, not the default profile's", () => {
    const config = composed("lr-l1-grid", "smoke");
    const nSaes = gridInstances(config).length;
    const summary = composedSummary(config, nSaes);
    expect(summary).toContain("a 2 × 2 grid of learning rates {1×10⁻³, 3×10⁻³} × L1 coefficients λ {0.03, 0.3}");
    expect(summary).toContain("2 realisations per cell (24 SAEs in all)");
    expect(summary).toContain("under 3 data conditions: correlated, uncorrelated, one-hot-75");
    expect(summary).not.toMatch(/5\s*×\s*5|5 realisations/);
    expect(composedSummary(composed("lr-l1-grid", "default"), 375)).toContain("a 5 × 5 grid");
    expect(composedSummary(composed("lr-l1-grid", "default"), 375)).toContain("5 realisations per cell (375 SAEs in all)");
  });

  it("describes a one-cell grid and conditions in several dimensions", () => {
    const config = composed("composed-more-dims", "smoke");
    const summary = composedSummary(config, gridInstances(config).length);
    expect(summary).toContain("one cell (lr 1×10⁻³, λ 0.3)");
    expect(summary).toContain("4 + 4 features in 4 or 3 hidden dimensions and 8 + 8 features in 8, 6, 5 or 4 hidden dimensions");
    // no arrow grid is drawn in more dimensions, so the methods do not mention black and grey arrows
    const methods = composedMethods({ config, profile: "smoke", nSaes: 10, evalSamples: "2000", arrowGrids: false }).join(" ");
    expect(methods).not.toMatch(/black|grey|heatmaps/);
  });

  it("states the deviation of the profile it ran, without claims about other profiles", () => {
    const methods = composedMethods({ config: composed("lr-l1-grid", "smoke"), profile: "smoke", nSaes: 24, evalSamples: "2000", arrowGrids: true });
    expect(methods.at(-1)).toBe('Deviation from the original in this profile ("smoke"): 0.2 % of its 128,000,000 training samples per SAE.');
    expect(methods.join(" ")).toContain("the arrow grids draw it in black");
  });

  it("gives each grid a verdict that follows from its counts", () => {
    const summary = (composedCells: number, offAxisCells: number): ConditionSummary => ({
      condition: "c",
      cells: 4,
      divergedCells: 0,
      composedCells,
      offAxisCells,
      meanMmcs: 0.9,
      meanMonosemanticity: 0.7,
    });
    expect(gridCaption(summary(3, 4), 0.95)).toContain("in most cells");
    expect(gridCaption(summary(2, 4), 0.95)).toContain("in some cells, but not in most");
    expect(gridCaption(summary(0, 2), 0.95)).toContain("no cell's lowest-loss SAE learns a composed direction");
    expect(gridCaption(summary(0, 0), 0.95)).toContain("recovers the true feature directions in every cell");
  });
});

describe("sparse-but-wrong report text", () => {
  const measured = { trueL0: 1.995, trueL0Se: 0.017, evalSamples: "4000" };

  it("the smoke summary lists the smoke runs' k values and SAE count, not the description's", () => {
    const config = sbw("toy-l0-small", "smoke");
    const summary = sbwSummary(config, measured);
    expect(summary).toContain("5 features each firing with p = 0.4");
    expect(summary).toContain("ρ ∈ {-0.4, 0, 0.4}");
    expect(summary).toContain(`${sbwInstances(config).length} SAEs with 5 latents in 5 run groups`);
    expect(summary).toContain("k-sweep (batchtopk, k ∈ {1.8, 2})");
    expect(summary).not.toContain("1.7");
    expect(summary).not.toMatch(/recover the features|absorbs/);
  });

  it("states the recipe's optimiser and the profile's deviation", async () => {
    const config = sbw("toy-l0-small", "smoke");
    const text = sbwMethods(config, await loadRecipe(config.sae.recipe), measured, "smoke").join("\n");
    expect(text).toContain("Adam (β1 = 0.9, β2 = 0.999) at constant lr 0.0003, per-SAE gradient norm clipped to 1");
    expect(text).toContain('Deviation from the original in this profile ("smoke"): 0.7 % of its training length (100 of 14,649 steps).');
    expect(text).not.toContain("default profile");
    // JumpReLU only: no BatchTopK evaluation rule
    const jumprelu = sbw("toy-l0-jumprelu", "smoke");
    expect(sbwMethods(jumprelu, await loadRecipe(jumprelu.sae.recipe), measured, "smoke").join("\n")).not.toContain("BatchTopK");
  });

  it("mentions the red dashed line only where a figure draws it, and bands only with seeds to spread", () => {
    const facts = new Map([
      ["mixing-vs-rho", { title: "Feature mixing vs correlation", seeds: 2, trueL0Line: false }],
      ["decoder-projection", { title: "Decoder projection s_n^dec vs SAE L0", seeds: 2, trueL0Line: true }],
    ]);
    expect(sweepsIntro(["mixing-vs-rho"], facts, 2)).toBe("Lines are means over seeds, bands ± 1 standard deviation.");
    expect(sweepsIntro(["mixing-vs-rho", "decoder-projection"], facts, 2)).toBe(
      'Lines are means over seeds, bands ± 1 standard deviation. In "Decoder projection s_n^dec vs SAE L0" the red dashed line is the true L0 (2.00) measured on the evaluation sample.',
    );
    expect(overSeeds(1)).toBe("one seed, no band");
    expect(overSeeds(5)).toBe("mean ± 1 sd over 5 seeds");
  });
});
