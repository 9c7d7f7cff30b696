/**
 * The stages of every experiment, in order. `config` validates the experiment file once and
 * writes what each later stage may read of it (`config/<stage>.json`); those snapshots, not the
 * file, are the stages' config inputs, so an edit during a run cannot reach a stage whose cache
 * key was computed before it.
 */
export const STAGES = ["generate", "train-model", "train-saes", "metrics", "plots", "report"] as const;
export type StageName = (typeof STAGES)[number];

export const ALL_STAGES = ["config", ...STAGES] as const;
export type AnyStage = (typeof ALL_STAGES)[number];

export function isStage(value: string): value is StageName {
  return (STAGES as readonly string[]).includes(value);
}

export function isAnyStage(value: string): value is AnyStage {
  return (ALL_STAGES as readonly string[]).includes(value);
}

export const PROFILES = ["smoke", "default", "paper"] as const;
export type Profile = (typeof PROFILES)[number];

export function isProfile(value: string): value is Profile {
  return (PROFILES as readonly string[]).includes(value);
}
