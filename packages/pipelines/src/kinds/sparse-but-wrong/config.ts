/**
 * Config of a Sparse-but-Wrong experiment (kind "sparse-but-wrong"): correlated features and
 * the wrong L0 (reference §1). One kind covers the small toy, the main toy and the JumpReLU
 * sweep: the data (features, firing probabilities, magnitudes, correlation), the toy-model
 * variants, the SAE defaults and a list of named run groups, which train-saes expands into
 * one instance axis (run → ρ → seed → k / L0 coefficient).
 */
import { Type, type Static } from "@sinclair/typebox";
import { oneOf, strictObject } from "@toy-sae/core/schema/index";
import type { Registered } from "../../framework/kind.ts";
import { unknownName } from "../../framework/experiment-config.ts";

const name = Type.String({ pattern: "^[a-z0-9][a-z0-9-]*$" });
const nonEmptyNums = (o: { minimum?: number; maximum?: number; exclusiveMinimum?: number }, description?: string) => Type.Array(Type.Number(o), { minItems: 1, description });
const opt = Type.Optional;

const probabilities = strictObject(
  {
    kind: oneOf(["constant", "linear", "values"], { description: "constant: every feature fires with p; linear: linspace(first, last); values: one per feature" }),
    p: opt(Type.Number({ minimum: 0, maximum: 1 })),
    first: opt(Type.Number({ minimum: 0, maximum: 1 })),
    last: opt(Type.Number({ minimum: 0, maximum: 1 })),
    values: opt(nonEmptyNums({ minimum: 0, maximum: 1 })),
  },
  { description: "Firing probability of each feature" },
);

const correlation = strictObject({
  kind: oneOf(["none", "feature0", "random"], {
    description: "none: independent firing; feature0: ρ between feature 0 and every other feature (one data condition per ρ); random: the seeded random matrix",
  }),
  rho: opt(nonEmptyNums({ minimum: -1, maximum: 1 })),
  seed: opt(Type.Integer({ minimum: 0, maximum: 4294967295 })),
  strengthRange: opt(Type.Array(Type.Number({ minimum: 0, maximum: 1 }), { minItems: 2, maxItems: 2 })),
  positiveRatio: opt(Type.Number({ minimum: 0, maximum: 1 })),
  sparsity: opt(Type.Number({ minimum: 0, maximum: 1 })),
});

const modelVariant = strictObject({
  name,
  steps: Type.Integer({ minimum: 0, description: "Adam steps of the orthogonalisation (original 1000; the superposition model 4)" }),
  lr: Type.Number({ exclusiveMinimum: 0 }),
  stopBelowLoss: opt(Type.Number({ exclusiveMinimum: 0, description: "Stop once the orthogonality loss is below this (1e-10 makes N ≤ H embeddings orthonormal)" })),
});

const kTransition = strictObject({
  from: Type.Number({ exclusiveMinimum: 0, description: "k at the start of the transition" }),
  startFraction: Type.Number({ minimum: 0, description: "Start, as a fraction of the training steps (paper: 3000/14649 for 20→11)" }),
  durationFraction: Type.Number({ exclusiveMinimum: 0, description: "Length, as a fraction of the training steps (paper: 8000/14649 for 20→11, 25000/14649 for 2→11)" }),
});

const run = strictObject({
  name,
  architecture: Type.String({ description: "A registered SAE architecture (core/src/sae/registry.ts): batchtopk, jumprelu, topk, …" }),
  k: opt(nonEmptyNums({ exclusiveMinimum: 0 }, "One SAE per k (architectures with hyperparameter k)")),
  l0Coefficient: opt(nonEmptyNums({ minimum: 0 }, "One SAE per L0 coefficient (architectures with hyperparameter l0Coefficient)")),
  rho: opt(nonEmptyNums({ minimum: -1, maximum: 1 }, "Data conditions (correlation kind feature0): one SAE per ρ")),
  seeds: Type.Integer({ minimum: 1, description: "Repeats 0..seeds−1: each has its own initialisation and data stream" }),
  init: oneOf(["random", "truth"]),
  initNoise: opt(Type.Number({ minimum: 0, description: "Gaussian noise added to the ground-truth initialisation (noise_level)" })),
  model: opt(name),
  kTransition: opt(kTransition),
  normalizeInputs: opt(Type.Boolean({ description: "SAELens normalize_activations = expected_average_only_in" })),
  l0WarmUpFraction: opt(Type.Number({ minimum: 0, description: "L0-coefficient warm-up as a fraction of the steps (paper 10000/14649)" })),
  trained: opt(Type.Boolean({ description: "false: evaluated as initialised (the untrained ground-truth SAE)" })),
  lr: opt(Type.Number({ exclusiveMinimum: 0, description: "Overrides sae.lr for this run" })),
});

const heatmap = strictObject({
  id: name,
  title: Type.String(),
  run: name,
  k: opt(Type.Number({ exclusiveMinimum: 0 })),
  rho: opt(Type.Number({ minimum: -1, maximum: 1 })),
  seed: opt(Type.Integer({ minimum: 0 })),
  l0Coefficient: opt(Type.Number({ minimum: 0 })),
  adjustForSuperposition: opt(Type.Boolean({ description: "Subtract the true features' own cosines (the superposition plots)" })),
});

const runRef = strictObject({ run: name });
const nList = Type.Array(Type.Integer({ minimum: 0 }), { minItems: 1 });

export const configSchema = strictObject({
  name: Type.String(),
  kind: Type.Literal("sparse-but-wrong"),
  description: Type.String(),
  seed: Type.Integer({ minimum: 0, maximum: 4294967295 }),
  data: strictObject({
    features: Type.Integer({ minimum: 1 }),
    hidden: Type.Integer({ minimum: 1 }),
    probabilities,
    magnitudeMean: Type.Number(),
    magnitudeStd: Type.Number({ minimum: 0 }),
    correlation,
    evalSamples: Type.Integer({ minimum: 1, description: "Fresh samples per data condition for the evaluation (paper 100,000)" }),
  }),
  model: strictObject({ variants: Type.Array(modelVariant, { minItems: 1 }) }),
  sae: strictObject({
    recipe: Type.String({ description: "A registered training recipe (core/src/train/recipes/registry.ts); the original's is saelens-6.11" }),
    dSae: Type.Integer({ minimum: 1 }),
    lr: Type.Number({ exclusiveMinimum: 0 }),
    batch: Type.Integer({ minimum: 1 }),
    samples: Type.Integer({ minimum: 1, description: "Training samples per SAE; steps = ceil(samples / batch) (paper 15,000,000 → 14,649)" }),
    deadWindow: Type.Integer({ minimum: 1 }),
    normEstimateBatches: Type.Integer({ minimum: 1, description: "Batches for the input-norm estimate of normalizeInputs runs (SAELens 1000)" }),
    engine: oneOf(["fused", "tfjs"]),
    threads: Type.Integer({ minimum: 1, maximum: 64, description: "Worker threads (does not change any number)" }),
    runs: Type.Array(run, { minItems: 1 }),
  }),
  metrics: strictObject({
    mixingLatents: Type.Array(Type.Integer({ minimum: 0 }), {
      minItems: 1,
      description: "Feature mixing = mean decoder cos of these latents with mixingFeature (notebook: 1, 2, 3 and 0)",
    }),
    mixingFeature: Type.Integer({ minimum: 0 }),
    forcedK: opt(
      Type.Array(strictObject({ run: name, fromK: Type.Number({ exclusiveMinimum: 0 }), toK: nonEmptyNums({ exclusiveMinimum: 0 }) }), {
        description: "MSE of a trained SAE forced to a lower k, against SAEs trained at that k",
      }),
    ),
  }),
  plots: strictObject({
    firingProbabilities: opt(Type.Boolean()),
    correlations: opt(Type.Array(strictObject({ id: name, title: Type.String(), rho: opt(Type.Number({ minimum: -1, maximum: 1 })) }))),
    heatmaps: opt(Type.Array(heatmap)),
    projections: opt(strictObject({ run: name, n: nList }, { description: "s_n^dec against k, one panel per n (mean ± 1 sd over seeds)" })),
    varianceExplained: opt(strictObject({ run: name, truth: name })),
    pairwiseCosine: opt(runRef),
    mixingVsRho: opt(runRef),
    mixingVsK: opt(runRef),
    superposition: opt(strictObject({ model: name }, { description: "Cosines between the true features of a model variant" })),
    jumprelu: opt(strictObject({ run: name, n: nList }, { description: "s_n^dec against measured L0 and L0 against the coefficient" })),
    intuition: opt(Type.Boolean()),
  }),
});

export type SparseButWrongConfig = Static<typeof configSchema>;
export type RunConfig = SparseButWrongConfig["sae"]["runs"][number];
export type HeatmapConfig = NonNullable<SparseButWrongConfig["plots"]["heatmaps"]>[number];
export type KTransitionConfig = NonNullable<RunConfig["kTransition"]>;

/**
 * The checks the schema language cannot express (fields that depend on each other), as
 * "path: got …, expected …" lines like the schema's own.
 */
export function validate(c: SparseButWrongConfig, known: Registered): string[] {
  const problems: string[] = [];
  const bad = (path: string, value: unknown, expected: string) => problems.push(`${path}: got ${JSON.stringify(value)}, expected ${expected}`);
  const { data, sae } = c;

  const p = data.probabilities;
  if (p.kind === "constant" && p.p === undefined) bad("data.probabilities.p", p.p, "a probability (kind constant)");
  if (p.kind === "linear" && (p.first === undefined || p.last === undefined)) bad("data.probabilities", p, "first and last (kind linear)");
  if (p.kind === "values" && p.values?.length !== data.features) bad("data.probabilities.values", p.values?.length, `one value per feature (${data.features})`);

  const corr = data.correlation;
  if (corr.kind === "feature0" && !corr.rho) bad("data.correlation.rho", corr.rho, "the list of ρ values (kind feature0)");
  for (const [j, v] of (corr.rho ?? []).entries())
    if (corr.rho?.indexOf(v) !== j) bad(`data.correlation.rho[${j}]`, v, "a ρ not already in the list (two conditions of one name would be merged)");
  if (corr.kind !== "feature0" && corr.rho) bad("data.correlation.rho", corr.rho, "no ρ list unless kind is feature0");
  if (corr.kind === "random" && corr.seed === undefined) bad("data.correlation.seed", corr.seed, "an integer seed (kind random)");

  const variants = c.model.variants.map((v) => v.name);
  if (new Set(variants).size !== variants.length) bad("model.variants", variants, "distinct names");
  const runNames = sae.runs.map((r) => r.name);
  if (new Set(runNames).size !== runNames.length) bad("sae.runs", runNames, "distinct run names");

  if (!known.recipes.has(sae.recipe)) problems.push(unknownName("sae.recipe", "recipe", sae.recipe, known.recipes));
  sae.runs.forEach((r, i) => {
    const at = `sae.runs[${i}]`;
    // a run sweeps its architecture's one hyperparameter: k (BatchTopK, TopK) or the L0 coefficient (JumpReLU)
    const arch = known.architectures.get(r.architecture);
    if (!arch) problems.push(unknownName(`${at}.architecture`, "architecture", r.architecture, known.architectures.keys()));
    else {
      const takes = arch.hyper.join(", ");
      if (!arch.hyper.includes("k") && !arch.hyper.includes("l0Coefficient"))
        bad(`${at}.architecture`, r.architecture, `an architecture with hyperparameter k or l0Coefficient; ${r.architecture} takes ${takes}`);
      if (arch.hyper.includes("k") && !r.k) bad(`${at}.k`, r.k, `a list of k values (architecture ${r.architecture})`);
      if (arch.hyper.includes("l0Coefficient") && !r.l0Coefficient) bad(`${at}.l0Coefficient`, r.l0Coefficient, `a list of L0 coefficients (architecture ${r.architecture})`);
      if (r.k && !arch.hyper.includes("k")) bad(`${at}.k`, r.k, `no k: architecture ${r.architecture} takes ${takes}`);
      if (r.l0Coefficient && !arch.hyper.includes("l0Coefficient"))
        bad(`${at}.l0Coefficient`, r.l0Coefficient, `no L0 coefficients: architecture ${r.architecture} takes ${takes}`);
    }
    const ks = r.k ?? [];
    for (const [j, k] of ks.entries()) if (k > sae.dSae) bad(`${at}.k[${j}]`, k, `k ≤ sae.dSae (${sae.dSae})`);
    if (r.kTransition && !r.k) bad(`${at}.kTransition`, r.kTransition, "a k list to transition to");
    for (const [j, k] of ks.entries()) if (ks.indexOf(k) !== j) bad(`${at}.k[${j}]`, k, "a k not already in the list (a duplicate trains the same SAE twice)");
    const rhos = r.rho ?? [];
    for (const [j, v] of rhos.entries()) if (rhos.indexOf(v) !== j) bad(`${at}.rho[${j}]`, v, "a ρ not already in the list");
    if (corr.kind === "feature0") {
      if (!r.rho) bad(`${at}.rho`, r.rho, "a list of ρ values from data.correlation.rho");
      for (const [j, v] of rhos.entries()) if (!corr.rho?.includes(v)) bad(`${at}.rho[${j}]`, v, `one of data.correlation.rho (${corr.rho?.join(", ")})`);
    } else if (r.rho) {
      bad(`${at}.rho`, r.rho, "no ρ list: data.correlation.kind is not feature0");
    }
    if (r.model !== undefined && !variants.includes(r.model)) bad(`${at}.model`, r.model, `one of the model variants (${variants.join(", ")})`);
    if (r.trained === false && r.init !== "truth") bad(`${at}.trained`, r.trained, "true unless init is truth (an untrained random SAE shows nothing)");
  });

  const runRef = (path: string, name: string | undefined) => {
    if (name !== undefined && !runNames.includes(name)) bad(path, name, `the name of a run in sae.runs (${runNames.join(", ")})`);
  };
  for (const [j, l] of c.metrics.mixingLatents.entries()) if (l >= sae.dSae) bad(`metrics.mixingLatents[${j}]`, l, `a latent < sae.dSae (${sae.dSae})`);
  if (c.metrics.mixingFeature >= data.features) bad("metrics.mixingFeature", c.metrics.mixingFeature, `a feature < data.features (${data.features})`);
  for (const [j, f] of (c.metrics.forcedK ?? []).entries()) runRef(`metrics.forcedK[${j}].run`, f.run);
  const plots = c.plots;
  for (const [j, h] of (plots.heatmaps ?? []).entries()) runRef(`plots.heatmaps[${j}].run`, h.run);
  runRef("plots.projections.run", plots.projections?.run);
  runRef("plots.varianceExplained.run", plots.varianceExplained?.run);
  runRef("plots.varianceExplained.truth", plots.varianceExplained?.truth);
  runRef("plots.pairwiseCosine.run", plots.pairwiseCosine?.run);
  runRef("plots.mixingVsRho.run", plots.mixingVsRho?.run);
  runRef("plots.mixingVsK.run", plots.mixingVsK?.run);
  runRef("plots.jumprelu.run", plots.jumprelu?.run);
  if (plots.superposition && !variants.includes(plots.superposition.model))
    bad("plots.superposition.model", plots.superposition.model, `one of the model variants (${variants.join(", ")})`);
  for (const [path, ns] of [
    ["plots.projections.n", plots.projections?.n],
    ["plots.jumprelu.n", plots.jumprelu?.n],
  ] as const) {
    for (const [j, n] of (ns ?? []).entries()) if (n >= sae.dSae) bad(`${path}[${j}]`, n, `n < sae.dSae (${sae.dSae})`);
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
  architecture: string;
  /** Target k (NaN for a run that sweeps the L0 coefficient). */
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
    const hypers = r.k ?? r.l0Coefficient ?? [];
    for (const rho of rhos) {
      const condition = Number.isNaN(rho) ? conditions[0].name : conditionName(rho);
      for (let seed = 0; seed < r.seeds; seed++) {
        for (const h of hypers) {
          out.push({
            instance: out.length,
            run: r.name,
            architecture: r.architecture,
            k: r.k ? h : NaN,
            l0Coefficient: r.k ? NaN : h,
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
