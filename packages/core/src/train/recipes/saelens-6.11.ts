/**
 * "saelens-6.11": SAELens 6.11.1 `SAETrainer` as Sparse-but-Wrong runs it (reference §1.3):
 * Adam (.9, .999), constant learning rate, each instance's global gradient norm clipped to 1,
 * a latent dead after 1000 steps without firing (feeds aux-k), no decoder normalisation,
 * ceil(training_samples / batch) steps (15M samples in batches of 1024 → 14,649).
 */
import type { Recipe } from "./recipe.ts";

export const recipe: Recipe = {
  name: "saelens-6.11",
  description: "SAELens 6.11.1 SAETrainer (reference §1.3)",
  beta1: 0.9,
  settings: {
    beta2: 0.999,
    eps: 1e-8,
    lrSchedule: { kind: "constant" },
    maxGradNorm: 1,
    deadWindow: 1000,
    normalizeInputs: null,
  },
  steps: (samples, batch) => Math.ceil(samples / batch),
};
