import { describe, expect, it } from "vitest";
import { columnFormat, columnStyle, tickFormat } from "../src/format-uniform.ts";

const all = (values: number[], format: (v: number) => string) => values.map(format);

describe("one number format per table column", () => {
  it("writes learning rates all in scientific notation when one is below 1e-3, all fixed otherwise", () => {
    const lrs = [3e-5, 1e-4, 3e-4, 1e-3, 3e-3];
    expect(all(lrs, columnFormat(lrs))).toEqual(["3×10⁻⁵", "1×10⁻⁴", "3×10⁻⁴", "1×10⁻³", "3×10⁻³"]);
    const smoke = [1e-3, 3e-3];
    expect(all(smoke, columnFormat(smoke))).toEqual(["0.001", "0.003"]);
  });

  it("shares decimals across a column, as many as its values need", () => {
    const l1 = [0.01, 0.03, 0.1, 0.3, 1];
    expect(all(l1, columnFormat(l1))).toEqual(["0.01", "0.03", "0.10", "0.30", "1.00"]);
    const k = [2, 1.8, 1.9];
    expect(all(k, columnFormat(k))).toEqual(["2.0", "1.8", "1.9"]);
    const rho = [-0.4, 0, 0.4];
    expect(all(rho, columnFormat(rho))).toEqual(["−0.4", "0.0", "0.4"]);
    const loss = [0.6243, 1.19, 20.586];
    expect(all(loss, columnFormat(loss))).toEqual(["0.624", "1.190", "20.586"]);
  });

  it("keeps a column with values over many decades in one scientific format", () => {
    const mse = [1.74, 0.09168, 3.89e-5];
    expect(all(mse, columnFormat(mse))).toEqual(["1.740×10⁰", "9.168×10⁻²", "3.890×10⁻⁵"]);
  });

  it("writes integers with separators, never with decimals, and non-finite values in words", () => {
    expect(all([12800, 3, 0], columnFormat([12800, 3, 0]))).toEqual(["12,800", "3", "0"]);
    const withNaN = [0.5, Number.NaN, Number.POSITIVE_INFINITY];
    expect(all(withNaN, columnFormat(withNaN))).toEqual(["0.5", "NaN", "∞"]);
    expect(columnStyle([])).toEqual({ kind: "integer" });
  });

  it("never prints a negative zero", () => {
    expect(columnFormat([0.5, -0.0004])(-0.0004)).toBe("−4×10⁻⁴");
    expect(columnFormat([0.5, 0.25])(-0.0001)).toBe("0.00");
  });
});

describe("one tick format per axis", () => {
  it("never mixes 0.001 and 1×10⁻⁴ on one axis", () => {
    const ticks = [1e-6, 1e-5, 1e-4, 1e-3, 0.01];
    expect(all(ticks, tickFormat(ticks, { log: true }))).toEqual(["1×10⁻⁶", "1×10⁻⁵", "1×10⁻⁴", "1×10⁻³", "1×10⁻²"]);
    const decades = [0.001, 0.01, 0.1];
    expect(all(decades, tickFormat(decades, { log: true }))).toEqual(["0.001", "0.01", "0.1"]);
    const mixed = [2e-4, 5e-4, 1e-3, 2e-3];
    expect(all(mixed, tickFormat(mixed, { log: true }))).toEqual(["2×10⁻⁴", "5×10⁻⁴", "1×10⁻³", "2×10⁻³"]);
  });

  it("gives a linear axis one number of decimals, and integers their separators", () => {
    expect(all([0, 0.5, 1], tickFormat([0, 0.5, 1]))).toEqual(["0.0", "0.5", "1.0"]);
    expect(all([-0.002, -0.0015], tickFormat([-0.002, -0.0015]))).toEqual(["−0.0020", "−0.0015"]);
    expect(all([0, 500, 1000, 150000], tickFormat([0, 500, 1000, 150000]))).toEqual(["0", "500", "1,000", "150,000"]);
  });
});
