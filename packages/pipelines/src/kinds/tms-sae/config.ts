/**
 * Config of kind "tms-sae": ARENA's toy SAEs on the frozen hidden layer of a trained TMS model
 * (chapter 1.3.1 §2, reference arena-toy-models.md §2; figures 33–34). The model (5 features in
 * 2 dimensions, 16 instances, p = 0.025, as the demo) is trained first; instance `useInstance`
 * is the SAEs' data for every SAE instance (the original copies instance 0 to all). Each run is
 * one SAE architecture with its sparsity coefficient and resampling method ("none", "simple",
 * "advanced"), trained on `sae.instances` instances with the arena recipe.
 */
import { Type, type Static } from "@sinclair/typebox";
import { oneOf, strictObject } from "@toy-sae/core/schema/index";
import type { Registered } from "../../framework/kind.ts";
import { unknownName } from "../../framework/experiment-config.ts";

const slug = Type.String({ pattern: "^[a-z0-9][a-z0-9-]*$" });
const positiveInt = (description: string) => Type.Integer({ minimum: 1, description });

/** Options of the ARENA toy SAEs a run may set (the architecture validates them again, with its defaults). */
const runOptions = strictObject({
  tied: Type.Optional(Type.Boolean({ description: "tied_weights: W_dec = W_encᵀ" })),
  init: Type.Optional(oneOf(["kaiming", "xavier-old"], { description: "kaiming (S) or xavier-old (ARENA 1.4)" })),
  eps: Type.Optional(Type.Number({ exclusiveMinimum: 0, description: "arena-relu: weight_normalize_eps" })),
  steEpsilon: Type.Optional(Type.Number({ exclusiveMinimum: 0, description: "arena-jumprelu: ste_epsilon" })),
  thetaInit: Type.Optional(Type.Number({ exclusiveMinimum: 0, description: "arena-jumprelu: θ at init and after resampling" })),
});

const run = strictObject({
  name: slug,
  architecture: Type.String({ description: "A registered SAE architecture whose hyperparameter is sparsityCoeff (arena-relu, gated, arena-jumprelu)" }),
  options: Type.Optional(runOptions),
  sparsityCoeff: Type.Number({ minimum: 0, description: "sparsity_coeff (S: 0.2 ReLU, 1.0 Gated demo, 0.1 JumpReLU demo; OLD l1_coeff 0.5)" }),
  resampling: oneOf(["none", "simple", "advanced"], { description: "Dead-latent resampling method" }),
});

export const configSchema = strictObject({
  name: Type.String(),
  kind: Type.Literal("tms-sae"),
  description: Type.String(),
  seed: Type.Integer({ minimum: 0 }),
  model: strictObject({
    instances: positiveInt("TMS instances trained (the demo: 16)"),
    nFeatures: positiveInt("Features (5)"),
    dHidden: positiveInt("Hidden dimensions, the SAE's d_in (2)"),
    featureProbability: Type.Number({ exclusiveMinimum: 0, maximum: 1, description: "Every feature's probability (0.025)" }),
    steps: positiveInt("Adam steps (the demo: 10,000)"),
    batch: positiveInt("Batch size (1,024)"),
    lr: Type.Number({ exclusiveMinimum: 0, description: "Adam learning rate (1e-3)" }),
    useInstance: Type.Integer({ minimum: 0, description: "The TMS instance whose hidden layer every SAE reads (the original: 0)" }),
  }),
  sae: strictObject({
    recipe: Type.String({ description: "A registered training recipe (arena)" }),
    instances: positiveInt("SAE instances per run (16)"),
    dSae: positiveInt("Latents (5)"),
    steps: positiveInt("Training steps (the demo: 20,000)"),
    batch: positiveInt("Batch size (1,024)"),
    lr: Type.Number({ exclusiveMinimum: 0, description: "Adam learning rate (1e-3)" }),
    resampleEvery: positiveInt("Resample at the steps where (step + 1) % every = 0 (2,500)"),
    resampleWindow: positiveInt("frac_active window: dead = silent at every one of these steps (500; OLD demo 400)"),
    resampleScale: Type.Number({ exclusiveMinimum: 0, description: "Encoder scale of resampled latents (0.5; OLD 0.2)" }),
    snapshotEvery: positiveInt("Copy the weights every this many steps for the animations (the original logs every 100)"),
    logEvery: positiveInt("Log the loss and frac_active every this many steps (100)"),
    engine: oneOf(["fused", "tfjs"]),
    threads: Type.Integer({ minimum: 1, maximum: 64, description: "Worker threads (does not change any number)" }),
    runs: Type.Array(run, { minItems: 1 }),
  }),
  metrics: strictObject({
    evalSamples: positiveInt("Fresh samples of the model's hidden layer for the metrics"),
  }),
  plots: strictObject({
    instances: positiveInt("Instances shown in the hidden-plane figures (the original animates 8)"),
    frames: Type.Integer({ minimum: 2, description: "Frames of the HTML animation (snapshots evenly spaced over training)" }),
    rows: Type.Integer({ minimum: 2, description: "Snapshot rows of the static small multiples (the PDF)" }),
    movingAverage: positiveInt("frac_active moving average over this many log points (20)"),
  }),
});

export type TmsSaeConfig = Static<typeof configSchema>;
export type RunConfig = TmsSaeConfig["sae"]["runs"][number];

/** Options a run may give, by the architecture that takes them. */
const OPTION_OWNERS: Record<string, readonly string[]> = { eps: ["arena-relu"], steEpsilon: ["arena-jumprelu"], thetaInit: ["arena-jumprelu"] };

export function validate(c: TmsSaeConfig, known: Registered): string[] {
  const problems: string[] = [];
  const bad = (path: string, value: unknown, expected: string) => problems.push(`${path}: got ${JSON.stringify(value)}, expected ${expected}`);
  if (!known.recipes.has(c.sae.recipe)) problems.push(unknownName("sae.recipe", "recipe", c.sae.recipe, known.recipes));
  const names = c.sae.runs.map((r) => r.name);
  c.sae.runs.forEach((r, k) => {
    if (names.indexOf(r.name) !== k) bad(`sae.runs[${k}].name`, r.name, "a name no other run has");
    const arch = known.architectures.get(r.architecture);
    if (!arch) problems.push(unknownName(`sae.runs[${k}].architecture`, "architecture", r.architecture, known.architectures.keys()));
    else if (arch.hyper.join() !== "sparsityCoeff")
      bad(
        `sae.runs[${k}].architecture`,
        r.architecture,
        `an architecture whose hyperparameter is sparsityCoeff (an ARENA toy SAE); ${r.architecture} takes ${arch.hyper.join(", ")}`,
      );
    for (const [option, owners] of Object.entries(OPTION_OWNERS)) {
      if (r.options && option in r.options && !owners.includes(r.architecture))
        bad(`sae.runs[${k}].options.${option}`, r.options[option as keyof typeof r.options], `no such option: only ${owners.join(", ")} take ${option}`);
    }
  });
  if (c.model.useInstance >= c.model.instances) bad("model.useInstance", c.model.useInstance, `an instance of the model (< model.instances = ${c.model.instances})`);
  if (c.model.dHidden !== 2) bad("model.dHidden", c.model.dHidden, "2: the figures draw the SAEs in the model's 2-d hidden plane, as the original");
  if (c.model.dHidden >= c.model.nFeatures)
    bad("model.dHidden", c.model.dHidden, `fewer hidden dimensions than features (${c.model.nFeatures}), or there is no superposition to take apart`);
  if (c.sae.resampleWindow > c.sae.resampleEvery)
    bad("sae.resampleWindow", c.sae.resampleWindow, `at most sae.resampleEvery (${c.sae.resampleEvery}): the window looks back from a resampling step`);
  if (c.sae.snapshotEvery > c.sae.steps) bad("sae.snapshotEvery", c.sae.snapshotEvery, `at most sae.steps (${c.sae.steps})`);
  if (c.sae.logEvery > c.sae.steps) bad("sae.logEvery", c.sae.logEvery, `at most sae.steps (${c.sae.steps})`);
  if (c.plots.instances > c.sae.instances) bad("plots.instances", c.plots.instances, `at most sae.instances (${c.sae.instances})`);
  return problems;
}
