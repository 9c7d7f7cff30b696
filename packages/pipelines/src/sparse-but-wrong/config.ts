/**
 * Config of a Sparse-but-Wrong experiment (kind "sparse-but-wrong"): correlated features and
 * the wrong L0 (reference §1). One kind covers the small toy, the main toy and the JumpReLU
 * sweep: the data (features, firing probabilities, magnitudes, correlation), the toy-model
 * variants, the SAE defaults and a list of named run groups, which train-saes expands into
 * one instance axis (run → ρ → seed → k / L0 coefficient).
 */
import { arrayOf, bool, int, num, object, oneOf, str, type Schema } from "../config/schema.ts";

export interface ProbabilitiesConfig {
  /** constant: every feature fires with `p`; linear: linspace(first, last); values: one per feature. */
  kind: "constant" | "linear" | "values";
  p?: number;
  first?: number;
  last?: number;
  values?: number[];
}

export interface CorrelationConfig {
  /** none: independent firing; feature0: ρ between feature 0 and every other feature (one data condition per ρ); random: the seeded random matrix. */
  kind: "none" | "feature0" | "random";
  rho?: number[];
  seed?: number;
  strengthRange?: [number, number];
  positiveRatio?: number;
  sparsity?: number;
}

export interface ModelVariantConfig {
  name: string;
  /** Adam steps of the orthogonalisation (original 1000; the "superposition" model 4). */
  steps: number;
  lr: number;
  /** Stop once the orthogonality loss is below this (1e-10 makes N ≤ H embeddings orthonormal). */
  stopBelowLoss?: number;
}

export interface KTransitionConfig {
  /** k at the start of the transition. */
  from: number;
  /** Start and length as fractions of the training steps (paper: 3000/14649 and 8000/14649 for 20→11; 0 and 25000/14649 for 2→11). */
  startFraction: number;
  durationFraction: number;
}

export interface RunConfig {
  name: string;
  architecture: "batchtopk" | "jumprelu";
  /** BatchTopK: one instance per k. */
  k?: number[];
  /** JumpReLU: one instance per L0 coefficient. */
  l0Coefficient?: number[];
  /** Data conditions (correlation kind feature0): one instance per ρ. */
  rho?: number[];
  /** Repeats 0..seeds−1: each has its own initialisation and its own data stream. */
  seeds: number;
  init: "random" | "truth";
  /** Gaussian noise added to the ground-truth initialisation (`noise_level`). */
  initNoise?: number;
  /** Toy-model variant (default: the first). */
  model?: string;
  kTransition?: KTransitionConfig;
  /** SAELens `normalize_activations="expected_average_only_in"`. */
  normalizeInputs?: boolean;
  /** JumpReLU: L0-coefficient warm-up as a fraction of the steps (paper 10000/14649). */
  l0WarmUpFraction?: number;
  /** false: evaluated as initialised (the untrained ground-truth SAE). Default true. */
  trained?: boolean;
  /** Overrides sae.lr for this run. */
  lr?: number;
}

export interface HeatmapConfig {
  id: string;
  title: string;
  run: string;
  k?: number;
  rho?: number;
  seed?: number;
  l0Coefficient?: number;
  /** Subtract the true features' own cosines (the superposition plots). */
  adjustForSuperposition?: boolean;
}

export interface PlotsConfig {
  firingProbabilities?: boolean;
  correlations?: Array<{ id: string; title: string; rho?: number }>;
  heatmaps?: HeatmapConfig[];
  /** s_n^dec against k, one panel per n (mean ± 1 sd over seeds). */
  projections?: { run: string; n: number[] };
  varianceExplained?: { run: string; truth: string };
  pairwiseCosine?: { run: string };
  mixingVsRho?: { run: string };
  mixingVsK?: { run: string };
  /** Cosines between the true features of a model variant. */
  superposition?: { model: string };
  /** s_n^dec against measured L0 and L0 against the coefficient. */
  jumprelu?: { run: string; n: number[] };
  intuition?: boolean;
}

export interface SparseButWrongConfig {
  name: string;
  kind: "sparse-but-wrong";
  description: string;
  seed: number;
  data: {
    features: number;
    hidden: number;
    probabilities: ProbabilitiesConfig;
    magnitudeMean: number;
    magnitudeStd: number;
    correlation: CorrelationConfig;
    /** Fresh samples per data condition for the evaluation (paper 100,000). */
    evalSamples: number;
  };
  model: { variants: ModelVariantConfig[] };
  sae: {
    dSae: number;
    lr: number;
    batch: number;
    /** Training samples per SAE; steps = ceil(samples / batch) (paper 15,000,000 → 14,649). */
    samples: number;
    deadWindow: number;
    /** Batches for the input-norm estimate of normalizeInputs runs (SAELens 1000). */
    normEstimateBatches: number;
    engine: "fused" | "tfjs";
    threads: number;
    runs: RunConfig[];
  };
  metrics: {
    /** Feature mixing = mean decoder cos of these latents with `mixingFeature` (notebook: 1, 2, 3 and 0). */
    mixingLatents: number[];
    mixingFeature: number;
    /** MSE of a trained SAE forced to a lower k, against SAEs trained at that k. */
    forcedK?: Array<{ run: string; fromK: number; toK: number[] }>;
  };
  plots: PlotsConfig;
}

const name = str({ pattern: /^[a-z0-9][a-z0-9-]*$/ });
const nonEmptyNums = (o: { min?: number; max?: number; exclusiveMin?: number }) => arrayOf(num(o), { minItems: 1 });

const run = object(
  {
    name,
    architecture: oneOf(["batchtopk", "jumprelu"]),
    k: nonEmptyNums({ exclusiveMin: 0 }),
    l0Coefficient: nonEmptyNums({ min: 0 }),
    rho: nonEmptyNums({ min: -1, max: 1 }),
    seeds: int({ min: 1 }),
    init: oneOf(["random", "truth"]),
    initNoise: num({ min: 0 }),
    model: name,
    kTransition: object({ from: num({ exclusiveMin: 0 }), startFraction: num({ min: 0 }), durationFraction: num({ exclusiveMin: 0 }) }),
    normalizeInputs: bool(),
    l0WarmUpFraction: num({ min: 0 }),
    trained: bool(),
    lr: num({ exclusiveMin: 0 }),
  },
  ["k", "l0Coefficient", "rho", "initNoise", "model", "kTransition", "normalizeInputs", "l0WarmUpFraction", "trained", "lr"],
);

const heatmap = object(
  {
    id: name,
    title: str(),
    run: name,
    k: num({ exclusiveMin: 0 }),
    rho: num({ min: -1, max: 1 }),
    seed: int({ min: 0 }),
    l0Coefficient: num({ min: 0 }),
    adjustForSuperposition: bool(),
  },
  ["k", "rho", "seed", "l0Coefficient", "adjustForSuperposition"],
);

const runRef = object({ run: name });
const nList = arrayOf(int({ min: 0 }), { minItems: 1 });

export const schema: Schema = object({
  name: str(),
  kind: oneOf(["sparse-but-wrong"]),
  description: str(),
  seed: int({ min: 0 }),
  data: object({
    features: int({ min: 1 }),
    hidden: int({ min: 1 }),
    probabilities: object(
      {
        kind: oneOf(["constant", "linear", "values"]),
        p: num({ min: 0, max: 1 }),
        first: num({ min: 0, max: 1 }),
        last: num({ min: 0, max: 1 }),
        values: nonEmptyNums({ min: 0, max: 1 }),
      },
      ["p", "first", "last", "values"],
    ),
    magnitudeMean: num(),
    magnitudeStd: num({ min: 0 }),
    correlation: object(
      {
        kind: oneOf(["none", "feature0", "random"]),
        rho: nonEmptyNums({ min: -1, max: 1 }),
        seed: int({ min: 0 }),
        strengthRange: arrayOf(num({ min: 0, max: 1 }), { minItems: 2, maxItems: 2 }),
        positiveRatio: num({ min: 0, max: 1 }),
        sparsity: num({ min: 0, max: 1 }),
      },
      ["rho", "seed", "strengthRange", "positiveRatio", "sparsity"],
    ),
    evalSamples: int({ min: 1 }),
  }),
  model: object({
    variants: arrayOf(
      object({ name, steps: int({ min: 0 }), lr: num({ exclusiveMin: 0 }), stopBelowLoss: num({ exclusiveMin: 0 }) }, ["stopBelowLoss"]),
      { minItems: 1 },
    ),
  }),
  sae: object({
    dSae: int({ min: 1 }),
    lr: num({ exclusiveMin: 0 }),
    batch: int({ min: 1 }),
    samples: int({ min: 1 }),
    deadWindow: int({ min: 1 }),
    normEstimateBatches: int({ min: 1 }),
    engine: oneOf(["fused", "tfjs"]),
    threads: int({ min: 1, max: 64 }),
    runs: arrayOf(run, { minItems: 1 }),
  }),
  metrics: object(
    {
      mixingLatents: arrayOf(int({ min: 0 }), { minItems: 1 }),
      mixingFeature: int({ min: 0 }),
      forcedK: arrayOf(object({ run: name, fromK: num({ exclusiveMin: 0 }), toK: nonEmptyNums({ exclusiveMin: 0 }) })),
    },
    ["forcedK"],
  ),
  plots: object(
    {
      firingProbabilities: bool(),
      correlations: arrayOf(object({ id: name, title: str(), rho: num({ min: -1, max: 1 }) }, ["rho"])),
      heatmaps: arrayOf(heatmap),
      projections: object({ run: name, n: nList }),
      varianceExplained: object({ run: name, truth: name }),
      pairwiseCosine: runRef,
      mixingVsRho: runRef,
      mixingVsK: runRef,
      superposition: object({ model: name }),
      jumprelu: object({ run: name, n: nList }),
      intuition: bool(),
    },
    ["firingProbabilities", "correlations", "heatmaps", "projections", "varianceExplained", "pairwiseCosine", "mixingVsRho", "mixingVsK", "superposition", "jumprelu", "intuition"],
  ),
});

/**
 * The checks the schema language cannot express (fields that depend on each other), as
 * "path: got …, expected …" lines like the schema's own.
 */
export function validate(c: SparseButWrongConfig): string[] {
  const problems: string[] = [];
  const bad = (path: string, value: unknown, expected: string) => problems.push(`${path}: got ${JSON.stringify(value)}, expected ${expected}`);
  const { data, sae } = c;

  const p = data.probabilities;
  if (p.kind === "constant" && p.p === undefined) bad("data.probabilities.p", p.p, "a probability (kind constant)");
  if (p.kind === "linear" && (p.first === undefined || p.last === undefined)) bad("data.probabilities", p, "first and last (kind linear)");
  if (p.kind === "values" && p.values?.length !== data.features) bad("data.probabilities.values", p.values?.length, `one value per feature (${data.features})`);

  const corr = data.correlation;
  if (corr.kind === "feature0" && !corr.rho) bad("data.correlation.rho", corr.rho, "the list of ρ values (kind feature0)");
  if (corr.kind !== "feature0" && corr.rho) bad("data.correlation.rho", corr.rho, "no ρ list unless kind is feature0");
  if (corr.kind === "random" && corr.seed === undefined) bad("data.correlation.seed", corr.seed, "an integer seed (kind random)");

  const variants = c.model.variants.map((v) => v.name);
  if (new Set(variants).size !== variants.length) bad("model.variants", variants, "distinct names");
  const runNames = sae.runs.map((r) => r.name);
  if (new Set(runNames).size !== runNames.length) bad("sae.runs", runNames, "distinct run names");

  sae.runs.forEach((r, i) => {
    const at = `sae.runs[${i}]`;
    if (r.architecture === "batchtopk") {
      if (!r.k) bad(`${at}.k`, r.k, "a list of k values (architecture batchtopk)");
      if (r.l0Coefficient) bad(`${at}.l0Coefficient`, r.l0Coefficient, "no L0 coefficients for a batchtopk run");
      r.k?.forEach((k, j) => k > sae.dSae && bad(`${at}.k[${j}]`, k, `k ≤ sae.dSae (${sae.dSae})`));
    } else {
      if (!r.l0Coefficient) bad(`${at}.l0Coefficient`, r.l0Coefficient, "a list of L0 coefficients (architecture jumprelu)");
      if (r.k) bad(`${at}.k`, r.k, "no k for a jumprelu run");
      if (r.kTransition) bad(`${at}.kTransition`, r.kTransition, "no k transition for a jumprelu run");
    }
    if (corr.kind === "feature0") {
      if (!r.rho) bad(`${at}.rho`, r.rho, "a list of ρ values from data.correlation.rho");
      r.rho?.forEach((v, j) => !corr.rho?.includes(v) && bad(`${at}.rho[${j}]`, v, `one of data.correlation.rho (${corr.rho?.join(", ")})`));
    } else if (r.rho) {
      bad(`${at}.rho`, r.rho, "no ρ list: data.correlation.kind is not feature0");
    }
    if (r.model !== undefined && !variants.includes(r.model)) bad(`${at}.model`, r.model, `one of the model variants (${variants.join(", ")})`);
    if (r.trained === false && r.init !== "truth") bad(`${at}.trained`, r.trained, "true unless init is truth (an untrained random SAE shows nothing)");
  });

  const runRef = (path: string, name: string | undefined) => {
    if (name !== undefined && !runNames.includes(name)) bad(path, name, `the name of a run in sae.runs (${runNames.join(", ")})`);
  };
  c.metrics.mixingLatents.forEach((l, j) => l >= sae.dSae && bad(`metrics.mixingLatents[${j}]`, l, `a latent < sae.dSae (${sae.dSae})`));
  if (c.metrics.mixingFeature >= data.features) bad("metrics.mixingFeature", c.metrics.mixingFeature, `a feature < data.features (${data.features})`);
  c.metrics.forcedK?.forEach((f, j) => runRef(`metrics.forcedK[${j}].run`, f.run));
  const plots = c.plots;
  plots.heatmaps?.forEach((h, j) => runRef(`plots.heatmaps[${j}].run`, h.run));
  runRef("plots.projections.run", plots.projections?.run);
  runRef("plots.varianceExplained.run", plots.varianceExplained?.run);
  runRef("plots.varianceExplained.truth", plots.varianceExplained?.truth);
  runRef("plots.pairwiseCosine.run", plots.pairwiseCosine?.run);
  runRef("plots.mixingVsRho.run", plots.mixingVsRho?.run);
  runRef("plots.mixingVsK.run", plots.mixingVsK?.run);
  runRef("plots.jumprelu.run", plots.jumprelu?.run);
  if (plots.superposition && !variants.includes(plots.superposition.model)) bad("plots.superposition.model", plots.superposition.model, `one of the model variants (${variants.join(", ")})`);
  for (const [path, ns] of [["plots.projections.n", plots.projections?.n], ["plots.jumprelu.n", plots.jumprelu?.n]] as const) {
    ns?.forEach((n, j) => n >= sae.dSae && bad(`${path}[${j}]`, n, `n < sae.dSae (${sae.dSae})`));
  }
  return problems;
}

/** A data condition: one correlation matrix (one per ρ for feature0, else a single one). */
export interface DataCondition {
  name: string;
  /** ρ with feature 0, NaN when the correlation is not of kind feature0. */
  rho: number;
}

export function dataConditions(data: SparseButWrongConfig["data"]): DataCondition[] {
  const corr = data.correlation;
  if (corr.kind === "feature0") return (corr.rho ?? []).map((rho) => ({ name: conditionName(rho), rho }));
  return [{ name: corr.kind === "random" ? "random" : "independent", rho: NaN }];
}

export function conditionName(rho: number): string {
  return `rho=${rho}`;
}

/** One SAE of the experiment: its run, hyperparameters, data and place on the instance axis. */
export interface SbwInstance {
  instance: number;
  run: string;
  architecture: "batchtopk" | "jumprelu";
  /** Target k (NaN for JumpReLU). */
  k: number;
  /** NaN for BatchTopK. */
  l0Coefficient: number;
  rho: number;
  condition: string;
  model: string;
  seed: number;
  init: "random" | "truth";
  initNoise: number;
  trained: boolean;
  lr: number;
  kTransition: KTransitionConfig | null;
  normalizeInputs: boolean;
  l0WarmUpFraction: number;
  /** Instances with the same data key share one data stream (same run, condition, model and seed). */
  dataKey: string;
}

/** The instance axis: run-major, then ρ, then seed, then k (or L0 coefficient). */
export function sbwInstances(c: SparseButWrongConfig): SbwInstance[] {
  const out: SbwInstance[] = [];
  const conditions = dataConditions(c.data);
  for (const r of c.sae.runs) {
    const model = r.model ?? c.model.variants[0].name;
    const rhos = r.rho ?? [NaN];
    const hypers = r.architecture === "batchtopk" ? (r.k ?? []) : (r.l0Coefficient ?? []);
    for (const rho of rhos) {
      const condition = Number.isNaN(rho) ? conditions[0].name : conditionName(rho);
      for (let seed = 0; seed < r.seeds; seed++) {
        for (const h of hypers) {
          out.push({
            instance: out.length,
            run: r.name,
            architecture: r.architecture,
            k: r.architecture === "batchtopk" ? h : NaN,
            l0Coefficient: r.architecture === "jumprelu" ? h : NaN,
            rho,
            condition,
            model,
            seed,
            init: r.init,
            initNoise: r.initNoise ?? 0,
            trained: r.trained ?? true,
            lr: r.lr ?? c.sae.lr,
            kTransition: r.kTransition ?? null,
            normalizeInputs: r.normalizeInputs ?? false,
            l0WarmUpFraction: r.l0WarmUpFraction ?? 0,
            dataKey: `${r.name}/${condition}/${model}/seed${seed}`,
          });
        }
      }
    }
  }
  return out;
}

export function saeSteps(c: SparseButWrongConfig): number {
  return Math.ceil(c.sae.samples / c.sae.batch);
}
