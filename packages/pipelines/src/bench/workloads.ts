/**
 * Benchmark workloads, the same shapes and per-step work as ../shared/bench/torch_peer.py:
 * every step draws a fresh batch per instance, runs forward + backward, and takes an Adam step.
 * Run in worker threads (instances split between them), as the pipelines run.
 */
import { valueAt } from "@toy-sae/core/checked";
import { Rng } from "@toy-sae/core/random";
import { initReluL1 } from "@toy-sae/core/sae/relu-l1/kernel";
import { initSaeLens } from "@toy-sae/core/sae/shared/saelens-base";
import { orthogonalFeatureEmbedding } from "@toy-sae/core/models/orthogonal-embedding";
import { architecture as reluL1 } from "@toy-sae/core/sae/relu-l1/index";
import { architecture as batchTopK } from "@toy-sae/core/sae/batchtopk/index";
import { recipe as composed2024 } from "@toy-sae/core/train/recipes/composed-2024";
import { recipe as saeLens611 } from "@toy-sae/core/train/recipes/saelens-6.11";
import { trainSaeGrid } from "@toy-sae/core/train/trainer";
import { composedFeatureSampler } from "@toy-sae/generators/composed";
import { correlatedFeatureSampler, randomCorrelationMatrix, smallToyCorrelation, type CorrelatedFeatureSampler } from "@toy-sae/generators/correlated";
import { constantProbabilities, sparseButWrongMainProbabilities } from "@toy-sae/generators/probabilities";

export interface WorkloadResult {
  instances: number;
  batch: number;
  steps: number;
  seconds: number;
}

export type Workload = (instances: number[], totalInstances: number, steps: number) => WorkloadResult;

/** lr × l1 grid of the composed-feature 2-d toy: 25 cells × 5 realisations, d_in 2, d_sae 4, batch 1024. */
export const composedGrid: Workload = (mine, total, steps) => {
  const B = 1024;
  const I = mine.length;
  const rng = new Rng(0);
  const W = rng.fillUniform(new Float32Array(4 * 2), -1, 1);
  const sampler = composedFeatureSampler({ setSizes: [2, 2] });
  const rngs = mine.map((i) => rng.fork(`data/${i}`));
  const p = initReluL1(
    { instances: I, dIn: 2, dSae: 4 },
    mine.map((i) => rng.fork(`init/${i}`)),
  );
  const lrAll = Array.from({ length: total }, (_, i) => 3e-5 * 100 ** (Math.floor(i / 25) / 4));
  const l1All = Array.from({ length: total }, (_, i) => 1e-2 * 100 ** ((Math.floor(i / 5) % 5) / 4));
  // h = features·W [4, 2], drawn and projected in one pass (bit-identical to projecting
  // `sampler.sample`'s features in Float32, as the composed kind's hiddenOf does); one output
  // buffer per data group, reused
  const hs = mine.map(() => new Float32Array(B * 2));
  const sample = (g: number) => sampler.sampleEmbeddedInto(valueAt(rngs, g, "data streams"), B, W, 2, valueAt(hs, g, "sample buffers"));
  const run = (n: number) =>
    trainSaeGrid(reluL1, p, {
      ...composed2024.settings,
      engine: "fused",
      lrSchedule: { kind: "constant" },
      options: { ghostGrads: false, ghostCooldown: 1000 },
      steps: n,
      batch: B,
      lr: Float64Array.from(mine, (i) => valueAt(lrAll, i, "grid learning rates")),
      hyper: { l1: Float64Array.from(mine, (i) => valueAt(l1All, i, "grid L1 coefficients")) },
      beta1: new Float64Array(I),
      group: Int32Array.from(mine, (_, k) => k),
      groups: I,
      sample,
      logEvery: n + 1,
    });
  run(5); // warm-up, as the peer does
  const t0 = performance.now();
  run(steps);
  return { instances: I, batch: B, steps, seconds: (performance.now() - t0) / 1000 };
};

interface CorrelatedToy {
  nFeatures: number;
  dIn: number;
  dSae: number;
  k: number;
  /** The copula sampler of global instance i (one data group per instance, as the peer). */
  sampler: (instance: number) => CorrelatedFeatureSampler;
}

/**
 * A BatchTopK grid on a correlated toy, as the saelens-6.11 recipe trains it: every step each
 * instance draws a fresh batch (copula sampler → orthonormal embedding), then BatchTopK
 * forward/backward, the per-instance clip at 1.0 and Adam (β1 .9) at a constant lr 3e-4.
 */
function correlatedBatchTopK(toy: CorrelatedToy): Workload {
  return (mine, _total, steps) => {
    const B = 1024;
    const I = mine.length;
    const { nFeatures: N, dIn: D, dSae: M } = toy;
    const rng = new Rng(0);
    const embedding = orthogonalFeatureEmbedding(N, D, { stopBelowLoss: 1e-10 }, rng.fork("embedding"));
    const samplers = mine.map((i) => toy.sampler(i));
    const rngs = mine.map((i) => rng.fork(`data/${i}`));
    const p = initSaeLens(
      { instances: I, dIn: D, dSae: M },
      mine.map((i) => rng.fork(`init/${i}`)),
    );
    // x = features·E, drawn and embedded in one pass (what the sparse-but-wrong kind's
    // embedFeatures(sampleInto(…)) computes, bit for bit); one output buffer per data group, reused
    const xs = mine.map(() => new Float32Array(B * D));
    const sample = (g: number): Float32Array =>
      valueAt(samplers, g, "samplers").sampleEmbeddedInto(valueAt(rngs, g, "data streams"), B, embedding, D, valueAt(xs, g, "sample buffers"));
    const run = (n: number) =>
      trainSaeGrid(batchTopK, p, {
        ...saeLens611.settings,
        engine: "fused",
        options: { auxCoefficient: 1, thresholdLr: 0.01, decoderInitNorm: 0.1 },
        hyper: { k: new Float64Array(I).fill(toy.k) },
        steps: n,
        batch: B,
        lr: new Float64Array(I).fill(3e-4),
        beta1: new Float64Array(I).fill(0.9),
        group: Int32Array.from(mine, (_, k) => k),
        groups: I,
        sample,
        logEvery: n + 1,
      });
    run(5); // warm-up, as the peer does
    const t0 = performance.now();
    run(steps);
    return { instances: I, batch: B, steps, seconds: (performance.now() - t0) / 1000 };
  };
}

/** Small correlated toy: 11 correlations ρ ∈ {−.5 … .5} × 5 seeds, 5 features in 20-d, d_sae 5, k = 1.8. */
export const l0Small: Workload = correlatedBatchTopK({
  nFeatures: 5,
  dIn: 20,
  dSae: 5,
  k: 1.8,
  sampler: (i) =>
    correlatedFeatureSampler({
      firingProbabilities: constantProbabilities(5, 0.4),
      correlation: smallToyCorrelation(-0.5 + 0.1 * Math.floor(i / 5)),
      magnitudeMean: 1,
      magnitudeStd: 0.15,
    }),
});

/** Main correlated toy: 5 seeds, 50 features (p 0.388 → 0.05, random correlations) in 100-d, d_sae 50, k = 11. */
export const l0Main: Workload = correlatedBatchTopK({
  nFeatures: 50,
  dIn: 100,
  dSae: 50,
  k: 11,
  sampler: () =>
    correlatedFeatureSampler({
      firingProbabilities: sparseButWrongMainProbabilities(),
      correlation: randomCorrelationMatrix(50, {}, new Rng(0).fork("correlation")),
      magnitudeMean: 1,
      magnitudeStd: 0.15,
    }),
});

export const WORKLOADS: Record<string, { instances: number; run: Workload }> = {
  "composed-grid": { instances: 125, run: composedGrid },
  "l0-small": { instances: 55, run: l0Small },
  "l0-main": { instances: 5, run: l0Main },
};
