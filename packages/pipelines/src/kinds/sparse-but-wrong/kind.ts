/**
 * Kind "sparse-but-wrong": correlated features and the wrong L0 (Sparse but Wrong, reference §1):
 * the small toy, the main toy and the JumpReLU appendix (figures 1–13).
 */
import type { KindDeclaration } from "../../framework/kind.ts";
// the config fields and upstream files each stage reads; plain JSON, so the Nx plugin reads it too
import stages from "./stages.json" with { type: "json" };
import { estimate } from "./estimate.ts";
import { configSchema, validate, type SparseButWrongConfig } from "./config.ts";

export const kind: KindDeclaration<SparseButWrongConfig> = {
  name: "sparse-but-wrong",
  title: "Sparse but wrong: correlated features and the wrong L0",
  config: configSchema,
  validate,
  estimate,
  stages,
  modules: {
    generate: () => import("./generate.ts"),
    "train-model": () => import("./train-model.ts"),
    "train-saes": () => import("./train-saes.ts"),
    metrics: () => import("./metrics.ts"),
    plots: () => import("./plots.ts"),
    report: () => import("./report.ts"),
  },
  figures: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13],
  // a run group's SAE at one k (or L0 coefficient) and ρ; seeds are its replicates, and the
  // ignored columns are a row index and values the run group fixes
  metricsCells: { cells: ["run", "k", "rho", "l0_coefficient"], labels: [], replicate: "seed", ignore: ["sae", "trained", "final_k", "k_from"] },
};
