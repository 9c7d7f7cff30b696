import { describe, expect, it } from "vitest";
import { kAtStep, tween } from "../src/train/k-schedule.ts";

describe("k schedule", () => {
  it("keeps a fractional k when there is no transition", () => {
    expect(kAtStep(1.8, 0)).toBe(1.8);
    expect(kAtStep(1.8, 14_648)).toBe(1.8);
  });

  it("increase 2→11 over 25,000 steps stops at 7 after the 14,649 training steps", () => {
    const inc = { initialK: 2, durationSteps: 25_000 };
    expect(kAtStep(11, 0, inc)).toBe(2);
    expect(kAtStep(11, 2_777, inc)).toBe(2); // 2 + 9·2777/25000 = 2.99972
    expect(kAtStep(11, 2_778, inc)).toBe(3); // 3.00008
    expect(kAtStep(11, 14_649, inc)).toBe(7); // int(7.27364)
    expect(kAtStep(11, 30_000, inc)).toBe(11);
  });

  it("decrease 20→11 over steps 3000–11000, clamped at both ends and truncated", () => {
    const dec = { initialK: 20, durationSteps: 8_000, startStep: 3_000 };
    expect(kAtStep(11, 0, dec)).toBe(20);
    expect(kAtStep(11, 2_999, dec)).toBe(20);
    expect(kAtStep(11, 3_001, dec)).toBe(19); // int(19.998875)
    expect(kAtStep(11, 7_000, dec)).toBe(15); // 20 − 9·0.5 = 15.5
    expect(kAtStep(11, 11_000, dec)).toBe(11);
    expect(kAtStep(11, 14_648, dec)).toBe(11);
  });

  it("tweens linearly", () => {
    expect(tween(5, 0, 1, 10)).toBe(0.5);
    expect(tween(-1, 0, 1, 10)).toBe(0);
    expect(tween(12, 0, 1, 10, 1)).toBe(1);
  });
});
