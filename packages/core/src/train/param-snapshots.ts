/**
 * Copies of an SAE grid's parameters during training: what ARENA's toy-SAE `optimize` logs
 * every `log_freq` steps (W_enc, W_dec, …; reference arena-toy-models.md §2) to animate the
 * latents in the hidden plane over training. Taken after the step's update and its after-step
 * hook, at the steps where step % every = 0 and at the last step, with any input scale folded
 * in (so a snapshot takes raw inputs, like the saved SAE).
 */
import { cloneSaeParams, type SaeParams } from "../sae/types.ts";
import { foldInputScale } from "./input-normalisation.ts";

export interface ParamSnapshot {
  /** The 0-based step after whose update the copy was taken. */
  step: number;
  params: SaeParams;
}

export function isSnapshotStep(step: number, steps: number, every: number): boolean {
  return step % every === 0 || step === steps - 1;
}

export function takeSnapshot(p: SaeParams, step: number, inputScale: ArrayLike<number>): ParamSnapshot {
  const params = cloneSaeParams(p);
  foldInputScale(params, inputScale);
  return { step, params };
}
