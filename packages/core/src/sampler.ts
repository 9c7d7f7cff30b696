import type { Rng } from "./random.ts";

/**
 * A source of ground-truth feature activations. `sample` returns a row-major
 * [batch, nFeatures] matrix of non-negative magnitudes; training stages call it
 * every step with a fresh batch, as the original code does.
 */
export interface FeatureSampler {
  readonly nFeatures: number;
  sample(rng: Rng, batch: number): Float32Array;
}
