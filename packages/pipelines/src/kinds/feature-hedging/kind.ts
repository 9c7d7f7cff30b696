/**
 * Kind "feature-hedging": feature hedging and absorption in toy SAEs (chanind/feature-hedging-paper,
 * reference §2): the single-latent notebook and its analytic loss curves (figures 15–21), the
 * balancing-Matryoshka notebook (figure 22), and a β sweep of the balancing multiplier.
 */
import type { KindDeclaration } from "../../framework/kind.ts";
import { configSchema, validate, type FeatureHedgingConfig } from "./config.ts";
import { estimate } from "./estimate.ts";

const everything = ["name", "kind", "description", "seed", "data", "model", "sae", "!sae.threads", "lossCurves", "plots"];

export const kind: KindDeclaration<FeatureHedgingConfig> = {
  name: "feature-hedging",
  title: "Feature hedging and absorption: single-latent SAEs, loss curves, balancing Matryoshka SAEs",
  config: configSchema,
  validate,
  stages: {
    generate: { fields: ["seed", "data"], reads: [] },
    "train-model": { fields: ["seed", "model"], reads: ["generate/spec.arrow"] },
    "train-saes": { fields: ["seed", "data", "!data.evalSamples", "sae", "!sae.threads"], reads: ["train-model/model.arrow"] },
    metrics: {
      fields: ["seed", "sae.runs", "lossCurves"],
      reads: ["generate/spec.arrow", "generate/edges.arrow", "generate/eval.arrow", "train-model/model.arrow", "train-saes/saes.arrow"],
    },
    plots: {
      fields: ["sae.runs", "plots"],
      reads: ["generate/features.arrow", "metrics/metrics.arrow", "metrics/cos.arrow", "metrics/bdec.arrow", "metrics/components.arrow", "metrics/loss-curves.arrow"],
    },
    report: { fields: everything, reads: ["plots/figures.json", "plots/*.svg", "metrics/metrics.arrow", "train-saes/saes.arrow", "train-model/model.arrow"] },
  },
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
