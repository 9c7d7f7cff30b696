/**
 * The classic configurations of ARENA 1.3.1 §1 as this kind runs them: the presets of
 * core/models/arena-tms-presets.ts (S or OLD), with a config's overrides applied. Changing the
 * instance count recomputes the configuration's probability sweep base^−linspace(from, to, I).
 */
import { arenaTmsPreset, powerSweep, type ArenaTmsPresetName } from "@toy-sae/core/models/arena-tms-presets";
import type { AnticorrelationForm } from "@toy-sae/generators/arena";
import type { ExperimentName, ModelConfig } from "./config.ts";

/** A toy-model experiment, resolved (plain data: it goes to worker threads and into spec.arrow). */
export interface ToyExperiment {
  name: ExperimentName;
  preset: ArenaTmsPresetName;
  figure: number;
  kind: "tms" | "neuron";
  instances: number;
  nFeatures: number;
  dHidden: number;
  /** Per feature. */
  importance: Float64Array;
  /** Per instance. */
  featureProbability: Float64Array;
  nCorrelatedPairs: number;
  nAnticorrelatedPairs: number;
  magnitude: "uniform" | "normal";
  anticorrelationForm: AnticorrelationForm;
  steps: number;
  batch: number;
  lr: number;
  schedule: "constant" | "linear" | "cosine";
}

const PRESET: Record<ExperimentName, ArenaTmsPresetName> = {
  "features-2d": "features-2d",
  "features-100": "features-100",
  "correlated-2": "correlated-2-pairs",
  "anticorrelated-2": "anticorrelated-2-pairs",
  "correlated-3": "correlated-3-pairs",
  privileged: "privileged",
  geometry: "geometry",
};

/** The probability sweeps base^−linspace(from, to, I) of the configurations (privileged has a fixed list). */
const SWEEP: Partial<Record<ExperimentName, [number, number, number]>> = {
  "features-2d": [50, 0, 1],
  "features-100": [20, 0, 1],
  "correlated-2": [400, 0.5, 1],
  "anticorrelated-2": [10, 0.5, 1],
  "correlated-3": [100, 0.5, 1],
  geometry: [20, 0, 1],
};

export function resolveExperiment(m: ModelConfig): ToyExperiment {
  const preset = arenaTmsPreset(PRESET[m.name], { version: m.version });
  if (preset.kind === "computation" || preset.figure === null) throw new Error(`tms-superposition: ${m.name} is not a superposition configuration`);
  const sweep = SWEEP[m.name];
  const instances = m.instances ?? preset.instances;
  const featureProbability = sweep && instances !== preset.instances ? powerSweep(sweep[0], sweep[1], sweep[2], instances) : preset.featureProbability;
  return {
    name: m.name,
    preset: preset.name,
    figure: preset.figure,
    kind: preset.kind,
    instances,
    nFeatures: preset.nFeatures,
    dHidden: preset.dHidden,
    importance: preset.importance,
    featureProbability,
    nCorrelatedPairs: preset.nCorrelatedPairs,
    nAnticorrelatedPairs: preset.nAnticorrelatedPairs,
    magnitude: m.magnitude ?? "uniform",
    anticorrelationForm: m.anticorrelationForm ?? "s",
    steps: m.steps ?? preset.steps,
    batch: m.batch ?? preset.batch,
    lr: m.lr ?? preset.lr,
    schedule: m.schedule ?? preset.schedule,
  };
}
