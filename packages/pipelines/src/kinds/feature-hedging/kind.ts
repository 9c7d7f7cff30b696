/**
 * Kind "feature-hedging": feature hedging and absorption in toy SAEs (chanind/feature-hedging-paper,
 * reference §2): the single-latent notebook and its analytic loss curves (figures 15–21), the
 * balancing-Matryoshka notebook (figure 22), and a β sweep of the balancing multiplier.
 */
import type { KindDeclaration } from "../../framework/kind.ts";
// the config fields and upstream files each stage reads; plain JSON, so the Nx plugin reads it too
import stages from "./stages.json" with { type: "json" };
import { configSchema, validate, type FeatureHedgingConfig } from "./config.ts";
import { estimate } from "./estimate.ts";

export const kind: KindDeclaration<FeatureHedgingConfig> = {
  name: "feature-hedging",
  title: "Feature hedging and absorption: single-latent SAEs, loss curves, balancing Matryoshka SAEs",
  config: configSchema,
  validate,
  stages,
  modules: {
    generate: () => import("./generate.ts"),
    "train-model": () => import("./train-model.ts"),
    "train-saes": () => import("./train-saes.ts"),
    metrics: () => import("./metrics.ts"),
    plots: () => import("./plots.ts"),
    report: () => import("./report.ts"),
  },
  figures: [15, 16, 17, 18, 19, 20, 21, 22],
  metricsCells: { cells: ["run", "dataset", "beta"], labels: [], replicate: "seed", ignore: ["sae", "d_sae", "l1", "k", "noise"] },
  estimate,
};
