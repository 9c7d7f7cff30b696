/**
 * Config of kind "tms-superposition": ARENA's toy models of superposition (chapter 1.3.1 §1,
 * reference arena-toy-models.md §1; figures 27–32). `models` lists the classic configurations by
 * name — features-2d, features-100, correlated-2, anticorrelated-2, correlated-3, privileged,
 * geometry — each with the current ARENA values ("s") or ARENA 1.4's ("old"), and optional
 * overrides of its instance count (the probability sweep is recomputed), training length, batch,
 * lr, schedule, magnitudes and anticorrelated-pair form. `doubleDescent` is the optional
 * double-descent experiment (figure 32).
 */
import { Type, type Static } from "@sinclair/typebox";
import { oneOf, strictObject } from "@toy-sae/core/schema/index";

export const EXPERIMENT_NAMES = ["features-2d", "features-100", "correlated-2", "anticorrelated-2", "correlated-3", "privileged", "geometry"] as const;
export type ExperimentName = (typeof EXPERIMENT_NAMES)[number];

const positiveInt = (description: string) => Type.Integer({ minimum: 1, description });

const model = strictObject({
  name: oneOf(EXPERIMENT_NAMES, { description: "Which classic configuration (its experiment name in features.arrow)" }),
  version: oneOf(["s", "old"], { description: "Current ARENA values (s) or ARENA 1.4's (old: features-2d 10,000 steps, features-100 20 instances)" }),
  instances: Type.Optional(positiveInt("Instances (feature probabilities), recomputing the configuration's sweep; not for privileged")),
  steps: Type.Optional(positiveInt("Adam steps (default the configuration's)")),
  batch: Type.Optional(positiveInt("Batch size (default 1,024)")),
  lr: Type.Optional(Type.Number({ exclusiveMinimum: 0, description: "Learning rate (default 1e-3)" })),
  schedule: Type.Optional(oneOf(["constant", "linear", "cosine"], { description: "lr schedule (default constant)" })),
  magnitude: Type.Optional(oneOf(["uniform", "normal"], { description: "Feature magnitudes U[0,1) (default) or clip(0.5 + 0.2·N(0,1), 0, 1)" })),
  anticorrelationForm: Type.Optional(
    oneOf(["s", "old"], { description: "Anticorrelated pairs: S (one uniform s; first iff s ≤ p, second iff 1 − s ≤ p) or OLD (pair w.p. 2p, one of two)" }),
  ),
});

export const configSchema = strictObject({
  name: Type.String(),
  kind: Type.Literal("tms-superposition"),
  description: Type.String(),
  seed: Type.Integer({ minimum: 0 }),
  models: Type.Array(model, { minItems: 1 }),
  doubleDescent: strictObject({
    enabled: Type.Boolean({ description: "Run the double-descent experiment (figure 32)" }),
    nFeatures: positiveInt("Features (1,000)"),
    dHidden: positiveInt("Hidden dimensions (2)"),
    instances: positiveInt("Instances per dataset size; the lowest-loss one is kept (10)"),
    featureProbability: Type.Number({ exclusiveMinimum: 0, maximum: 1, description: "p (0.01)" }),
    sizes: Type.Array(positiveInt("dataset size"), { minItems: 2, description: "Dataset sizes (the original: 3 … 3,000, 17 sizes)" }),
    steps: positiveInt("AdamW steps on the whole dataset (15,000)"),
    warmupSteps: Type.Integer({ minimum: 0, description: "Linear warm-up steps before the cosine decay (2,500)" }),
    lr: Type.Number({ exclusiveMinimum: 0, description: "1e-3" }),
    weightDecay: Type.Number({ minimum: 0, description: "AdamW weight decay (1e-2)" }),
  }),
  training: strictObject({
    threads: Type.Integer({ minimum: 1, maximum: 64, description: "Worker threads for the toy models (does not change any number)" }),
  }),
  metrics: strictObject({
    representedNorm: Type.Number({ exclusiveMinimum: 0, description: "‖W_i‖ above which a feature counts as represented (0.5)" }),
  }),
});

export type TmsSuperpositionConfig = Static<typeof configSchema>;
export type ModelConfig = TmsSuperpositionConfig["models"][number];

export function validate(c: TmsSuperpositionConfig): string[] {
  const problems: string[] = [];
  const bad = (path: string, value: unknown, expected: string) => problems.push(`${path}: got ${JSON.stringify(value)}, expected ${expected}`);
  const names = c.models.map((m) => m.name);
  c.models.forEach((m, k) => {
    if (names.indexOf(m.name) !== k) bad(`models[${k}].name`, m.name, "a configuration no other entry names");
    if (m.name === "privileged" && m.instances !== undefined && m.instances !== 7)
      bad(`models[${k}].instances`, m.instances, "7 or nothing: the privileged configuration's probabilities are a fixed list of 7");
    if (m.anticorrelationForm !== undefined && m.name !== "anticorrelated-2")
      bad(`models[${k}].anticorrelationForm`, m.anticorrelationForm, "nothing: only anticorrelated-2 has anticorrelated pairs");
    if (m.schedule === "cosine" && m.steps === 1) bad(`models[${k}].steps`, m.steps, "at least 2 with the cosine schedule (it divides by steps − 1)");
  });
  const dd = c.doubleDescent;
  for (const [k, s] of dd.sizes.entries()) if (dd.sizes.indexOf(s) !== k) bad(`doubleDescent.sizes[${k}]`, s, "a size not already listed");
  if (dd.warmupSteps >= dd.steps) bad("doubleDescent.warmupSteps", dd.warmupSteps, `fewer than doubleDescent.steps (${dd.steps})`);
  if (dd.dHidden >= dd.nFeatures) bad("doubleDescent.dHidden", dd.dHidden, `fewer than doubleDescent.nFeatures (${dd.nFeatures})`);
  return problems;
}
