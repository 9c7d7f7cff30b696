import { describe, expect, it } from "vitest";
import { formatCompact, formatNumber, formatScientific } from "../src/format.ts";
import { linearTicks, logTicks } from "../src/ticks.ts";

describe("number formats", () => {
  it("writes hyperparameters as people do", () => {
    expect(formatScientific(3e-4)).toBe("3×10⁻⁴");
    expect(formatScientific(1e-4)).toBe("1×10⁻⁴");
    expect(formatScientific(9.999e-5, 2)).toBe("1×10⁻⁴");
    expect(formatScientific(-2.5e6)).toBe("−2.5×10⁶");
    expect(formatCompact(0.03)).toBe("0.03");
    expect(formatCompact(1)).toBe("1");
    expect(formatCompact(1e-5)).toBe("1×10⁻⁵");
  });

  it("formats table numbers with trimmed significant digits and words for non-finite", () => {
    expect(formatNumber(12800)).toBe("12,800");
    expect(formatNumber(0.01)).toBe("0.01");
    expect(formatNumber(0.123456)).toBe("0.1235");
    expect(formatNumber(-0.5)).toBe("−0.5");
    expect(formatNumber(1.234e-5)).toBe("1.234×10⁻⁵");
    expect(formatNumber(Number.NaN)).toBe("NaN");
    expect(formatNumber(Number.NEGATIVE_INFINITY)).toBe("−∞");
  });
});

describe("ticks", () => {
  it("picks round linear steps", () => {
    expect(linearTicks(0, 1, 5)).toEqual([0, 0.2, 0.4, 0.6, 0.8, 1]);
    expect(linearTicks(-1, 1, 4)).toEqual([-1, -0.5, 0, 0.5, 1]);
  });

  it("picks 1-2-5 log ticks over a short range and decades over a long one", () => {
    expect(logTicks(0.006, 0.2)).toEqual([0.01, 0.02, 0.05, 0.1, 0.2]);
    expect(logTicks(1e-5, 1)).toEqual([1e-5, 1e-4, 1e-3, 0.01, 0.1, 1]);
  });
});
