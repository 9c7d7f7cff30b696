/**
 * report: what was run (and how it deviates from ARENA's lengths), the findings and figures
 * (the framework adds them from plots/figures.json), the per-instance metrics, config and
 * provenance.
 */
import { readFloatColumn, readIntColumn, readStringColumn } from "@toy-sae/core/artifact/arrow";
import { arenaTmsPreset } from "@toy-sae/core/models/arena-tms-presets";
import type { JsonValue } from "@toy-sae/core/artifact/provenance";
import type { StageContext } from "../../framework/context.ts";
import { writeExperimentReport } from "../../framework/report-output.ts";
import type { TmsSuperpositionConfig } from "./config.ts";
import { resolveExperiment } from "./experiments.ts";

/** The original double-descent experiment: 17 sizes, 10 instances, 15,000 steps. */
const ORIGINAL_DD = { sizes: 17, instances: 10, steps: 15_000 };

export async function run(ctx: StageContext<TmsSuperpositionConfig>): Promise<void> {
  const { config } = ctx;
  const experiments = config.models.map(resolveExperiment);
  const deviations = experiments.flatMap((e) => {
    const original = arenaTmsPreset(e.preset, { version: config.models.find((m) => m.name === e.name)?.version ?? "s" });
    const changes = [
      e.steps !== original.steps ? `${e.steps.toLocaleString("en")} steps (ARENA: ${original.steps.toLocaleString("en")})` : "",
      e.batch !== original.batch ? `batch ${e.batch} (ARENA: ${original.batch})` : "",
      e.instances !== original.instances ? `${e.instances} instances (ARENA: ${original.instances})` : "",
      e.lr !== original.lr ? `lr ${e.lr} (ARENA: ${original.lr})` : "",
    ].filter(Boolean);
    return changes.length ? [`${e.name}: ${changes.join(", ")}`] : [];
  });
  const dd = config.doubleDescent;
  if (dd.enabled && (dd.sizes.length !== ORIGINAL_DD.sizes || dd.instances !== ORIGINAL_DD.instances || dd.steps !== ORIGINAL_DD.steps)) {
    deviations.push(
      `double descent: ${dd.sizes.length} sizes (${dd.sizes.join(", ")}), ${dd.instances} instances, ${dd.steps.toLocaleString("en")} steps (ARENA: 17 sizes 3–3,000, 10 instances, 15,000 steps)`,
    );
  }
  const methods = [
    "Toy models of ARENA 1.3.1 §1: h = W x, out = ReLU(Wᵀh + b) (the privileged configuration: h = ReLU(W x)), W Xavier-normal initialised, loss the importance-weighted MSE averaged over batch and features, Adam (0.9, 0.999), a fresh batch every step; each instance has its own feature probability.",
    ...experiments.map(
      (e) =>
        `${e.name} (figure ${e.figure}): ${e.instances} instances, ${e.nFeatures} features in ${e.dHidden} dimensions, ${e.nCorrelatedPairs ? `${e.nCorrelatedPairs} correlated pairs, ` : ""}${e.nAnticorrelatedPairs ? `${e.nAnticorrelatedPairs} anticorrelated pairs (${e.anticorrelationForm.toUpperCase()} form), ` : ""}${e.magnitude} magnitudes, ${e.steps.toLocaleString("en")} steps of ${e.batch} at lr ${e.lr} (${e.schedule}).`,
    ),
    dd.enabled
      ? `Double descent (figure 32): ${dd.sizes.length} dataset sizes (${dd.sizes.join(", ")}) of ${dd.nFeatures} features at p = ${dd.featureProbability} in ${dd.dHidden} dimensions, ${dd.instances} instances each, ${dd.steps.toLocaleString("en")} AdamW steps on the whole dataset.`
      : "Double descent (figure 32) is off in this profile.",
    `A feature counts as represented when ‖W_i‖ > ${config.metrics.representedNorm}. Each instance draws its own batches from its own stream (the original draws all instances from one generator; the distribution is the same).`,
    deviations.length ? `Deviations from ARENA, to fit the profile "${ctx.profile}" on 2 cores: ${deviations.join("; ")}.` : "Lengths and sizes as ARENA.",
  ];
  const inst = await ctx.read("metrics", "instances.arrow");
  const experiment = readStringColumn(inst, "experiment");
  const instance = readIntColumn(inst, "instance");
  const p = readFloatColumn(inst, "feature_probability");
  const dStar = readFloatColumn(inst, "dimensions_per_feature");
  const represented = readIntColumn(inst, "represented");
  const sup = readFloatColumn(inst, "mean_superposition");
  const loss = readFloatColumn(inst, "final_loss");
  await writeExperimentReport(ctx, {
    title: `${ctx.experiment}: ARENA toy models of superposition`,
    summary: config.description,
    methods,
    config: config as unknown as JsonValue,
    metrics: {
      caption: "Every toy-model instance; per-feature values are in metrics/features.arrow, pair cosines in metrics/pairs.arrow.",
      columns: ["experiment", "instance", "feature_probability", "dimensions_per_feature", "represented", "mean_superposition", "final_loss"],
      rows: experiment.map((e, r) => ({
        experiment: e,
        instance: instance[r],
        feature_probability: p[r],
        dimensions_per_feature: dStar[r],
        represented: represented[r],
        mean_superposition: sup[r],
        final_loss: loss[r],
      })),
    },
    trained: await ctx.read("train-model", "model.arrow"),
    seeds: [config.seed],
  });
}
