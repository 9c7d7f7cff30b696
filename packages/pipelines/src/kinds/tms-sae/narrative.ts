/**
 * Words and findings for the tms-sae report, computed from metrics.arrow (never written in
 * advance): per run the mean dead latents, resampling events, MMCS and L0 over its instances,
 * and ARENA §2's claims — latents die without resampling, resampling revives them (advanced:
 * fewer dead latents and a higher MMCS than none), Gated and JumpReLU recover the directions.
 */
import { readFloatColumn, readIntColumn, readStringColumn, type Artifact } from "@toy-sae/core/artifact/arrow";
import type { Finding } from "../../framework/manifest.ts";
import type { TmsSaeConfig } from "./config.ts";

export interface RunStats {
  run: string;
  architecture: string;
  resampling: string;
  instances: number;
  /** Means over the run's instances. */
  dead: number;
  deadInTraining: number;
  mmcs: number;
  mmcsAlive: number;
  l0: number;
  loss: number;
  /** Instances with at least one dead latent. */
  withDead: number;
  /** Total resampling events. */
  resampled: number;
}

/** MMCS at or above this counts as recovering the true directions (cos 0.9 ≈ 26°). */
export const RECOVERED_MMCS = 0.9;

export function runStats(metrics: Artifact, config: TmsSaeConfig): RunStats[] {
  const run = readStringColumn(metrics, "run");
  const get = (name: string) => readFloatColumn(metrics, name);
  const dead = readIntColumn(metrics, "dead");
  const deadTraining = readIntColumn(metrics, "dead_in_training");
  const resampled = readIntColumn(metrics, "resampled");
  const mmcs = get("mmcs"),
    alive = get("mmcs_alive"),
    l0 = get("l0"),
    loss = get("loss");
  return config.sae.runs.map((r) => {
    const rows = run.flatMap((name, k) => (name === r.name ? [k] : []));
    const mean = (a: ArrayLike<number>) => rows.reduce((t, k) => t + a[k], 0) / rows.length;
    return {
      run: r.name,
      architecture: r.architecture,
      resampling: r.resampling,
      instances: rows.length,
      dead: mean(dead),
      deadInTraining: mean(deadTraining),
      mmcs: mean(mmcs),
      mmcsAlive: rows.filter((k) => Number.isFinite(alive[k])).reduce((t, k, _, a) => t + alive[k] / a.length, 0),
      l0: mean(l0),
      loss: mean(loss),
      withDead: rows.filter((k) => dead[k] > 0).length,
      resampled: rows.reduce((t, k) => t + resampled[k], 0),
    };
  });
}

const f2 = (v: number) => v.toFixed(2);
const f3 = (v: number) => v.toFixed(3);

export function describeRun(s: RunStats, config: TmsSaeConfig): string {
  const resampling = s.resampling === "none" ? "no resampling" : `${s.resampling} resampling (${s.resampled} latents resampled over ${s.instances} instances)`;
  return (
    `${s.run} (${s.architecture}, ${resampling}): ${f2(s.dead)} dead latents of ${config.sae.dSae} per instance on average (${s.withDead} of ${s.instances} instances have one), ` +
    `MMCS ${f3(s.mmcs)} (alive latents only ${f3(s.mmcsAlive)}), L0 ${f2(s.l0)}, loss ${s.loss.toExponential(3)}.`
  );
}

export interface RunFindings {
  all: Finding[];
  figure33: Finding[];
  figure34: Finding[];
}

export function runFindings(stats: readonly RunStats[]): RunFindings {
  const relu = (resampling: string) => stats.find((s) => s.architecture === "arena-relu" && s.resampling === resampling);
  const none = relu("none");
  const simple = relu("simple");
  const advanced = relu("advanced");
  const all: Finding[] = [];
  const figure33: Finding[] = [];
  const figure34: Finding[] = [];

  const die: Finding = {
    id: "latents-die",
    claim: "Without resampling, latents of the toy ReLU SAE die (ARENA §2: some neurons cease to activate).",
    holds: none ? none.dead > 0 : null,
    text: none
      ? `${none.run}: ${f2(none.dead)} dead latents per instance on average; ${none.withDead} of ${none.instances} instances have at least one.`
      : "No ReLU run without resampling in this config.",
  };
  const advancedBetter: Finding = {
    id: "advanced-resampling",
    claim: "Advanced resampling ends with fewer dead latents and a higher MMCS than no resampling.",
    holds: none && advanced ? advanced.dead < none.dead && advanced.mmcs > none.mmcs : null,
    text:
      none && advanced
        ? `Dead latents per instance ${f2(advanced.dead)} (${advanced.run}) vs ${f2(none.dead)} (${none.run}); MMCS ${f3(advanced.mmcs)} vs ${f3(none.mmcs)}; ${advanced.resampled} latents resampled.`
        : "This config lacks a ReLU run with advanced resampling or one without.",
  };
  const simpleRevives: Finding = {
    id: "simple-resampling",
    claim: "Simple resampling revives dead latents too (fewer dead latents than no resampling).",
    holds: none && simple ? simple.dead < none.dead : null,
    text:
      none && simple
        ? `Dead latents per instance ${f2(simple.dead)} (${simple.run}) vs ${f2(none.dead)} (${none.run}); MMCS ${f3(simple.mmcs)} vs ${f3(none.mmcs)}.`
        : "This config lacks a ReLU run with simple resampling or one without.",
  };
  all.push(die, advancedBetter, simpleRevives);
  figure33.push(die, advancedBetter, simpleRevives);
  for (const s of stats.filter((x) => x.architecture !== "arena-relu")) {
    const f: Finding = {
      id: `recovers-${s.run}`,
      claim: `The ${s.architecture} SAE (${s.run}) recovers the model's feature directions (mean MMCS ≥ ${RECOVERED_MMCS}).`,
      holds: s.mmcs >= RECOVERED_MMCS,
      text: `Mean MMCS ${f3(s.mmcs)} over ${s.instances} instances, ${f2(s.dead)} dead latents per instance, L0 ${f2(s.l0)}.`,
    };
    all.push(f);
    figure34.push(f);
  }
  return { all, figure33, figure34 };
}
