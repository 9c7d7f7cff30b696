/**
 * Kind "sparse-but-wrong": correlated features and the wrong L0 (Sparse but Wrong, reference §1):
 * the small toy, the main toy and the JumpReLU appendix (figures 1–13).
 */
import type { KindDeclaration } from "../../framework/kind.ts";
import { estimate } from "./estimate.ts";
import { configSchema, validate, type SparseButWrongConfig } from "./config.ts";

const everything = ["name", "kind", "description", "seed", "data", "model", "sae", "!sae.threads", "metrics", "plots"];

export const kind: KindDeclaration<SparseButWrongConfig> = {
  name: "sparse-but-wrong",
  title: "Sparse but wrong: correlated features and the wrong L0",
  config: configSchema,
  validate,
  estimate,
  stages: {
    generate: { fields: ["seed", "data"], reads: [] },
    "train-model": { fields: ["seed", "model"], reads: ["generate/spec.arrow"] },
    "train-saes": {
      fields: ["seed", "data", "!data.evalSamples", "model", "sae", "!sae.threads"],
      reads: ["generate/spec.arrow", "generate/features.arrow", "generate/correlation.arrow", "train-model/model.arrow"],
    },
    metrics: { fields: ["seed", "metrics", "sae.runs"], reads: ["generate/eval.arrow", "train-model/model.arrow", "train-saes/saes.arrow"] },
    plots: {
      fields: ["seed", "data.correlation", "metrics", "plots", "sae.runs"],
      reads: [
        "generate/spec.arrow",
        "generate/features.arrow",
        "generate/correlation.arrow",
        "train-model/model.arrow",
        "metrics/metrics.arrow",
        "metrics/cos.arrow",
        "metrics/projections.arrow",
        "metrics/forced-k.arrow",
        "metrics/conditions.arrow",
      ],
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
  figures: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13],
};
