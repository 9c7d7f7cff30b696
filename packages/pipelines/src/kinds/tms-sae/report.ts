/**
 * report: what was run (and how it deviates from ARENA's demo), the findings, the figures (the
 * framework adds them from plots/figures.json), the metrics of every SAE, config and provenance.
 */
import { readBoolColumn, readFloatColumn, readIntColumn, readStringColumn } from "@toy-sae/core/artifact/arrow";
import type { JsonValue } from "@toy-sae/core/artifact/provenance";
import type { StageContext } from "../../framework/context.ts";
import { writeExperimentReport } from "../../framework/report-output.ts";
import type { TmsSaeConfig } from "./config.ts";

/** ARENA's demo lengths: the TMS model 10,000 steps, the SAEs 20,000. */
const ORIGINAL = { modelSteps: 10_000, saeSteps: 20_000, instances: 16 };

export async function run(ctx: StageContext<TmsSaeConfig>): Promise<void> {
  const { config } = ctx;
  const { model, sae } = config;
  const metrics = await ctx.read("metrics", "metrics.arrow");
  const saes = await ctx.read("train-saes", "saes.arrow");
  const runs = sae.runs.map((r) => {
    const options = Object.entries(r.options ?? {}).map(([k, v]) => `${k} ${String(v)}`);
    return `${r.name}: ${r.architecture}, coefficient ${r.sparsityCoeff}, ${r.resampling === "none" ? "no resampling" : `${r.resampling} resampling`}${options.length ? `, ${options.join(", ")}` : ""}.`;
  });
  const deviations = [
    model.steps < ORIGINAL.modelSteps ? `the TMS model trains ${model.steps.toLocaleString("en")} steps (ARENA: ${ORIGINAL.modelSteps.toLocaleString("en")})` : "",
    sae.steps < ORIGINAL.saeSteps ? `the SAEs train ${sae.steps.toLocaleString("en")} steps (ARENA's demo: ${ORIGINAL.saeSteps.toLocaleString("en")})` : "",
    sae.instances !== ORIGINAL.instances ? `${sae.instances} SAE instances per run (ARENA: ${ORIGINAL.instances})` : "",
  ].filter(Boolean);
  const methods = [
    `Model: ARENA's TMS model h = W x, out = ReLU(Wᵀh + b) with ${model.nFeatures} features in ${model.dHidden} dimensions, ${model.instances} instances, every feature present with probability ${model.featureProbability} at magnitude U[0, 1), uniform importance; Adam lr ${model.lr}, ${model.steps.toLocaleString("en")} steps of ${model.batch}. ` +
      `Every SAE reads instance ${model.useInstance}'s hidden layer h = W x (no bias, no ReLU), as the original copies instance 0 to every SAE instance.`,
    `SAEs: d_in ${model.dHidden}, d_sae ${sae.dSae}, ${sae.instances} instances per run, recipe ${sae.recipe}: Adam (0.9, 0.999) lr ${sae.lr}, ${sae.steps.toLocaleString("en")} steps of ${sae.batch}, decoder rows set to unit norm after every step (untied). ` +
      `Resampling at the steps where (step + 1) % ${sae.resampleEvery} = 0, of the latents silent over the last ${sae.resampleWindow} steps, encoder scale ${sae.resampleScale}. ` +
      `Instance i of every run starts from the same initialisation and reads the same batches, so the runs differ only in architecture, coefficient and resampling.`,
    `Runs: ${runs.join(" ")}`,
    `Metrics on ${metrics.metadata.eval_samples} fresh samples of the hidden layer: the architecture's loss, L0 (latents with |act| > 1e-8), dead latents (active on no sample), MMCS both ways and MCC of the decoder rows against the model's ${model.nFeatures} feature directions.`,
    deviations.length
      ? `Deviations from ARENA's demo, to fit the profile "${ctx.profile}" on 2 cores: ${deviations.join("; ")}. The h-vs-ĥ animation of the original is not drawn.`
      : "Lengths as ARENA's demo. The h-vs-ĥ animation of the original is not drawn.",
  ];
  const cols = ["run", "instance", "loss", "l0", "dead", "resampled", "mmcs", "mmcs_sae_to_true", "mcc"] as const;
  const str = { run: readStringColumn(metrics, "run") };
  const ints = { instance: readIntColumn(metrics, "instance"), dead: readIntColumn(metrics, "dead"), resampled: readIntColumn(metrics, "resampled") };
  const floats = Object.fromEntries(["loss", "l0", "mmcs", "mmcs_sae_to_true", "mcc"].map((c) => [c, readFloatColumn(metrics, c)]));
  const diverged = readBoolColumn(metrics, "diverged");
  await writeExperimentReport(ctx, {
    title: `${ctx.experiment}: ARENA toy SAEs on a TMS hidden layer, with dead-latent resampling`,
    summary: config.description,
    methods,
    config: config as unknown as JsonValue,
    metrics: {
      caption: `Every SAE (${metrics.numRows}); metrics/metrics.arrow has these and reconstruction, sparsity, auxiliary, dead_in_training, mmcs_alive, mmcs_encoder.`,
      columns: [...cols, "diverged"],
      rows: str.run.map((run, r) => ({
        run,
        instance: ints.instance[r],
        dead: ints.dead[r],
        resampled: ints.resampled[r],
        ...Object.fromEntries(Object.entries(floats).map(([c, v]) => [c, v[r]])),
        diverged: diverged[r],
      })),
    },
    trained: saes,
    seeds: [config.seed],
  });
}
