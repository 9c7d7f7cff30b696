/**
 * "saelens-5.10": SAELens 5.10.2 `SAETrainer` as the feature-hedging paper's `train_toy_sae`
 * runs it (reference §2.3): Adam with β1 = 0 (5.10.2's default, never overridden by the toys)
 * and β2 = .999, constant learning rate, each SAE's global gradient norm clipped to 1, a latent
 * dead after 1000 steps without firing, no input normalisation.
 *
 * The batch is the SAE's `context_size` (500 in the single-latent notebook, the runner default
 * 128 in the balancing notebook: `FakeActivationsStore` yields one context per step), while the
 * token counter advances by `train_batch_size_tokens` = 4096 per step, so the number of steps is
 * ⌊training_tokens / 4096⌋ whatever the batch (100M tokens → 24,414 steps). `samples` here is
 * the original's `training_tokens`.
 */
import type { Recipe } from "./recipe.ts";

/** SAELens 5.10.2 `train_batch_size_tokens`: what the token counter advances per step. */
export const SAELENS_5_10_TOKENS_PER_STEP = 4096;

export const recipe: Recipe = {
  name: "saelens-5.10",
  description: "SAELens 5.10.2 SAETrainer as the feature-hedging toys run it (reference §2.3)",
  beta1: 0,
  settings: {
    beta2: 0.999,
    eps: 1e-8,
    lrSchedule: { kind: "constant" },
    maxGradNorm: 1,
    deadWindow: 1000,
    normalizeInputs: null,
  },
  steps: (samples) => Math.floor(samples / SAELENS_5_10_TOKENS_PER_STEP),
};
