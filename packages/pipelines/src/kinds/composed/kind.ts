/**
 * Kind "composed-grid": SAEs on the hidden layer of a ReLU-output toy model whose features come
 * in two sets (superposition-geometry-toys, reference §3): the lr × λ grid of the 2-d toy
 * (figures 23–25) and the larger models of `experiment_more_hid_dim` (figure 26).
 */
import type { KindDeclaration } from "../../framework/kind.ts";
import { estimate } from "./estimate.ts";
import { configSchema, validate, type ComposedGridConfig } from "./config.ts";

const everything = ["name", "kind", "description", "seed", "data", "model", "sae", "!sae.threads", "metrics"];

export const kind: KindDeclaration<ComposedGridConfig> = {
  name: "composed-grid",
  title: "Composed features in small toy models",
  config: configSchema,
  validate,
  estimate,
  stages: {
    generate: { fields: ["seed", "data"], reads: [] },
    "train-model": { fields: ["seed", "model"], reads: ["generate/spec.arrow"] },
    "train-saes": { fields: ["seed", "data", "!data.evalSamples", "sae", "!sae.threads"], reads: ["generate/spec.arrow", "train-model/model.arrow"] },
    metrics: { fields: ["seed", "metrics", "sae.architecture"], reads: ["generate/spec.arrow", "generate/eval.arrow", "train-model/model.arrow", "train-saes/saes.arrow"] },
    plots: {
      fields: ["data", "!data.evalSamples", "model", "sae", "!sae.threads", "metrics"],
      reads: ["generate/spec.arrow", "train-model/model.arrow", "train-model/curves.arrow", "train-saes/saes.arrow", "metrics/metrics.arrow"],
    },
    report: { fields: everything, reads: ["plots/figures.json", "plots/*.svg", "metrics/metrics.arrow", "train-saes/saes.arrow"] },
  },
  modules: {
    generate: () => import("./generate.ts"),
    "train-model": () => import("./train-model.ts"),
    "train-saes": () => import("./train-saes.ts"),
    metrics: () => import("./metrics.ts"),
    plots: () => import("./plots.ts"),
    report: () => import("./report.ts"),
  },
  figures: [23, 24, 25, 26],
};
