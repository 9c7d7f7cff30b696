/** A learning-rate schedule as data (recipes and worker jobs carry it), and its multiplier function. */
import { constantSchedule, warmupCooldown, type LrSchedule } from "./schedule.ts";

export type LrScheduleSpec = { kind: "constant" } | { kind: "warmup-cooldown"; warmupFrac: number; cooldownFrac: number };

export function lrSchedule(spec: LrScheduleSpec, steps: number): LrSchedule {
  return spec.kind === "constant" ? constantSchedule : warmupCooldown(steps, spec.warmupFrac, spec.cooldownFrac);
}
