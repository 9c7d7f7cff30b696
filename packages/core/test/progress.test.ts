import { describe, expect, it } from "vitest";
import { progressReporter } from "../src/train/progress.ts";

describe("progressReporter", () => {
  it("measures rate and ETA from the first training step, not from start-up", () => {
    let clock = 0;
    const lines: string[] = [];
    const progress = progressReporter("x:train-saes", 100, { everyMs: 5000, write: (l) => lines.push(l), now: () => clock });
    clock = 60_000; // a minute of worker start-up before the first step is reported
    progress.tick(10);
    // the first step reported is the rate's origin: no rate yet (the old reporter said 0.2 steps/s, ETA 7m30s)
    expect(lines).toEqual(["[x:train-saes]  10% step 10/100 (rate ?, elapsed 60.0s, ETA ?)"]);
    clock = 70_000;
    progress.tick(20); // 10 steps in 10 s: 1 step/s, 80 steps left (counting from start-up: 280 s)
    expect(lines.at(-1)).toBe("[x:train-saes]  20% step 20/100 (1.0 steps/s, elapsed 70.0s, ETA 80.0s)");
  });

  it("prints no ETA before it has a rate, and throttles to everyMs", () => {
    let clock = 0;
    const lines: string[] = [];
    const progress = progressReporter("m", 1000, { everyMs: 1000, unit: "samples", unitsPerStep: 50, write: (l) => lines.push(l), now: () => clock });
    clock = 2000;
    progress.tick(1);
    expect(lines.at(-1)).toBe("[m]   0% step 1/1000 (rate ?, elapsed 2.0s, ETA ?)");
    clock = 2500;
    progress.tick(101); // within everyMs of the last line: nothing printed
    expect(lines).toHaveLength(1);
    clock = 3000;
    progress.tick(201); // 200 steps in 1 s
    expect(lines.at(-1)).toBe("[m]  20% step 201/1000 (200.0 steps/s, 1.00e+4 samples/s, elapsed 3.0s, ETA 4.0s)");
    clock = 7000;
    progress.done();
    expect(lines.at(-1)).toBe("[m] 100% step 1000/1000 (199.8 steps/s, 9.99e+3 samples/s, elapsed 7.0s, ETA 0.0s)");
  });
});
