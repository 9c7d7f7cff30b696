/**
 * plots: the toy SAEs in the TMS hidden plane over training (small multiples for print, an
 * animation in the HTML) and their frac_active curves, per run (figure 33: the ReLU SAE without,
 * with simple and with advanced resampling; figure 34: Gated and JumpReLU), the trained model's
 * features, and dead latents and MMCS per run. The findings of ARENA §2 are computed here from
 * metrics.arrow.
 */
import { listRow, readFloatColumn, readIntColumn, readListColumn } from "@toy-sae/core/artifact/arrow";
import { barFigure } from "@toy-sae/report";
import { vectorPanelsFigure } from "@toy-sae/report/figures/arena/vector-panels";
import type { StageContext } from "../../framework/context.ts";
import { FigureWriter } from "../../framework/manifest.ts";
import { readSnapshots, readResampling } from "../../framework/training-records.ts";
import { readKeys } from "../../framework/saes-io.ts";
import { KEY_TYPES, featureRows, modelInstance } from "./common.ts";
import type { TmsSaeConfig } from "./config.ts";
import { runFindings, runStats, describeRun } from "./narrative.ts";
import { fracActiveFigure, planeFigures, type SaeTrajectory } from "./plane-figures.ts";

export async function run(ctx: StageContext<TmsSaeConfig>): Promise<void> {
  const { config } = ctx;
  const modelArt = await ctx.read("train-model", "model.arrow");
  const model = modelInstance(modelArt, config.model.useInstance);
  const truth = featureRows(model);
  const F = model.nFeatures;
  const metrics = await ctx.read("metrics", "metrics.arrow");
  const stats = runStats(metrics, config);
  const out = new FigureWriter(ctx);

  // SAE rows (the plan's order: run-major, then instance) and their records
  const curves = await ctx.read("train-saes", "curves.arrow");
  const curveKeys = readKeys(curves, KEY_TYPES);
  const curveSae = readIntColumn(curves, "sae");
  const curveStep = readIntColumn(curves, "step");
  const frac = readListColumn(curves, "frac_active");
  const events = readResampling(await ctx.read("train-saes", "resampling.arrow"), KEY_TYPES);
  const snapshots = readSnapshots(await ctx.read("train-saes", "snapshots.arrow"), () => ({ dIn: model.dHidden, dSae: config.sae.dSae }));
  const saeOf = new Map<string, number>();
  for (const [r, k] of curveKeys.entries()) saeOf.set(`${k.run}|${k.instance}`, curveSae[r]);
  const trajectory = (runName: string, instance: number): SaeTrajectory => {
    const sae = saeOf.get(`${runName}|${instance}`);
    if (sae === undefined) throw new Error(`plots: no SAE for run ${runName}, instance ${instance} in curves.arrow`);
    return {
      instance,
      snapshots: snapshots.filter((s) => s.sae === sae),
      events: events.filter((e) => e.sae === sae),
      fracActive: Array.from(curveSae, (s, r) => (s === sae ? { step: curveStep[r], values: listRow(frac, r) } : null)).filter((p) => p !== null),
    };
  };

  // the model the SAEs read
  const modelPanels = Array.from({ length: Math.min(config.model.instances, 8) }, (_, i) => {
    const m = modelInstance(modelArt, i);
    const rows = featureRows(m);
    return {
      title: i === config.model.useInstance ? `inst ${i} (SAE data)` : `inst ${i}`,
      vectors: Array.from({ length: F }, (_, f) => ({ x: rows[2 * f], y: rows[2 * f + 1], color: i === config.model.useInstance ? "#222" : "#999" })),
    };
  });
  const represented = Array.from({ length: F }, (_, f) => Math.hypot(truth[2 * f], truth[2 * f + 1])).filter((nrm) => nrm > 0.5).length;
  const finalLoss = readFloatColumn(modelArt, "final_loss");
  out.section("model", "The TMS model", [
    `${config.model.instances} instances of the TMS model (${F} features in ${model.dHidden} dimensions, p = ${config.model.featureProbability}) trained for ${config.model.steps.toLocaleString("en")} steps; final losses ${Array.from(finalLoss, (v) => v.toExponential(2)).join(", ")}. ` +
      `Every SAE reads instance ${config.model.useInstance}, which represents ${represented} of its ${F} features with norm > 0.5.`,
  ]);
  out.add(
    {
      id: "model",
      title: "The TMS model's features in its hidden plane",
      caption: `Columns W_f of the first ${modelPanels.length} instances; the SAEs are trained on instance ${config.model.useInstance}'s hidden layer h = W x.`,
      section: "model",
      source: ["train-model/model.arrow"],
    },
    vectorPanelsFigure([{ label: "", panels: modelPanels }], { size: 100 }),
  );

  // per run: the hidden-plane small multiples and animation, and the frac_active curves
  const findings = runFindings(stats);
  const idsByFigure = new Map<number, string[]>([
    [33, []],
    [34, []],
  ]);
  const shown = Array.from({ length: config.plots.instances }, (_, i) => i);
  for (const runConfig of config.sae.runs) {
    const figure = runConfig.architecture === "arena-relu" ? 33 : 34;
    const section = figure === 33 ? "relu" : "gated-jumprelu";
    if (!out.sections.some((s) => s.id === section)) {
      out.section(section, figure === 33 ? "ReLU SAEs without and with dead-latent resampling" : "Gated and JumpReLU SAEs", []);
    }
    const trajectories = shown.map((i) => trajectory(runConfig.name, i));
    const st = stats.find((s) => s.run === runConfig.name)!;
    const planes = planeFigures(trajectories, truth, F, config.plots.rows, config.plots.frames, `${runConfig.name}: latents in the hidden plane`);
    out.add(
      {
        id: `plane-${runConfig.name}`,
        title: `${runConfig.name} in the TMS hidden plane over training`,
        caption:
          `Instances 0–${shown.length - 1}: the model's ${F} feature directions (grey), each latent's decoder row (solid) and encoder column (dashed) as unit directions, one colour per latent; a ring marks a latent resampled since the row (or frame) before. ` +
          `${describeRun(st, config)} In the HTML the slider steps through ${planes.frames.length} snapshots; print shows ${config.plots.rows} of them.`,
        section,
        source: ["train-saes/snapshots.arrow", "train-saes/resampling.arrow", "train-model/model.arrow"],
      },
      planes.svg,
      planes.frames,
    );
    out.add(
      {
        id: `frac-${runConfig.name}`,
        title: `${runConfig.name}: frac_active over training`,
        caption: `Share of each batch in which each latent fires, moving average over ${config.plots.movingAverage} log points (one every ${config.sae.logEvery} steps); dashed rules mark resampling events in the resampled latent's colour.`,
        section,
        source: ["train-saes/curves.arrow", "train-saes/resampling.arrow"],
      },
      fracActiveFigure(trajectories, config.plots.movingAverage, config.sae.dSae, `${runConfig.name}: frac_active`),
    );
    idsByFigure.get(figure)!.push(`plane-${runConfig.name}`, `frac-${runConfig.name}`);
  }

  // dead latents and MMCS per run
  out.section(
    "summary",
    "Dead latents and recovered directions per run",
    stats.map((s) => describeRun(s, config)),
  );
  out.add(
    {
      id: "dead-per-run",
      title: "Dead latents per run",
      caption: `Mean over ${config.sae.instances} instances of the latents that fire on none of ${metrics.metadata.eval_samples} evaluation samples.`,
      section: "summary",
      source: ["metrics/metrics.arrow"],
    },
    barFigure(
      stats.map((s) => ({ label: s.run, value: s.dead })),
      { yLabel: "dead latents (mean)", width: 420, height: 220 },
    ),
  );
  out.add(
    {
      id: "mmcs-per-run",
      title: "MMCS per run",
      caption: "Mean over instances of the MMCS (true → SAE): for each true feature direction, the best signed cosine with a decoder row.",
      section: "summary",
      source: ["metrics/metrics.arrow"],
    },
    barFigure(
      stats.map((s) => ({ label: s.run, value: s.mmcs })),
      { yLabel: "MMCS (mean)", yDomain: [0, 1], width: 420, height: 220 },
    ),
  );

  for (const f of findings.all) out.finding(f);
  out.reproduce(33, idsByFigure.get(33)!, findings.figure33);
  out.reproduce(34, idsByFigure.get(34)!, findings.figure34);
  out.write({ kind: "tms-sae", configHash: metrics.metadata.configHash ?? "" });
}
