/** Train a grid the way a pipeline does: a registered architecture, a recipe, the one trainer. */
import { loadArchitecture, resolveArchitectureOptions } from "../../src/sae/load.ts";
import type { SaeParams, SaeShape } from "../../src/sae/types.ts";
import type { Rng } from "../../src/random.ts";
import { loadRecipe, trainerSettings } from "../../src/train/recipes/load.ts";
import { loadAutodiff, trainSaeGrid, type GridTrainingOptions, type GridTrainingResult, type TrainerSettings } from "../../src/train/trainer.ts";

export interface HarnessOptions extends Partial<Omit<GridTrainingOptions, keyof TrainerSettings>> {
  steps: number;
  batch: number;
  sample: (group: number) => Float32Array;
  hyper: Record<string, Float64Array>;
  engine?: "fused" | "tfjs";
  settings?: Partial<TrainerSettings>;
  architectureOptions?: Record<string, unknown>;
}

export async function initFor(architecture: string, shape: SaeShape, rngs: Rng[], architectureOptions: Record<string, unknown> = {}): Promise<SaeParams> {
  const arch = await loadArchitecture(architecture);
  return arch.init(shape, resolveArchitectureOptions(arch, architectureOptions, "options").options, rngs);
}

export async function trainWith(architecture: string, recipeName: string, p: SaeParams, o: HarnessOptions): Promise<GridTrainingResult> {
  const arch = await loadArchitecture(architecture);
  const recipe = await loadRecipe(recipeName);
  const { options, problems } = resolveArchitectureOptions(arch, o.architectureOptions ?? {}, "options");
  if (problems.length) throw new Error(problems.join("; "));
  const I = p.instances;
  const { engine = "fused", settings, architectureOptions: _given, lr, beta1, group, groups, ...rest } = o;
  return trainSaeGrid(arch, p, {
    ...trainerSettings(recipe, engine, settings),
    lr: lr ?? new Float64Array(I).fill(3e-3),
    beta1: beta1 ?? new Float64Array(I).fill(recipe.beta1),
    group: group ?? new Int32Array(I),
    groups: groups ?? 1,
    options,
    autodiff: engine === "tfjs" || !arch.fused ? await loadAutodiff() : undefined,
    ...rest,
  });
}
