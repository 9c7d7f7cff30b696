/**
 * The classic configurations of ARENA's superposition exercises (chapter 1.3.1, reference
 * arena-toy-models.md §1, figures 27–31), as data. Version "s" is the current ARENA; "old"
 * (ARENA 1.4) differs only where the reference says so: features-2d trains 10,000 steps and
 * features-100 has 20 instances.
 *
 * A preset's field names match the batch generator's spec (`ArenaBatchSpec` of
 * @toy-sae/generators/arena), so `arenaBatchSampler(preset)` draws its data directly.
 * Numbers the reference does not give are listed in `assumptions`.
 */
import type { Rng } from "../random.ts";
import { createArenaComputation } from "./arena-computation-model.ts";
import { createArenaTms, type ArenaToyShape } from "./arena-tms-model.ts";
import type { ArenaLrScheduleName, ArenaToyModel, ArenaToyModelKind } from "./arena-tms-train.ts";

export type ArenaTmsPresetName =
  | "features-2d"
  | "features-100"
  | "correlated-2-pairs"
  | "anticorrelated-2-pairs"
  | "correlated-3-pairs"
  | "privileged"
  | "computation"
  | "geometry";

export const ARENA_TMS_PRESET_NAMES: readonly ArenaTmsPresetName[] = [
  "features-2d",
  "features-100",
  "correlated-2-pairs",
  "anticorrelated-2-pairs",
  "correlated-3-pairs",
  "privileged",
  "computation",
  "geometry",
];

export interface ArenaTmsPreset extends ArenaToyShape {
  name: ArenaTmsPresetName;
  kind: ArenaToyModelKind;
  /** The figure of arena-toy-models.md it feeds (null: none of the listed figures). */
  figure: number | null;
  /** Per feature (shared by all instances). */
  importance: Float64Array;
  /** Per instance. */
  featureProbability: Float64Array;
  nCorrelatedPairs: number;
  nAnticorrelatedPairs: number;
  /** Input magnitudes: U[0,1) ("uniform") or U[−1,1) ("signed", the computation model). */
  magnitude: "uniform" | "signed";
  steps: number;
  batch: number;
  lr: number;
  schedule: ArenaLrScheduleName;
  /** Values chosen here because the reference does not state them. */
  assumptions: string[];
}

/** base^−t for t = linspace(from, to, count): the originals' probability and importance sweeps. */
export function powerSweep(base: number, from: number, to: number, count: number): Float64Array {
  if (!Number.isInteger(count) || count < 1) throw new Error(`powerSweep: count must be a positive integer, got ${count}`);
  const out = new Float64Array(count);
  for (let k = 0; k < count; k++) out[k] = base ** -(count === 1 ? from : from + ((to - from) * k) / (count - 1));
  return out;
}

/** ratio^e for e = first, first + 1, …, first + count − 1 (the importance decays). */
export function geometricImportance(ratio: number, count: number, first = 0): Float64Array {
  const out = new Float64Array(count);
  for (let k = 0; k < count; k++) out[k] = ratio ** (first + k);
  return out;
}

const TRAINING = { batch: 1_024, lr: 1e-3, schedule: "constant" as const };

function build(name: ArenaTmsPresetName, version: "s" | "old"): ArenaTmsPreset {
  const pairs = { nCorrelatedPairs: 0, nAnticorrelatedPairs: 0 };
  // biome-ignore format: each preset's fields grouped by meaning, a few per line
  switch (name) {
    case "features-2d":
      return {
        name, kind: "tms", figure: 27, instances: 8, nFeatures: 5, dHidden: 2,
        importance: geometricImportance(0.9, 5), featureProbability: powerSweep(50, 0, 1, 8),
        ...pairs, magnitude: "uniform", steps: version === "old" ? 10_000 : 5_000, ...TRAINING, assumptions: [],
      };
    case "features-100": {
      const instances = version === "old" ? 20 : 10;
      return {
        name, kind: "tms", figure: 28, instances, nFeatures: 100, dHidden: 20,
        importance: powerSweep(100, 0, 1, 100), featureProbability: powerSweep(20, 0, 1, instances),
        ...pairs, magnitude: "uniform", steps: 10_000, ...TRAINING, assumptions: [],
      };
    }
    case "correlated-2-pairs":
    case "anticorrelated-2-pairs":
    case "correlated-3-pairs": {
      const nPairs = name === "correlated-3-pairs" ? 3 : 2;
      const correlated = name !== "anticorrelated-2-pairs";
      const p = name === "correlated-2-pairs" ? powerSweep(400, 0.5, 1, 5) : name === "correlated-3-pairs" ? powerSweep(100, 0.5, 1, 5) : powerSweep(10, 0.5, 1, 5);
      return {
        name, kind: "tms", figure: 29, instances: 5, nFeatures: 2 * nPairs, dHidden: 2,
        importance: new Float64Array(2 * nPairs).fill(1), featureProbability: p,
        nCorrelatedPairs: correlated ? nPairs : 0, nAnticorrelatedPairs: correlated ? 0 : nPairs,
        magnitude: "uniform", steps: 10_000, ...TRAINING,
        assumptions: ["uniform importance (the reference gives none for the pair configurations)"],
      };
    }
    case "privileged":
      return {
        name, kind: "neuron", figure: 30, instances: 7, nFeatures: 10, dHidden: 5,
        importance: geometricImportance(0.75, 10, 1), featureProbability: Float64Array.from([0.75, 0.35, 0.15, 0.1, 0.06, 0.02, 0.01]),
        ...pairs, magnitude: "uniform", steps: 10_000, ...TRAINING, assumptions: [],
      };
    case "computation":
      return {
        name, kind: "computation", figure: null, instances: 7, nFeatures: 100, dHidden: 40,
        importance: geometricImportance(0.8, 100, 1), featureProbability: Float64Array.from([1, 0.3, 0.1, 0.03, 0.01, 0.003, 0.001]),
        ...pairs, magnitude: "signed", steps: 10_000, ...TRAINING,
        assumptions: [
          "importance 0.8^i counted from i = 1, as the privileged-basis configuration (the reference writes only 0.8^i)",
          "10,000 steps (the reference gives no step count for this model)",
        ],
      };
    case "geometry":
      return {
        name, kind: "tms", figure: 31, instances: 20, nFeatures: 200, dHidden: 20,
        importance: new Float64Array(200).fill(1), featureProbability: powerSweep(20, 0, 1, 20),
        ...pairs, magnitude: "uniform", steps: 10_000, ...TRAINING, assumptions: [],
      };
  }
}

/** A fresh copy of a preset (its arrays may be modified freely). */
export function arenaTmsPreset(name: ArenaTmsPresetName, options: { version?: "s" | "old" } = {}): ArenaTmsPreset {
  if (!ARENA_TMS_PRESET_NAMES.includes(name)) throw new Error(`arenaTmsPreset: unknown preset "${name}"; expected one of ${ARENA_TMS_PRESET_NAMES.join(", ")}`);
  return build(name, options.version ?? "s");
}

/** The untrained model of a preset (one Rng per instance). */
export function createArenaToyModelFromPreset(preset: ArenaTmsPreset, rngs: Rng[]): ArenaToyModel {
  const options = { importance: preset.importance, featureProbability: preset.featureProbability };
  if (preset.kind === "computation") return createArenaComputation(preset, options, rngs);
  return createArenaTms(preset, { ...options, kind: preset.kind }, rngs);
}
