/**
 * How long a run is against the original's: every report's provenance says what share of the
 * original's work (the `paper` profile, which has the original's lengths) this run did, and how
 * long the paper profile would take on the machine that made the report.
 *
 * The config stage writes each profile's estimated seconds per stage (the kind's `estimate`)
 * into the report's config snapshot, so the report's cache key changes when any profile's length
 * does. The report scales each stage's measured time by its estimated work ratio: the estimate's
 * absolute rates are rough (fitted once), but a ratio of two estimates for the same stage on the
 * same engine is close, and the measured time carries this machine's real speed.
 */
import type { Estimate } from "./estimate.ts";
import type { Profile, StageName } from "./stages.ts";

/** Estimated seconds per stage (stages without an estimate are absent). */
export type StageWork = Partial<Record<StageName, number>>;

/** Each validated profile's estimated work, keyed by profile. */
export type WorkByProfile = Partial<Record<Profile, StageWork>>;

/** The estimate's work summed per stage. */
export function stageWork(estimate: Estimate): StageWork {
  const out: StageWork = {};
  for (const w of estimate.work) out[w.stage] = (out[w.stage] ?? 0) + w.seconds;
  return out;
}

export interface RunLength {
  profile: Profile;
  /** This run's estimated work over the paper profile's, over the stages both estimate (1 on paper). */
  shareOfPaper: number;
  /** What this run's stages took, as measured (cached stages: when they ran). */
  measuredSeconds: number;
  /** The paper profile on this machine: each measured stage × its work ratio (stages without an estimate as measured). */
  paperSeconds: number;
}

/** Null when the paper profile or this profile has no estimated work (nothing to scale). */
export function runLength(work: WorkByProfile, profile: Profile, measured: ReadonlyArray<{ stage: string; seconds: number }>): RunLength | null {
  const mine = work[profile];
  const paper = work.paper;
  if (!mine || !paper) return null;
  let mineTotal = 0;
  let paperTotal = 0;
  for (const [stage, seconds] of Object.entries(mine) as Array<[StageName, number]>) {
    const p = paper[stage];
    if (p === undefined || !(seconds > 0)) continue;
    mineTotal += seconds;
    paperTotal += p;
  }
  if (!(mineTotal > 0 && paperTotal > 0)) return null;
  let measuredSeconds = 0;
  let paperSeconds = 0;
  for (const t of measured) {
    const m = mine[t.stage as StageName];
    const p = paper[t.stage as StageName];
    measuredSeconds += t.seconds;
    paperSeconds += m !== undefined && p !== undefined && m > 0 ? (t.seconds * p) / m : t.seconds;
  }
  return { profile, shareOfPaper: mineTotal / paperTotal, measuredSeconds, paperSeconds };
}

/** The provenance's sentence, e.g. "32 % of the original's training work (…); this run took 9 min 42 s; the paper profile ≈ 30 min here". */
export function runLengthSentence(length: RunLength, formatSeconds: (seconds: number) => string): string {
  if (length.profile === "paper") return `The original's length (paper profile); this run's stages took ${formatSeconds(length.measuredSeconds)}.`;
  const share = length.shareOfPaper;
  const percent = share >= 0.995 ? "100 %" : share >= 0.1 ? `${Math.round(share * 100)} %` : `${(share * 100).toPrecision(2)} %`;
  return (
    `${percent} of the original's estimated work (the paper profile's), profile ${length.profile}. ` +
    `This run's stages took ${formatSeconds(length.measuredSeconds)}; the paper profile would take ≈ ${formatSeconds(length.paperSeconds)} on this machine ` +
    `(each stage's measured time scaled by its estimated work ratio).`
  );
}
