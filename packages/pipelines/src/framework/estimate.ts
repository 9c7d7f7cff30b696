/**
 * What a config needs before anything runs: the largest allocations of each stage and the
 * training work, each tied to the config fields that drive it. The config stage refuses a config
 * that cannot fit in this machine's memory (or in one JavaScript array), naming the fields, the
 * estimate and the limit, and asks for confirmation (TOY_SAE_YES=1 or --yes) before a run
 * estimated far beyond its profile's usual time.
 */
import { totalmem } from "node:os";
import type { Profile, StageName } from "./stages.ts";

export interface MemoryNeed {
  stage: StageName;
  /** What is allocated, e.g. "W_enc of 375 SAEs". */
  what: string;
  /** The config fields that set its size, with their values ("sae.dSae: 1e9"). */
  fields: string[];
  /** Bytes of the largest single allocation of this kind. */
  bytes: number;
}

export interface WorkNeed {
  stage: StageName;
  what: string;
  fields: string[];
  /** Estimated seconds on this machine (2 cores), from the engine's measured rates. */
  seconds: number;
}

export interface Estimate {
  memory: MemoryNeed[];
  work: WorkNeed[];
}

/** The largest typed array a stage can allocate (V8: 2^32 − 1 elements; 4 GiB keeps every element type safe). */
export const MAX_ARRAY_BYTES = 2 ** 32;

/** What a profile usually takes; a run estimated above this asks for confirmation. */
export const PROFILE_BUDGET_SECONDS: Record<Profile, number> = { smoke: 5 * 60, default: 60 * 60, paper: 12 * 60 * 60 };

/**
 * Seconds per SAE instance-sample of the fused engine on 2 cores: a fixed cost per sample plus a
 * cost per weight, fitted to `nx run pipelines:bench` (composed grid d 2×4: ~14 M/s; main toy
 * 100×50: ~0.16 M/s). The tfjs engine is about 100× slower.
 */
export function saeSecondsPerSample(dIn: number, dSae: number, engine: "fused" | "tfjs"): number {
  return (6e-8 + 1.2e-9 * dIn * dSae) * (engine === "tfjs" ? 100 : 1);
}

export function formatBytes(bytes: number): string {
  const units = ["B", "KB", "MB", "GB", "TB", "PB"];
  let v = bytes;
  let u = 0;
  while (v >= 1000 && u < units.length - 1) {
    v /= 1000;
    u++;
  }
  return `${v >= 100 || u === 0 ? Math.round(v) : v.toPrecision(2)} ${units[u]}`;
}

export function formatSeconds(seconds: number): string {
  if (!Number.isFinite(seconds)) return "forever";
  if (seconds < 90) return `${Math.ceil(seconds)} s`;
  if (seconds < 90 * 60) return `${Math.round(seconds / 60)} min`;
  if (seconds < 48 * 3600) return `${(seconds / 3600).toFixed(1)} h`;
  return `${Math.round(seconds / 86400).toLocaleString("en")} days`;
}

export interface EstimateVerdict {
  /** Refusals: the config cannot fit; one line each. */
  refused: string[];
  /** Set when the run is far beyond the profile's usual time: the line that asks for confirmation. */
  confirm: string | null;
  totalSeconds: number;
}

export function judgeEstimate(estimate: Estimate, profile: Profile, memoryBytes = totalmem()): EstimateVerdict {
  const refused: string[] = [];
  const budget = 0.8 * memoryBytes;
  for (const m of estimate.memory) {
    const fields = m.fields.join(", ");
    if (!Number.isFinite(m.bytes) || m.bytes > budget) {
      refused.push(`${fields} needs ~${formatBytes(m.bytes)} for ${m.what} (${m.stage}); this machine has ${formatBytes(memoryBytes)}`);
    } else if (m.bytes > MAX_ARRAY_BYTES) {
      refused.push(`${fields} needs ~${formatBytes(m.bytes)} in one array for ${m.what} (${m.stage}); one array holds at most ${formatBytes(MAX_ARRAY_BYTES)}`);
    }
  }
  const totalSeconds = estimate.work.reduce((a, w) => a + w.seconds, 0);
  const limit = PROFILE_BUDGET_SECONDS[profile];
  let confirm: string | null = null;
  if (!(totalSeconds <= limit)) {
    const parts = estimate.work.filter((w) => w.seconds > limit / 20).map((w) => `${w.stage}: ${w.what}, ~${formatSeconds(w.seconds)} (${w.fields.join(", ")})`);
    confirm = `estimated ~${formatSeconds(totalSeconds)} on this machine — ${parts.join("; ")} — while the ${profile} profile usually takes at most ${formatSeconds(limit)}; rerun with TOY_SAE_YES=1 (or --yes on the stage CLI) to run it anyway`;
  }
  return { refused, confirm, totalSeconds };
}
