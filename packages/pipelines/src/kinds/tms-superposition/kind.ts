/**
 * Kind "tms-superposition": ARENA's toy models of superposition (chapter 1.3.1 §1; figures 27–32
 * of the reproduction index): features in 2-d over feature probability, superposition in 20
 * dimensions, correlated and anticorrelated pairs, the privileged basis, feature geometry and,
 * optionally, double descent. No SAEs: train-saes has nothing to do.
 */
import type { KindDeclaration } from "../../framework/kind.ts";
// the config fields and upstream files each stage reads; plain JSON, so the Nx plugin reads it too
import stages from "./stages.json" with { type: "json" };
import { configSchema, validate, type TmsSuperpositionConfig } from "./config.ts";
import { estimate } from "./estimate.ts";

export const kind: KindDeclaration<TmsSuperpositionConfig> = {
  name: "tms-superposition",
  title: "ARENA toy models of superposition",
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
  figures: [27, 28, 29, 30, 31, 32],
  // instances of a run are replicates; each toy model differs in its feature probability, so each is its own cell
  metricsCells: { file: "instances.arrow", cells: ["experiment", "instance"], labels: ["feature_probability"], replicate: "instance", ignore: [] },
  estimate,
};
