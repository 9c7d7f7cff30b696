/**
 * Config of a feature-hedging experiment (kind "feature-hedging"; reference §2): the
 * single-latent notebook and the balancing-Matryoshka notebook of the feature-hedging paper
 * (chanind/feature-hedging-paper), plus a β sweep no original runs.
 *
 * - data: named datasets, each either independent Bernoulli features with the notebook's firing
 *   modifiers (§2.1: the child only with its parent, partial co-occurrence, suppression,
 *   absorption) or a tree in the original's JSON field names (§2.2); the evaluation sample size.
 * - model: the toy model, x = features·E with E orthonormal rows in `hidden` dimensions (§2.1).
 * - sae: the recipe, learning rate, batch (the original's context size), training tokens
 *   (steps = ⌊tokens/4096⌋ under saelens-5.10) and named runs. A run trains one SAE per dataset
 *   × β × seed from the ground truth (`init_sae_to_match_model`, §1.7) or the architecture's
 *   random init. `beta` makes the run a balancing-notebook Matryoshka SAE: widths [1, d_sae]
 *   with inner loss multipliers [β, 1]; β = 0 is the notebook's standard SAE (widths [d_sae]);
 *   "detached" (β = ∞) is delta loss.
 * - lossCurves: the analytic single-latent loss curves (§2.6), when present.
 * - plots: which SAEs get the encoder/decoder heatmaps (and for which catalogue figure, with what
 *   the original claims of them), and the β-sweep figures.
 */
import { Type, type Static } from "@sinclair/typebox";
import { oneOf, schemaProblems, strictObject, withDefaults } from "@toy-sae/core/schema/index";
import { parseTree } from "@toy-sae/generators/tree";
import type { Registered } from "../../framework/kind.ts";
import { unknownName } from "../../framework/experiment-config.ts";

const name = Type.String({ pattern: "^[a-z0-9][a-z0-9-]*$" });
const opt = Type.Optional;
const feature = Type.Integer({ minimum: 0 });
const probability = Type.Number({ minimum: 0, maximum: 1 });

const modifier = Type.Union([
  strictObject(
    { kind: Type.Literal("child-only-with-parent"), parent: feature, child: feature },
    { description: "The child is zeroed where the parent is off (the notebook's parent/child data)" },
  ),
  strictObject(
    { kind: Type.Literal("partial-cooccurrence"), parent: feature, child: feature, soloProbability: probability },
    { description: "Where the parent is off, the child is redrawn Bernoulli(soloProbability) (the notebook's partial co-occurrence)" },
  ),
  strictObject(
    { kind: Type.Literal("suppress"), dominant: feature, suppressed: Type.Array(feature, { minItems: 1 }) },
    { description: "dominant firing zeroes every suppressed feature" },
  ),
  strictObject(
    { kind: Type.Literal("absorption"), pairs: Type.Array(Type.Array(feature, { minItems: 2, maxItems: 2 }), { minItems: 1 }) },
    { description: "[parent, child]: the child firing forces the parent on" },
  ),
]);

const dataset = strictObject({
  name,
  firingProbabilities: opt(Type.Array(probability, { minItems: 1, description: "Independent features: p_i of each (feature 0 is the parent in the notebooks)" })),
  modifiers: opt(Type.Array(modifier, { description: "Applied to the firing mask in order (chain_modifiers)" })),
  magnitudeMean: opt(Type.Number({ description: "μ of a firing feature (default 1)" })),
  magnitudeStd: opt(Type.Number({ minimum: 0, description: "σ of a firing feature's magnitude ReLU(μ + N(0, σ)) (default 0)" })),
  tree: opt(
    Type.Unknown({
      description:
        "A TreeFeatureGenerator tree in the original's field names (active_prob, children, mutually_exclusive_children, is_read_out, magnitude_mean, magnitude_std); instead of firingProbabilities",
    }),
  ),
});

const betaValue = Type.Union([Type.Number({ minimum: 0 }), Type.Literal("detached")], {
  description: 'Inner loss multiplier β of the parent level (widths [1, d_sae]); 0: the standard SAE; "detached": β = ∞, delta loss',
});

const run = strictObject({
  name,
  datasets: Type.Array(name, { minItems: 1, description: "One SAE per dataset (× β × seed)" }),
  architecture: Type.String({ description: "A registered SAE architecture (core/src/sae/registry.ts): standard, matryoshka, matryoshka-batchtopk, …" }),
  options: opt(Type.Record(Type.String(), Type.Unknown(), { description: "The architecture's options (its defaults fill the rest)" })),
  dSae: Type.Integer({ minimum: 1 }),
  l1: opt(Type.Number({ minimum: 0, description: "λ (architectures with hyperparameter l1)" })),
  k: opt(Type.Number({ exclusiveMinimum: 0, description: "k (architectures with hyperparameter k)" })),
  beta: opt(Type.Array(betaValue, { minItems: 1, description: "Balancing-notebook Matryoshka SAEs, one per β (architecture matryoshka)" })),
  init: oneOf(["truth", "random"], {
    description: "truth: init_sae_to_match_model (W_enc columns = true features + noise, W_dec = W_encᵀ, biases 0); random: the architecture's init",
  }),
  initNoise: opt(Type.Number({ minimum: 0, description: "noise_level: N(0, noise) added per coordinate to the ground-truth start (default 0)" })),
  featureOrdering: opt(Type.Array(feature, { minItems: 1, description: "Latent j starts at feature featureOrdering[j] (default 0, 1, …)" })),
  seeds: Type.Integer({ minimum: 1, description: "Repeats 0..seeds−1, each with its own data stream and init noise" }),
  lr: opt(Type.Number({ exclusiveMinimum: 0, description: "Overrides sae.lr" })),
});

const heatmap = strictObject({
  id: name,
  title: Type.String(),
  run: name,
  dataset: opt(name),
  beta: opt(betaValue),
  seed: opt(Type.Integer({ minimum: 0, description: "The SAE drawn (default 0); the findings use every seed" })),
  figure: Type.Integer({ minimum: 15, maximum: 22, description: "Catalogue figure it reproduces (framework/catalogue.ts)" }),
  expect: opt(
    oneOf(["parent-latent-and-bdec", "hedging", "absorption", "separates", "balanced", "mixed-signs"], {
      description:
        "What the original shows in it: parent-latent-and-bdec (latent 0 = feature 0, b_dec ∥ feature 1 with norm ≈ its firing probability); hedging / absorption (positive / negative child components in the parent's latent encoder); separates (one latent per feature); balanced (smaller child components than the figure's hedging and absorbing SAEs); mixed-signs (some children hedged, some absorbed)",
    }),
  ),
  showValues: opt(Type.Boolean({ description: "Print the cosines in the cells (default true)" })),
  bDec: opt(Type.Boolean({ description: "Also draw b_dec's cosine with each feature and state ‖b_dec‖" })),
});

export const configSchema = strictObject({
  name: Type.String(),
  kind: Type.Literal("feature-hedging"),
  description: Type.String(),
  seed: Type.Integer({ minimum: 0, maximum: 4294967295 }),
  data: strictObject({
    datasets: Type.Array(dataset, { minItems: 1 }),
    evalSamples: Type.Integer({ minimum: 1, description: "Fresh samples per dataset for the evaluation (MSE, L0, F1, absorption gaps)" }),
  }),
  model: strictObject({
    hidden: Type.Integer({ minimum: 1, description: "d_in of the SAEs (the notebooks: 50)" }),
    steps: Type.Integer({ minimum: 0, description: "Adam steps of the orthogonalisation (original 1000)" }),
    lr: Type.Number({ exclusiveMinimum: 0 }),
    stopBelowLoss: opt(Type.Number({ exclusiveMinimum: 0, description: "Stop once the orthogonality loss is below this (1e-10: orthonormal)" })),
  }),
  sae: strictObject({
    recipe: Type.String({ description: "A registered training recipe; the original's is saelens-5.10" }),
    lr: Type.Number({ exclusiveMinimum: 0 }),
    batch: Type.Integer({ minimum: 1, description: "Samples per step: the original's context_size (500 single-latent, 128 balancing)" }),
    tokens: Type.Integer({ minimum: 1, description: "The original's training_tokens; saelens-5.10 takes ⌊tokens/4096⌋ steps (100M → 24,414)" }),
    engine: oneOf(["fused", "tfjs"]),
    threads: Type.Integer({ minimum: 1, maximum: 64, description: "Worker threads (does not change any number)" }),
    runs: Type.Array(run, { minItems: 1 }),
  }),
  lossCurves: opt(
    strictObject(
      {
        steps: Type.Integer({ minimum: 2, description: "α values on [0, 1] (the paper: 10,000)" }),
        l1: Type.Array(Type.Number({ minimum: 0 }), { minItems: 1, description: "λ values (the paper: 0 and 0.1)" }),
      },
      { description: "The analytic expected loss of a single tied latent between parent and child (loss_curves.py), skew parent and skew child" },
    ),
  ),
  plots: strictObject({
    heatmaps: opt(Type.Array(heatmap)),
    betaSweep: opt(
      strictObject(
        {
          run: name,
          expect: opt(
            Type.Record(Type.String(), Type.Boolean(), {
              description: "Per dataset of the run: whether one β should balance every child (the original: true on the balanced tree, false on the unbalanced)",
            }),
          ),
        },
        { description: "Child components, their zero crossings and MCC/F1 against β for this run's datasets" },
      ),
    ),
  }),
});

export type FeatureHedgingConfig = Static<typeof configSchema>;
export type DatasetConfig = FeatureHedgingConfig["data"]["datasets"][number];
export type RunConfig = FeatureHedgingConfig["sae"]["runs"][number];
export type HeatmapConfig = NonNullable<FeatureHedgingConfig["plots"]["heatmaps"]>[number];
export type BetaValue = number | "detached";

/** β as a number: "detached" is Infinity; NaN for a run without β. */
export function betaNumber(beta: BetaValue | undefined): number {
  return beta === undefined ? NaN : beta === "detached" ? Infinity : beta;
}

/** Matryoshka options a β run sets itself (a run's own options must leave them alone). */
export const BETA_OPTIONS = ["matryoshkaSteps", "innerLossMultipliers", "useDeltaLoss"] as const;

/**
 * The balancing notebook's Matryoshka SAE for β: the parent level is width 1 (the parent's latent,
 * latent 0 under the ordering [0, 1, 2, 3]) and the full width d_sae.
 */
export function betaOptions(beta: number, dSae: number): Record<string, number[] | boolean> {
  if (beta === 0) return { matryoshkaSteps: [dSae] };
  if (beta === Infinity) return { matryoshkaSteps: [1, dSae], useDeltaLoss: true };
  return { matryoshkaSteps: [1, dSae], innerLossMultipliers: [beta, 1] };
}

/** The number of features of a dataset config (0 when it is invalid; validate reports why). */
export function datasetFeatures(d: DatasetConfig): number {
  if (d.tree !== undefined) {
    try {
      return parseTree(d.tree).filter((n) => n.isReadOut).length;
    } catch {
      return 0;
    }
  }
  return d.firingProbabilities?.length ?? 0;
}

function modifierFeatures(m: NonNullable<DatasetConfig["modifiers"]>[number]): number[] {
  switch (m.kind) {
    case "child-only-with-parent":
    case "partial-cooccurrence":
      return [m.parent, m.child];
    case "suppress":
      return [m.dominant, ...m.suppressed];
    case "absorption":
      return m.pairs.flat();
  }
}

/** Checks the schema cannot express, as "path: got …, expected …" lines. */
export function validate(c: FeatureHedgingConfig, known: Registered): string[] {
  const problems: string[] = [];
  const bad = (path: string, value: unknown, expected: string) => problems.push(`${path}: got ${JSON.stringify(value)}, expected ${expected}`);
  const datasets = c.data.datasets;
  const names = datasets.map((d) => d.name);
  if (new Set(names).size !== names.length) bad("data.datasets", names, "distinct dataset names");
  datasets.forEach((d, i) => {
    const at = `data.datasets[${i}]`;
    if ((d.tree === undefined) === (d.firingProbabilities === undefined)) bad(at, Object.keys(d), "exactly one of tree and firingProbabilities");
    if (d.tree !== undefined) {
      for (const f of ["modifiers", "magnitudeMean", "magnitudeStd"] as const)
        if (d[f] !== undefined) bad(`${at}.${f}`, d[f], "nothing for a tree dataset (its nodes carry magnitudes)");
      try {
        parseTree(d.tree);
      } catch (e) {
        problems.push(`${at}.tree: ${(e as Error).message.replace(/^tree: /, "")}`);
      }
    }
    const n = d.firingProbabilities?.length ?? 0;
    d.modifiers?.forEach((m, j) => {
      for (const f of modifierFeatures(m)) if (f >= n) bad(`${at}.modifiers[${j}]`, f, `features < ${n} (the dataset's feature count)`);
    });
  });
  const counts = [...new Set(datasets.map(datasetFeatures).filter((n) => n > 0))];
  if (counts.length > 1) bad("data.datasets", counts, "the same number of features in every dataset (one toy model embeds them all)");
  const nFeatures = counts[0] ?? 0;

  if (!known.recipes.has(c.sae.recipe)) problems.push(unknownName("sae.recipe", "recipe", c.sae.recipe, known.recipes));
  const runNames = c.sae.runs.map((r) => r.name);
  if (new Set(runNames).size !== runNames.length) bad("sae.runs", runNames, "distinct run names");
  c.sae.runs.forEach((r, i) => {
    const at = `sae.runs[${i}]`;
    for (const [j, d] of r.datasets.entries()) if (!names.includes(d)) bad(`${at}.datasets[${j}]`, d, `one of data.datasets (${names.join(", ")})`);
    if (new Set(r.datasets).size !== r.datasets.length) bad(`${at}.datasets`, r.datasets, "distinct datasets");
    const arch = known.architectures.get(r.architecture);
    if (!arch) {
      problems.push(unknownName(`${at}.architecture`, "architecture", r.architecture, known.architectures.keys()));
      return;
    }
    const takes = arch.hyper.join(", ");
    for (const h of ["l1", "k"] as const) {
      if (arch.hyper.includes(h) && r[h] === undefined) bad(`${at}.${h}`, r[h], `a value (architecture ${r.architecture} takes ${takes})`);
      if (!arch.hyper.includes(h) && r[h] !== undefined) bad(`${at}.${h}`, r[h], `nothing: architecture ${r.architecture} takes ${takes}`);
    }
    const missing = arch.hyper.filter((h) => h !== "l1" && h !== "k");
    if (missing.length) bad(`${at}.architecture`, r.architecture, `an architecture whose hyperparameters are l1 or k (${r.architecture} takes ${takes})`);
    if (r.beta) {
      if (r.architecture !== "matryoshka") bad(`${at}.beta`, r.beta, "no β unless architecture is matryoshka");
      for (const o of BETA_OPTIONS) if (r.options?.[o] !== undefined) bad(`${at}.options.${o}`, r.options[o], "nothing: β sets it");
      const values = r.beta.map(betaNumber);
      for (const [j, b] of values.entries()) if (values.indexOf(b) !== j) bad(`${at}.beta[${j}]`, r.beta?.[j], "a β not already in the list");
      if (r.dSae < 2) bad(`${at}.dSae`, r.dSae, "≥ 2 for a β run (a parent level of width 1 and the full width)");
    }
    if (arch.options) {
      const sample = { ...(r.options ?? {}), ...(r.beta && r.architecture === "matryoshka" ? betaOptions(1, r.dSae) : {}) };
      problems.push(...schemaProblems(arch.options, withDefaults(arch.options, sample), `${at}.options`));
    }
    if (r.featureOrdering) {
      const m = Math.min(r.dSae, nFeatures);
      const sorted = [...r.featureOrdering].sort((a, b) => a - b);
      if (r.init !== "truth") bad(`${at}.featureOrdering`, r.featureOrdering, "nothing unless init is truth");
      else if (r.featureOrdering.length !== m || sorted.some((v, j) => v !== j))
        bad(`${at}.featureOrdering`, r.featureOrdering, `a permutation of 0…${m - 1} (min(dSae, features))`);
    }
    if (r.initNoise !== undefined && r.init !== "truth") bad(`${at}.initNoise`, r.initNoise, "nothing unless init is truth");
  });

  const byName = new Map(c.sae.runs.map((r) => [r.name, r]));
  c.plots.heatmaps?.forEach((h, i) => {
    const at = `plots.heatmaps[${i}]`;
    const r = byName.get(h.run);
    if (!r) {
      bad(`${at}.run`, h.run, `the name of a run in sae.runs (${runNames.join(", ")})`);
      return;
    }
    if (h.dataset !== undefined && !r.datasets.includes(h.dataset)) bad(`${at}.dataset`, h.dataset, `one of the run's datasets (${r.datasets.join(", ")})`);
    if (h.dataset === undefined && r.datasets.length > 1) bad(`${at}.dataset`, h.dataset, `one of the run's datasets (${r.datasets.join(", ")}): it has more than one`);
    const betas = (r.beta ?? []).map(betaNumber);
    if (h.beta !== undefined && !betas.includes(betaNumber(h.beta))) bad(`${at}.beta`, h.beta, `one of the run's β (${r.beta?.join(", ") ?? "none"})`);
    if (h.beta === undefined && betas.length > 1) bad(`${at}.beta`, h.beta, "one of the run's β: it has more than one");
    if (h.seed !== undefined && h.seed >= r.seeds) bad(`${at}.seed`, h.seed, `a seed < ${r.seeds} (the run's seeds)`);
  });
  const ids = (c.plots.heatmaps ?? []).map((h) => h.id);
  if (new Set(ids).size !== ids.length) bad("plots.heatmaps", ids, "distinct ids");
  const sweep = c.plots.betaSweep;
  if (sweep) {
    const r = byName.get(sweep.run);
    if (!r) bad("plots.betaSweep.run", sweep.run, `the name of a run in sae.runs (${runNames.join(", ")})`);
    else if (!r.beta || r.beta.length < 2) bad("plots.betaSweep.run", sweep.run, "a run with at least two β values");
    else
      for (const d of Object.keys(sweep.expect ?? {})) if (!r.datasets.includes(d)) bad(`plots.betaSweep.expect.${d}`, d, `one of the run's datasets (${r.datasets.join(", ")})`);
  }
  return problems;
}

/** One SAE of the experiment, as the config expands it (run → dataset → β → seed). */
export interface HedgingSae {
  run: string;
  dataset: string;
  /** NaN without β; Infinity for detached. */
  beta: number;
  seed: number;
  architecture: string;
  /** The run's options with β's on top. */
  options: Record<string, unknown>;
  dSae: number;
  /** NaN where the architecture has no such hyperparameter. */
  l1: number;
  k: number;
  init: "truth" | "random";
  noise: number;
  featureOrdering: number[] | null;
  lr: number;
}

export function hedgingSaes(c: FeatureHedgingConfig): HedgingSae[] {
  const out: HedgingSae[] = [];
  for (const r of c.sae.runs) {
    for (const dataset of r.datasets) {
      for (const beta of r.beta ? r.beta.map(betaNumber) : [NaN]) {
        for (let seed = 0; seed < r.seeds; seed++) {
          out.push({
            run: r.name,
            dataset,
            beta,
            seed,
            architecture: r.architecture,
            options: { ...(r.options ?? {}), ...(Number.isNaN(beta) ? {} : betaOptions(beta, r.dSae)) },
            dSae: r.dSae,
            l1: r.l1 ?? NaN,
            k: r.k ?? NaN,
            init: r.init,
            noise: r.initNoise ?? 0,
            featureOrdering: r.featureOrdering ?? null,
            lr: r.lr ?? c.sae.lr,
          });
        }
      }
    }
  }
  return out;
}

/** "β = 0.25", "β = ∞ (detached)", "" without β. */
export function formatBeta(beta: number): string {
  if (Number.isNaN(beta)) return "";
  return beta === Infinity ? "β = ∞ (detached)" : `β = ${beta}`;
}
