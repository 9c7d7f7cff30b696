/**
 * Per-instance schedules of an architecture's hyperparameters, as plain data (they travel to
 * worker threads with the rest of a training job):
 * - `transition`: the k schedule of `EnchancedBatchTopKTrainingSAE` (§1.5): linear from `from`
 *   to the target over `durationSteps` from `startStep`, truncated to an integer (`kAtStep`);
 * - `warm-up`: SAELens' coefficient warm-up, target·min(1, step/steps) (the JumpReLU L0
 *   coefficient, `l0WarmUpFactor`).
 * Without a schedule a hyperparameter keeps its target value.
 */
import { kAtStep } from "./k-schedule.ts";

export type HyperSchedule = { kind: "transition"; from: number; startStep: number; durationSteps: number } | { kind: "warm-up"; steps: number };

/**
 * SAELens' coefficient scheduler: 0 at step 0, rising linearly to 1 at `warmUpSteps`
 * (step/warmUp, the step counted before its update), 1 without warm-up.
 */
export function l0WarmUpFactor(step: number, warmUpSteps: number): number {
  return warmUpSteps > 0 ? Math.min(1, step / warmUpSteps) : 1;
}

/** The value of a hyperparameter with target `target` during training step `step` (0-based). */
export function hyperAt(target: number, step: number, schedule: HyperSchedule | null | undefined): number {
  if (!schedule) return target;
  if (schedule.kind === "transition") {
    return kAtStep(target, step, { initialK: schedule.from, startStep: schedule.startStep, durationSteps: schedule.durationSteps });
  }
  return target * l0WarmUpFactor(step, schedule.steps);
}
