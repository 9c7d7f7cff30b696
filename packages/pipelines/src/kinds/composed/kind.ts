/**
 * Kind "composed-grid": SAEs on the hidden layer of a ReLU-output toy model whose features come
 * in two sets (superposition-geometry-toys, reference §3): the lr × λ grid of the 2-d toy
 * (figures 23–25) and the larger models of `experiment_more_hid_dim` (figure 26).
 */
import type { KindDeclaration } from "../../framework/kind.ts";
// the config fields and upstream files each stage reads; plain JSON, so the Nx plugin reads it too
import stages from "./stages.json" with { type: "json" };
import { estimate } from "./estimate.ts";
import { configSchema, validate, type ComposedGridConfig } from "./config.ts";

export const kind: KindDeclaration<ComposedGridConfig> = {
  name: "composed-grid",
  title: "Composed features in small toy models",
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
  figures: [23, 24, 25, 26],
  // a cell is a position in one condition's lr × λ grid, so an edited lr is compared with the
  // one it replaced; realisations are its replicates
  metricsCells: { cells: ["condition", "lr_index", "l1_index"], labels: ["lr", "l1"], replicate: "instance", ignore: ["d_sae", "best_in_cell", "most_mono_in_cell"] },
};
