/**
 * "arena": ARENA's toy-SAE `optimize` (chapter 1.3.1, reference arena-toy-models.md §2): Adam
 * (β = 0.9, 0.999, ε 1e-8), lr 1e-3 constant (the linear and cosine schedules are the toy
 * models' options, not the SAE's), no gradient clipping, batch 1024, 10,000 steps by default,
 * dead-latent resampling at the steps where (step + 1) % 2,500 = 0 over a frac_active window of
 * 500 steps with encoder scale 0.5 (S; OLD: window 400 in the demo, scale 0.2). The original's
 * `resample_method` defaults to none; the recipe presets the advanced method that ARENA's demos
 * use, and a config chooses per SAE ("none", "simple", "advanced") by overriding `resampling`.
 * The decoder normalisation after each step belongs to the architectures' hooks.
 */
import type { Recipe } from "./recipe.ts";

export const ARENA_SAE_STEPS = 10_000;

export const recipe: Recipe = {
  name: "arena",
  description: "ARENA 1.3.1 toy SAE optimize with dead-latent resampling (arena-toy-models.md §2)",
  beta1: 0.9,
  settings: {
    beta2: 0.999,
    eps: 1e-8,
    lrSchedule: { kind: "constant" },
    maxGradNorm: null,
    // the trainer's own dead count (curves, hooks) uses the resampling window
    deadWindow: 500,
    normalizeInputs: null,
    resampling: { kind: "advanced", every: 2_500, window: 500, scale: 0.5 },
  },
  steps: (samples, batch) => Math.ceil(samples / batch),
};
