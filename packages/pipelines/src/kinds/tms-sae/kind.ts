/**
 * Kind "tms-sae": ARENA's toy SAEs (ReLU without, with simple and with advanced dead-latent
 * resampling, Gated, JumpReLU) on the frozen hidden layer of a TMS model (chapter 1.3.1 §2;
 * figures 33–34 of the reproduction index).
 */
import type { KindDeclaration } from "../../framework/kind.ts";
import { configSchema, validate, type TmsSaeConfig } from "./config.ts";
import { estimate } from "./estimate.ts";

const everything = ["name", "kind", "description", "seed", "model", "sae", "!sae.threads", "metrics", "plots"];

export const kind: KindDeclaration<TmsSaeConfig> = {
  name: "tms-sae",
  title: "ARENA toy SAEs with dead-latent resampling on a TMS hidden layer",
  config: configSchema,
  validate,
  stages: {
    generate: { fields: ["seed", "model.nFeatures", "model.featureProbability", "metrics.evalSamples"], reads: [] },
    "train-model": { fields: ["seed", "model", "!model.useInstance"], reads: [] },
    "train-saes": { fields: ["seed", "model.useInstance", "model.nFeatures", "model.dHidden", "model.featureProbability", "sae", "!sae.threads"], reads: ["train-model/model.arrow"] },
    metrics: {
      fields: ["seed", "model.useInstance", "sae.runs", "metrics"],
      reads: ["generate/eval.arrow", "train-model/model.arrow", "train-saes/saes.arrow", "train-saes/curves.arrow", "train-saes/resampling.arrow"],
    },
    plots: {
      fields: ["model", "sae", "!sae.threads", "metrics", "plots"],
      reads: [
        "train-model/model.arrow",
        "train-model/curves.arrow",
        "train-saes/curves.arrow",
        "train-saes/resampling.arrow",
        "train-saes/snapshots.arrow",
        "metrics/metrics.arrow",
        "metrics/cos.arrow",
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
  figures: [33, 34],
  // the instances of a run are replicates: each its own init and data stream
  metricsCells: { cells: ["run"], labels: ["architecture", "resampling"], replicate: "instance", ignore: [] },
  estimate,
};
