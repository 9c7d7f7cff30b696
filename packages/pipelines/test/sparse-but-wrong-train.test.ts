/**
 * The sparse-but-wrong training chunks: how the instances are split between threads does not
 * change any SAE, ground-truth SAEs start exactly at the features, and the untrained family
 * (steps = 0) is returned as initialised.
 */
import { describe, expect, it } from "vitest";
import { Rng } from "@toy-sae/core/random";
import { orthogonalFeatureEmbedding } from "@toy-sae/core/models/orthogonal-embedding";
import { smallToyCorrelation } from "@toy-sae/generators/correlated";
import { readJsonFile, resolveProfile } from "../src/config/experiment.ts";
import { conditionName, sbwInstances, schema, type SparseButWrongConfig } from "../src/sparse-but-wrong/config.ts";
import { trainChunk, type ChunkJob } from "../src/sparse-but-wrong/train-grid.ts";
import { REPO } from "./workspace.ts";

const FILE = `${REPO}/packages/pipelines/experiments/toy-l0-small.json`;
const config = resolveProfile<SparseButWrongConfig>(FILE, readJsonFile(FILE), schema, "smoke");
const N = 5;
const H = 20;
const embedding = orthogonalFeatureEmbedding(N, H, { stopBelowLoss: 1e-10 }, new Rng(3));

function job(instances: ReturnType<typeof sbwInstances>, steps: number): ChunkJob {
  const rhos = config.data.correlation.rho ?? [];
  return {
    seed: 0,
    dIn: H,
    dSae: 5,
    nFeatures: N,
    batch: 256,
    steps,
    deadWindow: 1000,
    normEstimateBatches: 10,
    engine: "fused",
    instances,
    conditions: Object.fromEntries(
      rhos.map((rho) => [conditionName(rho), { firingProbabilities: new Float64Array(N).fill(0.4), correlation: smallToyCorrelation(rho), magnitudeStd: 0.15 }]),
    ),
    embeddings: { orthogonal: embedding, superposition: embedding },
  };
}

describe("sparse-but-wrong training chunks", () => {
  // the smoke profile's k-sweep and ρ sweep: 8 + 6 ground-truth-initialised BatchTopK SAEs on 3 data conditions
  const instances = sbwInstances(config).filter((g) => g.run === "k-sweep" || g.run === "rho-sweep");

  it("give the same SAEs whether the instances are trained together or split in two", () => {
    const whole = trainChunk(job(instances, 20));
    const cut = 5;
    const a = trainChunk(job(instances.slice(0, cut), 20));
    const b = trainChunk(job(instances.slice(cut), 20));
    const size = 5 * H;
    expect(Array.from(whole.params.wDec.subarray(0, cut * size))).toEqual(Array.from(a.params.wDec));
    expect(Array.from(whole.params.wDec.subarray(cut * size))).toEqual(Array.from(b.params.wDec));
    expect(Array.from(whole.params.bDec.subarray(cut * H))).toEqual(Array.from(b.params.bDec));
  });

  it("start ground-truth SAEs at the features: W_dec = E, W_enc = Eᵀ, biases 0", () => {
    const untrained = trainChunk(job(instances.slice(0, 2), 0));
    for (let i = 0; i < 2; i++) {
      const dec = untrained.params.wDec.subarray(i * 5 * H, (i + 1) * 5 * H);
      expect(Array.from(dec)).toEqual(Array.from(embedding));
      for (let j = 0; j < 5; j++) for (let k = 0; k < H; k++) expect(untrained.params.wEnc[i * H * 5 + k * 5 + j]).toBe(embedding[j * H + k]);
    }
    expect(untrained.params.bDec.every((v) => v === 0)).toBe(true);
    expect(Array.from(untrained.finalK)).toEqual(instances.slice(0, 2).map((g) => g.k));
  });
});
