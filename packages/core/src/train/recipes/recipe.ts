/**
 * A recipe: what one original training code does, as a preset of the one trainer's settings.
 * Configs name a recipe and may override any setting; the loop itself never changes.
 */
import type { TrainerSettings } from "../trainer.ts";

export interface Recipe {
  name: string;
  /** Which original code it reproduces, and where the reference describes it. */
  description: string;
  /** Adam β1 unless a config sets its own. */
  beta1: number;
  settings: Omit<TrainerSettings, "engine">;
  /** Training steps for `samples` training samples in batches of `batch`, as the original counts them. */
  steps(samples: number, batch: number): number;
}
