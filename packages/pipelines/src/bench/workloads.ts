/**
 * Benchmark workloads, the same shapes and per-step work as ../shared/bench/torch_peer.py:
 * every step draws a fresh batch per instance, runs forward + backward, and takes an Adam step.
 * Run in worker threads (instances split between them), as the pipelines run.
 */
import { Rng } from "@toy-sae/core/random";
import { initReluL1 } from "@toy-sae/core/sae/relu-l1";
import { trainComposedSaeGrid } from "@toy-sae/core/train/train-composed-sae";
import { composedFeatureSampler } from "@toy-sae/generators/composed";

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
  const p = initReluL1({ instances: I, dIn: 2, dSae: 4 }, mine.map((i) => rng.fork(`init/${i}`)));
  const lrAll = Array.from({ length: total }, (_, i) => 3e-5 * 100 ** (Math.floor(i / 25) / 4));
  const l1All = Array.from({ length: total }, (_, i) => 1e-2 * 100 ** ((Math.floor(i / 5) % 5) / 4));
  const h = new Float32Array(B * 2);
  const sample = (g: number) => {
    const x = sampler.sample(rngs[g], B);
    h.fill(0);
    for (let s = 0; s < B; s++) for (let f = 0; f < 4; f++) {
      const v = x[s * 4 + f];
      if (v !== 0) {
        h[s * 2] += v * W[f * 2];
        h[s * 2 + 1] += v * W[f * 2 + 1];
      }
    }
    return h.slice();
  };
  const run = (n: number) =>
    trainComposedSaeGrid(p, {
      steps: n,
      batch: B,
      lr: Float64Array.from(mine, (i) => lrAll[i]),
      l1: Float64Array.from(mine, (i) => l1All[i]),
      beta1: new Float64Array(I),
      warmupFrac: 0,
      cooldownFrac: 0,
      ghostGrads: false,
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

export const WORKLOADS: Record<string, { instances: number; run: Workload }> = {
  "composed-grid": { instances: 125, run: composedGrid },
};
