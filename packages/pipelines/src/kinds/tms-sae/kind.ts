/**
 * Kind "tms-sae": ARENA's toy SAEs (ReLU without, with simple and with advanced dead-latent
 * resampling, Gated, JumpReLU) on the frozen hidden layer of a TMS model (chapter 1.3.1 §2;
 * figures 33–34 of the reproduction index).
 */
import type { KindDeclaration } from "../../framework/kind.ts";
// the config fields and upstream files each stage reads; plain JSON, so the Nx plugin reads it too
import stages from "./stages.json" with { type: "json" };
import { configSchema, validate, type TmsSaeConfig } from "./config.ts";
import { estimate } from "./estimate.ts";

export const kind: KindDeclaration<TmsSaeConfig> = {
  name: "tms-sae",
  title: "ARENA toy SAEs with dead-latent resampling on a TMS hidden layer",
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
  figures: [33, 34],
  // the instances of a run are replicates: each its own init and data stream
  metricsCells: { cells: ["run"], labels: ["architecture", "resampling"], replicate: "instance", ignore: [] },
  estimate,
};
