/**
 * "composed-2024": the trainer of superposition-geometry-toys `AutoEncoder.train` (the
 * composed-feature experiments, reference §3.3): Adam with β1 = 0 and β2 = .999, the
 * constant_with_warmup_and_cooldown schedule (10 % warm-up, linear cool-down over the last
 * 20 %), no gradient clipping, a latent dead after 400 steps without firing (ghost grads),
 * ceil(samples / batch) steps. Decoder renormalisation and the parallel-gradient removal belong
 * to the relu-l1 architecture's hooks.
 */
import type { Recipe } from "./recipe.ts";

export const recipe: Recipe = {
  name: "composed-2024",
  description: "superposition-geometry-toys AutoEncoder.train (reference §3.3)",
  beta1: 0,
  settings: {
    beta2: 0.999,
    eps: 1e-8,
    lrSchedule: { kind: "warmup-cooldown", warmupFrac: 0.1, cooldownFrac: 0.2 },
    maxGradNorm: null,
    deadWindow: 400,
    normalizeInputs: null,
  },
  steps: (samples, batch) => Math.ceil(samples / batch),
};
