import { describe, expect, it } from "vitest";
import type { Estimate } from "../src/framework/estimate.ts";
import { runLength, runLengthSentence, stageWork } from "../src/framework/run-length.ts";

const seconds = (s: number) => `${s.toFixed(1)} s`;

describe("run length against the original's", () => {
  it("sums an estimate's work per stage", () => {
    const estimate: Estimate = {
      memory: [],
      work: [
        { stage: "train-saes", what: "grid a", fields: [], seconds: 30 },
        { stage: "train-model", what: "toy", fields: [], seconds: 2 },
        { stage: "train-saes", what: "grid b", fields: [], seconds: 10 },
      ],
    };
    expect(stageWork(estimate)).toEqual({ "train-saes": 40, "train-model": 2 });
  });

  it("scales each measured stage by its estimated work ratio", () => {
    const work = { default: { "train-model": 2, "train-saes": 40 }, paper: { "train-model": 2, "train-saes": 160 } };
    const measured = [
      { stage: "config", seconds: 0.5 },
      { stage: "train-model", seconds: 3 },
      { stage: "train-saes", seconds: 100 },
      { stage: "metrics", seconds: 4 },
    ];
    const length = runLength(work, "default", measured);
    // share: (2 + 40) / (2 + 160); paper: 0.5 + 3·(2/2) + 100·(160/40) + 4 (no estimate: as measured)
    expect(length).toEqual({ profile: "default", shareOfPaper: 42 / 162, measuredSeconds: 107.5, paperSeconds: 407.5 });
    expect(runLengthSentence(length!, seconds)).toBe(
      "26 % of the original's estimated work (the paper profile's), profile default. This run's stages took 107.5 s; " +
        "the paper profile would take ≈ 407.5 s on this machine (each stage's measured time scaled by its estimated work ratio).",
    );
  });

  it("says a paper run is the original's length, and gives small shares two digits", () => {
    const work = { smoke: { "train-saes": 1 }, paper: { "train-saes": 1600 } };
    expect(runLengthSentence(runLength(work, "paper", [{ stage: "train-saes", seconds: 60 }])!, seconds)).toBe(
      "The original's length (paper profile); this run's stages took 60.0 s.",
    );
    expect(runLengthSentence(runLength(work, "smoke", [{ stage: "train-saes", seconds: 2 }])!, seconds)).toMatch(/^0\.063 % of the original's/);
  });

  it("has nothing to say without both profiles' work", () => {
    expect(runLength({ default: { "train-saes": 1 } }, "default", [])).toBeNull();
    expect(runLength({ default: {}, paper: { "train-saes": 1 } }, "default", [])).toBeNull();
  });
});
