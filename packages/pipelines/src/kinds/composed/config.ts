/**
 * Config of a composed-feature experiment (kind "composed-grid"): SAEs on the hidden layer of a
 * ReLU-output toy model whose features come in two sets, over an lr × λ grid
 * ("Sparse autoencoders find composed features in small toy models", reference §3). Each data
 * condition trains its own toy model; a condition may change the set sizes, hidden size and
 * SAE width of the experiment's defaults (the larger models of §3.4).
 */
import { Type, type Static } from "@sinclair/typebox";
import { oneOf, strictObject } from "@toy-sae/core/schema/index";
import type { Registered } from "../../framework/kind.ts";
import { unknownName } from "../../framework/experiment-config.ts";

const positive = (description: string) => Type.Number({ exclusiveMinimum: 0, description });
const name = Type.String({ pattern: "^[a-z0-9][a-z0-9-]*$" });

const condition = strictObject({
  name,
  setMagnitudeCorrelation: Type.Number({ minimum: 0, maximum: 1, description: "f: 1 = both active features share one amplitude, 0 = independent amplitudes" }),
  oneHotProbability: Type.Number({ minimum: 0, maximum: 1, description: "Fraction of draws with a single active feature" }),
  correlatedPair: Type.Optional(
    Type.Array(Type.Integer({ minimum: 0 }), { minItems: 2, maxItems: 2, description: "(i, j): x_i and y_j co-occur more often (with correlatedBoost)" }),
  ),
  correlatedBoost: Type.Optional(Type.Number({ minimum: 0, maximum: 1, description: "Share of the pair's free probability moved onto (x_i, y_j)" })),
  setSizes: Type.Optional(Type.Array(Type.Integer({ minimum: 1 }), { minItems: 2, maxItems: 2, description: "This condition's feature-set sizes (default data.setSizes)" })),
  hidden: Type.Optional(Type.Integer({ minimum: 1, description: "This condition's hidden size (default data.hidden)" })),
  dSae: Type.Optional(Type.Integer({ minimum: 1, description: "This condition's SAE width (default sae.dSae)" })),
});

export const configSchema = strictObject({
  name: Type.String(),
  kind: Type.Literal("composed-grid"),
  description: Type.String(),
  seed: Type.Integer({ minimum: 0, maximum: 4294967295, description: "Experiment seed (32-bit: larger values would alias smaller ones)" }),
  data: strictObject({
    setSizes: Type.Array(Type.Integer({ minimum: 1 }), { minItems: 2, maxItems: 2, description: "Sizes of the two feature sets (x, y)" }),
    hidden: Type.Integer({ minimum: 1, description: "Hidden size of the toy model" }),
    conditions: Type.Array(condition, { minItems: 1 }),
    evalSamples: Type.Integer({ minimum: 1, description: "Fresh samples per condition for evaluation (the original ranks instances on 10k)" }),
  }),
  model: strictObject({
    steps: Type.Integer({ minimum: 1 }),
    batch: Type.Integer({ minimum: 1 }),
    lr: positive("AdamW learning rate"),
    weightDecay: Type.Number({ minimum: 0 }),
  }),
  sae: strictObject({
    architecture: Type.String({ description: "A registered SAE architecture (core/src/sae/registry.ts)" }),
    recipe: Type.String({ description: "A registered training recipe (core/src/train/recipes/registry.ts)" }),
    lr: Type.Array(positive("learning rate"), { minItems: 1 }),
    l1: Type.Array(Type.Number({ minimum: 0 }), { minItems: 1 }),
    realisations: Type.Integer({ minimum: 1 }),
    dSae: Type.Integer({ minimum: 1 }),
    samples: Type.Integer({ minimum: 1, description: "Training samples per SAE; steps = ceil(samples / batch)" }),
    batch: Type.Integer({ minimum: 1 }),
    beta1: Type.Number({ minimum: 0, maximum: 0.999999 }),
    beta2: Type.Number({ minimum: 0, maximum: 0.999999 }),
    warmupFrac: Type.Number({ minimum: 0, maximum: 1 }),
    cooldownFrac: Type.Number({ minimum: 0, maximum: 1 }),
    ghostGrads: Type.Boolean(),
    deadWindow: Type.Integer({ minimum: 1 }),
    ghostCooldown: Type.Integer({ minimum: 0 }),
    bDecInitSamples: Type.Integer({ minimum: 1, description: "Model samples for the geometric-median initialisation of b_dec" }),
    engine: oneOf(["fused", "tfjs"]),
    threads: Type.Integer({ minimum: 1, maximum: 64, description: "Worker threads (does not change any number)" }),
  }),
  metrics: strictObject({
    offAxisThreshold: Type.Number({ minimum: 0, maximum: 1, description: "|cos| below which a decoder row counts as off-axis (not a true feature)" }),
  }),
});

export type ComposedGridConfig = Static<typeof configSchema>;
export type ConditionConfig = ComposedGridConfig["data"]["conditions"][number];

/** A condition's data shape with the experiment's defaults filled in. */
export interface ConditionShape {
  setSizes: [number, number];
  hidden: number;
}

export function conditionShape(data: ComposedGridConfig["data"], cond: ConditionConfig): ConditionShape {
  const [n0, n1] = cond.setSizes ?? data.setSizes;
  return { setSizes: [n0, n1], hidden: cond.hidden ?? data.hidden };
}

/** A condition's SAE width (default sae.dSae). */
export function conditionDSae(c: Pick<ComposedGridConfig, "sae">, cond: ConditionConfig): number {
  return cond.dSae ?? c.sae.dSae;
}

export function validate(c: ComposedGridConfig, known: Registered): string[] {
  const problems: string[] = [];
  const bad = (path: string, value: unknown, expected: string) => problems.push(`${path}: got ${JSON.stringify(value)}, expected ${expected}`);
  const arch = known.architectures.get(c.sae.architecture);
  if (!arch) problems.push(unknownName("sae.architecture", "architecture", c.sae.architecture, known.architectures.keys()));
  // the grid is lr × λ: the architecture's one hyperparameter must be the L1 coefficient
  else if (arch.hyper.join() !== "l1")
    bad("sae.architecture", c.sae.architecture, `an architecture whose hyperparameter is l1 (the grid's λ); ${c.sae.architecture} takes ${arch.hyper.join(", ")}`);
  if (!known.recipes.has(c.sae.recipe)) problems.push(unknownName("sae.recipe", "recipe", c.sae.recipe, known.recipes));
  const names = c.data.conditions.map((d) => d.name);
  for (const [k, n] of names.entries()) if (names.indexOf(n) !== k) bad(`data.conditions[${k}].name`, n, "a name no other condition has");
  c.data.conditions.forEach((cond, k) => {
    const [n0, n1] = conditionShape(c.data, cond).setSizes;
    const pair = cond.correlatedPair;
    if (pair && (pair[0] >= n0 || pair[1] >= n1)) bad(`data.conditions[${k}].correlatedPair`, pair, `[i < ${n0}, j < ${n1}] (indices into the two sets)`);
    if (cond.correlatedBoost !== undefined && !pair) bad(`data.conditions[${k}].correlatedBoost`, cond.correlatedBoost, "a correlatedPair to boost");
  });
  for (const [key, list] of [
    ["lr", c.sae.lr],
    ["l1", c.sae.l1],
  ] as const) {
    for (const [k, v] of list.entries()) if (list.indexOf(v) !== k) bad(`sae.${key}[${k}]`, v, `a value not already in sae.${key} (a duplicate would train the same cell twice)`);
  }
  if (c.sae.warmupFrac + c.sae.cooldownFrac > 1)
    bad("sae.cooldownFrac", c.sae.cooldownFrac, `at most 1 − sae.warmupFrac (${1 - c.sae.warmupFrac}): warm-up and cool-down cannot overlap`);
  return problems;
}

/** One SAE of the grid: its cell and realisation, and its index on the instance axis. */
export interface GridInstance {
  instance: number;
  condition: string;
  conditionIndex: number;
  lrIndex: number;
  l1Index: number;
  lr: number;
  l1: number;
  realisation: number;
}

/** The instance axis: condition-major, then lr, then λ, then realisation. */
export function gridInstances(c: Pick<ComposedGridConfig, "data" | "sae">): GridInstance[] {
  const out: GridInstance[] = [];
  c.data.conditions.forEach((cond, conditionIndex) => {
    c.sae.lr.forEach((lr, lrIndex) => {
      c.sae.l1.forEach((l1, l1Index) => {
        for (let realisation = 0; realisation < c.sae.realisations; realisation++) {
          out.push({ instance: out.length, condition: cond.name, conditionIndex, lrIndex, l1Index, lr, l1, realisation });
        }
      });
    });
  });
  return out;
}

export function saeSteps(c: Pick<ComposedGridConfig, "sae">): number {
  return Math.ceil(c.sae.samples / c.sae.batch);
}
