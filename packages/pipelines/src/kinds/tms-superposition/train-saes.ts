/** The tms-superposition kind trains no SAE: an empty plan (the framework writes empty saes.arrow and curves.arrow). */
import type { Rng } from "@toy-sae/core/random";
import type { TrainPlan } from "../../framework/kind.ts";

export async function plan(): Promise<TrainPlan<null>> {
  return { saes: [], keyTypes: {}, shared: null, seeds: {} };
}

export function sampler(): (rng: Rng) => Float32Array {
  throw new Error("tms-superposition trains no SAE");
}
