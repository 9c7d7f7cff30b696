/**
 * The ARENA kinds' pieces without a pipeline run: the configurations as resolved (S and OLD,
 * recomputed sweeps), toy-model jobs that give the same numbers however a configuration's
 * instances are split over threads, the double-descent schedule, the findings' geometry on
 * hand-made weights, and the configs' cross-field rules.
 */
import { describe, expect, it } from "vitest";
import { registered } from "../src/framework/experiment-config.ts";
import { resolveExperiment } from "../src/kinds/tms-superposition/experiments.ts";
import { runToyJob, warmupCosine, type ModelJobResult } from "../src/kinds/tms-superposition/toy-jobs.ts";
import { angularGaps, doubleDescentFindings, features2dFindings, monosemanticShare, nearGuides, pairFindings, spearman, topMean } from "../src/kinds/tms-superposition/findings.ts";
import { pairRelation, type TrainedToyModel } from "../src/kinds/tms-superposition/common.ts";
import { validate as validateSuperposition, type TmsSuperpositionConfig } from "../src/kinds/tms-superposition/config.ts";
import { validate as validateSae, type TmsSaeConfig } from "../src/kinds/tms-sae/config.ts";
import { evenlySpaced, movingAverage } from "../src/kinds/tms-sae/plane-figures.ts";
import { runFindings, type RunStats } from "../src/kinds/tms-sae/narrative.ts";

const model2d = (w: number[][], p = 1): TrainedToyModel => {
  // w: feature directions (x, y) → W [2, F] row-major
  const F = w.length;
  const flat = new Float32Array(2 * F);
  w.forEach(([x, y], f) => {
    flat[f] = x;
    flat[F + f] = y;
  });
  return { experiment: "features-2d", instance: 0, featureProbability: p, nFeatures: F, dHidden: 2, w: flat, b: new Float32Array(F), finalLoss: 0 };
};

describe("tms-superposition configurations", () => {
  it("resolves the S and OLD presets and recomputes a sweep for another instance count", () => {
    const s = resolveExperiment({ name: "features-100", version: "s" });
    const old = resolveExperiment({ name: "features-100", version: "old" });
    expect([s.instances, old.instances, s.nFeatures, s.dHidden, s.steps]).toEqual([10, 20, 100, 20, 10_000]);
    expect(resolveExperiment({ name: "features-2d", version: "old" }).steps).toBe(10_000);
    const geo = resolveExperiment({ name: "geometry", version: "s", instances: 5 });
    // 20^−linspace(0, 1, 5)
    expect(Array.from(geo.featureProbability)).toEqual([0, 0.25, 0.5, 0.75, 1].map((t) => 20 ** -t));
    const anti = resolveExperiment({ name: "anticorrelated-2", version: "s", anticorrelationForm: "old" });
    expect([anti.nCorrelatedPairs, anti.nAnticorrelatedPairs, anti.anticorrelationForm]).toEqual([0, 2, "old"]);
    expect(pairRelation(0, 1, 1, 1)).toBe("correlated");
    expect(pairRelation(2, 3, 1, 1)).toBe("anticorrelated");
    expect(pairRelation(1, 2, 1, 1)).toBe("none");
    expect(pairRelation(4, 5, 1, 1)).toBe("none");
  });

  it("a configuration trained in two jobs gives the same weights as in one (per-instance streams, full-size init std)", () => {
    const e = resolveExperiment({ name: "features-2d", version: "s", instances: 4, steps: 30, batch: 64 });
    const whole = runToyJob({ type: "model", seed: 3, experiment: e, instances: [0, 1, 2, 3] }) as ModelJobResult;
    const a = runToyJob({ type: "model", seed: 3, experiment: e, instances: [0, 1] }) as ModelJobResult;
    const b = runToyJob({ type: "model", seed: 3, experiment: e, instances: [2, 3] }) as ModelJobResult;
    expect(Array.from(whole.w)).toEqual([...a.w, ...b.w]);
    expect(Array.from(whole.b)).toEqual([...a.b, ...b.b]);
    expect(whole.curve.filter((c) => c.instance === 3).map((c) => c.loss)).toEqual(b.curve.filter((c) => c.instance === 3).map((c) => c.loss));
  });

  it("double descent: warm-up then cosine decay, and the kept instance is the lowest-loss one", () => {
    const s = warmupCosine(100);
    expect(s(0, 1000)).toBe(0);
    expect(s(50, 1000)).toBe(0.5);
    expect(s(100, 1000)).toBe(1);
    expect(s(999, 1000)).toBeCloseTo(0, 12);
    const r = runToyJob({
      type: "double-descent",
      seed: 1,
      size: 5,
      nFeatures: 20,
      dHidden: 2,
      instances: 3,
      featureProbability: 0.1,
      steps: 40,
      warmupSteps: 10,
      lr: 1e-3,
      weightDecay: 1e-2,
    });
    if (r.type !== "double-descent") throw new Error("expected a double-descent result");
    expect(r.losses[r.best]).toBe(Math.min(...r.losses));
    expect(r.hidden.length).toBe(5 * 2);
    expect(r.w.length).toBe(2 * 20);
  });
});

describe("tms-superposition findings on hand-made weights", () => {
  it("recognises two orthogonal features and a pentagon", () => {
    const pentagon = Array.from({ length: 5 }, (_, f) => [Math.cos((2 * Math.PI * f) / 5), Math.sin((2 * Math.PI * f) / 5)]);
    expect(angularGaps(model2d(pentagon), [0, 1, 2, 3, 4]).map((g) => Math.round(g))).toEqual([72, 72, 72, 72, 72]);
    const dense = model2d(
      [
        [1, 0],
        [0, 1],
        [0.1, 0],
        [0, 0.05],
        [0, 0],
      ],
      1,
    );
    const sparse = model2d(pentagon, 0.02);
    const [two, five] = features2dFindings([dense, sparse], 0.5);
    expect(two.holds).toBe(true);
    expect(five.holds).toBe(true);
    const square = model2d(
      [
        [1, 0],
        [0, 1],
        [-1, 0],
        [0, -1],
        [0, 0],
      ],
      0.02,
    );
    expect(features2dFindings([dense, square], 0.5)[1].holds).toBe(false); // 4 features at 90°: not a pentagon
    const skewed = model2d(
      [
        [1, 0],
        [0.7, 0.7],
        [0, 0],
        [0, 0],
        [0, 0],
      ],
      1,
    );
    expect(features2dFindings([skewed, sparse], 0.5)[0].holds).toBe(false); // 45° apart: not orthogonal
  });

  it("counts monosemantic neurons, ranks, and dimensionalities near the guide fractions", () => {
    // 2 neurons × 3 features: neuron 0 carries feature 0 only, neuron 1 features 1 and 2
    const m: TrainedToyModel = {
      ...model2d([
        [1, 0],
        [0, 0.9],
        [0, -0.6],
      ]),
      experiment: "privileged",
    };
    expect(monosemanticShare(m)).toEqual({ share: 0.5, used: 2 });
    expect(spearman([1, 2, 3, 4], [10, 20, 30, 40])).toBe(1);
    expect(spearman([1, 2, 3, 4], [4, 3, 2, 1])).toBe(-1);
    expect(nearGuides([1, 0.5, 0.41, 0.3])).toBe(0.75); // 1, 1/2, 2/5 (±0.05) are sticky; 0.3 is not
  });

  it("pairs: antipodal anticorrelated pairs, orthogonal correlated pairs, a collapsed pair among 3 in 2-d", () => {
    const at = (deg: number) => [Math.cos((deg * Math.PI) / 180), Math.sin((deg * Math.PI) / 180)];
    const models: Record<string, TrainedToyModel[]> = {
      "anticorrelated-2": [model2d([at(0), at(180), at(90), at(270)]), model2d([at(0), at(90), at(180), at(270)])],
      "correlated-2": [model2d([at(0), at(90), at(180), at(270)])],
      "correlated-3": [
        model2d([at(0), at(0), at(120), at(180), at(240), at(300)]),
        model2d([at(0), at(60), at(120), at(180), at(240), at(300)]),
        model2d([at(10), at(12), at(120), at(180), at(240), at(300)]),
      ],
    };
    const of = (name: string) => (models[name] ? { models: models[name], e: resolveExperiment({ name: name as "correlated-2", version: "s" }) } : null);
    const f = Object.fromEntries(pairFindings(of, 0.5).map((x) => [x.id, x]));
    expect(f["anticorrelated-antipodal"].holds).toBe(false); // 2 of 4 pairs antipodal: 50 % < 60 %
    expect(f["anticorrelated-antipodal"].text).toContain("2 of 4");
    expect(f["correlated-orthogonal"].holds).toBe(true);
    expect(f["correlated-3-collapse"].holds).toBe(true); // instances 0 and 2 put a pair on one direction
    expect(f["correlated-3-collapse"].text).toContain("2 of 3 instances");
  });

  it("double descent: the top dimensionalities of data points and features trade places", () => {
    expect(topMean([0.1, NaN, 0.9, 0.5, 0.3, 0.2, 0.7], 3)).toBeCloseTo(0.7, 12);
    const trade = doubleDescentFindings([
      { size: 3000, featureTop: 0.4, dataTop: 0.01 },
      { size: 5, featureTop: 0.05, dataTop: 0.4 },
    ]);
    expect(trade[0].holds).toBe(true);
    expect(trade[0].text).toContain("0.40 vs 0.05 at 5 examples");
    expect(
      doubleDescentFindings([
        { size: 5, featureTop: 0.3, dataTop: 0.2 },
        { size: 3000, featureTop: 0.4, dataTop: 0.01 },
      ])[0].holds,
    ).toBe(false);
  });
});

describe("tms-sae narrative", () => {
  const stat = (run: string, architecture: string, resampling: string, dead: number, mmcs: number): RunStats => ({
    run,
    architecture,
    resampling,
    instances: 16,
    dead,
    deadInTraining: dead,
    mmcs,
    mmcsAlive: mmcs,
    l0: 0.1,
    loss: 1e-3,
    withDead: dead > 0 ? 8 : 0,
    resampled: resampling === "none" ? 0 : 20,
  });

  it("decides ARENA §2's findings from the per-run statistics", () => {
    const f = runFindings([
      stat("relu-none", "arena-relu", "none", 1.75, 0.89),
      stat("relu-simple", "arena-relu", "simple", 0, 0.98),
      stat("relu-advanced", "arena-relu", "advanced", 0, 0.985),
      stat("gated", "gated", "advanced", 0, 0.98),
      stat("jumprelu", "arena-jumprelu", "advanced", 0.1, 0.85),
    ]);
    const holds = Object.fromEntries(f.all.map((x) => [x.id, x.holds]));
    expect(holds).toEqual({ "latents-die": true, "advanced-resampling": true, "simple-resampling": true, "recovers-gated": true, "recovers-jumprelu": false });
    expect(f.figure33.map((x) => x.id)).toEqual(["latents-die", "advanced-resampling", "simple-resampling"]);
    const worse = runFindings([stat("a", "arena-relu", "none", 1, 0.9), stat("b", "arena-relu", "advanced", 1.5, 0.95)]);
    expect(worse.all.find((x) => x.id === "advanced-resampling")?.holds).toBe(false);
    expect(worse.all.find((x) => x.id === "simple-resampling")?.holds).toBeNull();
  });

  it("picks evenly spaced snapshots and smooths frac_active with a trailing mean", () => {
    expect(evenlySpaced(81, 5)).toEqual([0, 20, 40, 60, 80]);
    expect(evenlySpaced(3, 5)).toEqual([0, 1, 2]);
    expect(movingAverage([0, 2, 4, 6], 2)).toEqual([0, 1, 3, 5]);
  });
});

describe("ARENA configs' cross-field rules", () => {
  it("tms-sae: runs need an ARENA architecture, unique names, options their architecture takes; windows and instances fit", async () => {
    const known = await registered();
    const base = (over: Partial<TmsSaeConfig["sae"]> = {}): TmsSaeConfig => ({
      name: "x",
      kind: "tms-sae",
      description: "",
      seed: 0,
      model: { instances: 2, nFeatures: 5, dHidden: 2, featureProbability: 0.025, steps: 10, batch: 8, lr: 1e-3, useInstance: 0 },
      sae: {
        recipe: "arena",
        instances: 2,
        dSae: 5,
        steps: 100,
        batch: 8,
        lr: 1e-3,
        resampleEvery: 50,
        resampleWindow: 20,
        resampleScale: 0.5,
        snapshotEvery: 10,
        logEvery: 10,
        engine: "fused",
        threads: 1,
        runs: [{ name: "a", architecture: "arena-relu", sparsityCoeff: 0.2, resampling: "none" }],
        ...over,
      },
      metrics: { evalSamples: 10 },
      plots: { instances: 2, frames: 2, rows: 2, movingAverage: 2 },
    });
    expect(validateSae(base(), known)).toEqual([]);
    const problems = validateSae(
      base({
        resampleWindow: 60,
        runs: [
          { name: "a", architecture: "relu-l1", sparsityCoeff: 0.2, resampling: "none" },
          { name: "a", architecture: "gated", options: { steEpsilon: 0.1 }, sparsityCoeff: 1, resampling: "simple" },
          { name: "b", architecture: "gatedd", sparsityCoeff: 1, resampling: "simple" },
        ],
      }),
      known,
    );
    expect(problems).toEqual([
      expect.stringMatching(/^sae\.runs\[0\]\.architecture: got "relu-l1", expected an architecture whose hyperparameter is sparsityCoeff/),
      'sae.runs[1].name: got "a", expected a name no other run has',
      "sae.runs[1].options.steEpsilon: got 0.1, expected no such option: only arena-jumprelu take steEpsilon",
      expect.stringMatching(/^sae\.runs\[2\]\.architecture: got "gatedd", expected one of the registered architectures \(.*arena-relu, gated, arena-jumprelu/),
      "sae.resampleWindow: got 60, expected at most sae.resampleEvery (50): the window looks back from a resampling step",
    ]);
  });

  it("tms-superposition: one entry per configuration, privileged keeps its 7 probabilities, double-descent sizes distinct", () => {
    const config: TmsSuperpositionConfig = {
      name: "x",
      kind: "tms-superposition",
      description: "",
      seed: 0,
      models: [
        { name: "privileged", version: "s", instances: 5 },
        { name: "privileged", version: "old" },
        { name: "features-2d", version: "s", anticorrelationForm: "old" },
      ],
      doubleDescent: { enabled: false, nFeatures: 10, dHidden: 2, instances: 1, featureProbability: 0.1, sizes: [3, 3], steps: 10, warmupSteps: 10, lr: 1e-3, weightDecay: 0 },
      training: { threads: 1 },
      metrics: { representedNorm: 0.5 },
    };
    expect(validateSuperposition(config)).toEqual([
      "models[0].instances: got 5, expected 7 or nothing: the privileged configuration's probabilities are a fixed list of 7",
      'models[1].name: got "privileged", expected a configuration no other entry names',
      'models[2].anticorrelationForm: got "old", expected nothing: only anticorrelated-2 has anticorrelated pairs',
      "doubleDescent.sizes[1]: got 3, expected a size not already listed",
      "doubleDescent.warmupSteps: got 10, expected fewer than doubleDescent.steps (10)",
    ]);
  });
});
