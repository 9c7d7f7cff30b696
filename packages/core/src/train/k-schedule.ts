/**
 * The k schedule of `EnchancedBatchTopKTrainingSAE` (Sparse-but-Wrong, §1.5): k moves
 * linearly from `initialK` to the target k over `durationSteps` steps starting at
 * `startStep` (the original's `Tween`, clamped at both ends), and the activation function
 * gets int(k(step)): truncated to an integer. The SAE sets it at construction (step 0) and
 * after every training step, so the k used in training step s (0-based) is int(k(s)) and
 * the trained SAE ends with int(k(steps)).
 *
 * Without a transition nothing is set and k keeps its configured value, fractional or not
 * (the small toy's k = 1.8 runs are plain BatchTopK SAEs).
 */
export interface KTransition {
  initialK: number;
  durationSteps: number;
  startStep?: number;
}

/** The original's Tween: start before `startStep`, end from startStep + n on, linear between. */
export function tween(step: number, start: number, end: number, nSteps: number, startStep = 0): number {
  if (step < startStep) return start;
  if (step >= startStep + nSteps) return end;
  return start + ((end - start) * (step - startStep)) / nSteps;
}

/** The k the activation function holds after `step` completed training steps. */
export function kAtStep(k: number, step: number, transition?: KTransition): number {
  if (!transition) return k;
  return Math.trunc(tween(step, transition.initialK, k, transition.durationSteps, transition.startStep ?? 0));
}
