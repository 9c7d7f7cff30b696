/**
 * The words of a sparse-but-wrong report that describe the run — its summary and "What was run" —
 * computed from the config as run (this profile's), the recipe it trains with and the measured
 * true L0. The config's free-text description is not among them: it is written once for the
 * default profile and would be false for the smoke one (another k range, other seeds).
 */
import type { Recipe } from "@toy-sae/core/train/recipes/recipe";
import { fmt } from "./narrative.ts";
import { saeSteps, sbwInstances, type SparseButWrongConfig } from "./config.ts";

/** The original's training length: 15,000,000 samples in batches of 1024. */
export const PAPER_STEPS = 14_649;
/** The original's learning rate. */
const PAPER_LR = 3e-4;

const plural = (n: number, word: string, many = `${word}s`) => `${n.toLocaleString("en")} ${n === 1 ? word : many}`;
const list = (xs: ReadonlyArray<number | string>) => `{${xs.join(", ")}}`;

export interface MeasuredL0 {
  trueL0: number;
  trueL0Se: number;
  evalSamples: string | undefined;
}

function probabilities(c: SparseButWrongConfig): string {
  const p = c.data.probabilities;
  if (p.kind === "constant") return `each firing with p = ${p.p}`;
  if (p.kind === "linear") return `with firing probabilities ${(p.first ?? 0) >= (p.last ?? 0) ? "falling" : "rising"} linearly from ${p.first} to ${p.last}`;
  const values = p.values ?? [];
  return `with firing probabilities from ${Math.min(...values)} to ${Math.max(...values)}`;
}

function correlation(c: SparseButWrongConfig): string {
  const corr = c.data.correlation;
  if (corr.kind === "feature0") return `latent correlation ρ ∈ ${list(corr.rho ?? [])} between feature 0 and every other feature (one data condition per ρ)`;
  if (corr.kind === "random") return `the seeded random latent correlation matrix (seed ${corr.seed})`;
  return "independent firing";
}

/** "batchtopk, k ∈ {1.8, 2}" or "jumprelu, L0 coefficient ∈ {…}". */
function sweep(r: SparseButWrongConfig["sae"]["runs"][number]): string {
  return r.k ? `${r.architecture}, k ∈ ${list(r.k)}` : `${r.architecture}, L0 coefficient ∈ ${list(r.l0Coefficient ?? [])}`;
}

/** The report's summary: the data, the toy model and the SAEs of this run. */
export function experimentSummary(c: SparseButWrongConfig, measured: MeasuredL0): string {
  const instances = sbwInstances(c);
  const runs = c.sae.runs.map((r) => `${r.name} (${sweep(r)})`);
  return (
    `${plural(c.data.features, "feature")} ${probabilities(c)}, with ${correlation(c)}, embedded by a fixed linear toy model in ${c.data.hidden} dimensions; ` +
    `true L0 ${fmt(measured.trueL0, 3)} ± ${fmt(measured.trueL0Se, 3)} measured on ${measured.evalSamples} evaluation samples. ` +
    `${plural(instances.length, "SAE")} with ${plural(c.sae.dSae, "latent")} in ${plural(c.sae.runs.length, "run group")}: ${runs.join("; ")}.`
  );
}

/** "What was run": data, SAEs and training, the run groups, and how this profile deviates from the original. */
export function methodsParagraphs(c: SparseButWrongConfig, recipe: Recipe, measured: MeasuredL0, profile: string): string[] {
  const { data, sae } = c;
  const steps = saeSteps(c);
  const instances = sbwInstances(c);
  const runLines = sae.runs.map((r) => {
    const n = instances.filter((g) => g.run === r.name).length;
    const extra = [
      r.rho ? `ρ ∈ ${list(r.rho)}` : "",
      plural(r.seeds, "seed"),
      r.init === "truth" ? `ground-truth init${r.initNoise ? ` + noise ${r.initNoise}` : ""}` : "random init",
      r.trained === false ? "not trained" : "",
      r.model ? `${r.model} model` : "",
      r.kTransition
        ? `k transition from ${r.kTransition.from} starting at ${Math.round(r.kTransition.startFraction * steps)} over ${Math.round(r.kTransition.durationFraction * steps)} steps`
        : "",
      r.normalizeInputs ? "inputs normalised to mean norm √d_in" : "",
      r.l0WarmUpFraction ? `L0 warm-up ${Math.round(r.l0WarmUpFraction * steps)} steps` : "",
      r.lr ? `lr ${r.lr}` : "",
    ].filter(Boolean);
    return `${r.name}: ${sweep(r)}; ${extra.join(", ")} — ${plural(n, "SAE")}.`;
  });
  const lrs = [...new Set(instances.map((g) => g.lr))];
  const inits = new Set(instances.map((g) => g.init));
  const init = [
    inits.has("random") ? "random initialisation with decoder rows at norm 0.1 and W_enc = W_decᵀ" : "",
    inits.has("truth") ? "ground-truth initialisation at the true features" : "",
  ].filter(Boolean);
  const s = recipe.settings;
  const schedule =
    s.lrSchedule.kind === "constant" ? "constant" : `warm-up ${Math.round(s.lrSchedule.warmupFrac * 100)} % / cool-down ${Math.round(s.lrSchedule.cooldownFrac * 100)} %`;
  const batchTopK = instances.some((g) => g.architecture === "batchtopk");
  const trained = instances.filter((g) => g.trained).length;
  const deviations = [
    steps < PAPER_STEPS
      ? `${fmt((100 * steps) / PAPER_STEPS, steps < PAPER_STEPS / 10 ? 1 : 0)} % of its training length (${steps.toLocaleString("en")} of ${PAPER_STEPS.toLocaleString("en")} steps)`
      : "",
    lrs.some((lr) => lr !== PAPER_LR) ? `learning rate ${lrs.join(" / ")} instead of ${PAPER_LR}` : "",
  ].filter(Boolean);
  return [
    `Data: ${plural(data.features, "feature")} ${probabilities(c)}; ${data.correlation.kind === "none" ? "they fire independently" : `co-firing through a Gaussian copula with ${correlation(c)}`}; ` +
      `magnitudes ReLU(${data.magnitudeMean} + N(0, ${data.magnitudeStd})), embedded by a fixed linear toy model in ${data.hidden} dimensions (${c.model.variants.map((v) => `"${v.name}": ${v.steps} Adam steps of the orthogonality loss${v.stopBelowLoss ? `, stopped below ${v.stopBelowLoss}` : ""}`).join("; ")}). ` +
      `True L0 measured on ${measured.evalSamples} evaluation samples: ${fmt(measured.trueL0, 3)} ± ${fmt(measured.trueL0Se, 3)}.`,
    `SAEs: d_sae = ${sae.dSae}, ${init.join("; ")}; trained with the ${recipe.name} recipe, i.e. ${recipe.description}: ` +
      `Adam (β1 = ${recipe.beta1}, β2 = ${s.beta2}) at ${schedule} lr ${lrs.join(" / ")}, ${s.maxGradNorm === null ? "no gradient clipping" : `per-SAE gradient norm clipped to ${s.maxGradNorm}`}, dead window ${sae.deadWindow} steps; ` +
      `${steps.toLocaleString("en")} steps of ${sae.batch} (${(steps * sae.batch).toLocaleString("en")} samples per SAE; the original trains ${PAPER_STEPS.toLocaleString("en")} steps). ` +
      `Every SAE is evaluated as the notebooks do: the training SAE on the held-out batch${batchTopK ? ", BatchTopK keeping ⌊k·B⌋ activations over the whole batch" : ""}.`,
    `Runs (${plural(instances.length, "SAE")}${trained < instances.length ? `, ${trained} trained` : ""}, as instances of one batched program): ${runLines.join(" ")}`,
    ...(deviations.length ? [`Deviation from the original in this profile ("${profile}"): ${deviations.join(" and ")}.`] : []),
  ];
}
