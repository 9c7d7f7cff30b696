/**
 * Learning-rate multipliers as functions of the step (0-based).
 *
 * `warmupCooldown` is the composed-feature trainer's "constant_with_warmup_and_cooldown":
 * min(1, (step+1)/W) with W = ⌊warmupFrac·steps⌋, then a linear decay 1 → 0 over
 * C = ⌊cooldownFrac·steps⌋ steps starting at step `steps − C` (torch's SequentialLR of a
 * LambdaLR and a LinearLR(1 → 0, total_iters = C)).
 */
export type LrSchedule = (step: number) => number;

export const constantSchedule: LrSchedule = () => 1;

export function warmupCooldown(steps: number, warmupFrac = 0.1, cooldownFrac = 0.2): LrSchedule {
  const warmup = Math.floor(warmupFrac * steps);
  const cooldown = Math.floor(cooldownFrac * steps);
  const cooldownStart = steps - cooldown;
  return (step) => {
    if (step >= cooldownStart && cooldown > 0) {
      return Math.max(0, 1 - (step - cooldownStart) / cooldown);
    }
    return warmup > 0 ? Math.min(1, (step + 1) / warmup) : 1;
  };
}
