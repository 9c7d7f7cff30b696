/**
 * Training chunks of the sparse-but-wrong plan with the framework's chunk trainer: how the SAEs
 * are split between threads does not change any SAE, ground-truth SAEs start exactly at the
 * features, and SAEs planned with 0 steps come back as initialised.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { Rng } from "@toy-sae/core/random";
import { orthogonalFeatureEmbedding } from "@toy-sae/core/models/orthogonal-embedding";
import { loadArchitecture, resolveArchitectureOptions } from "@toy-sae/core/sae/load";
import { smallToyCorrelation } from "@toy-sae/generators/correlated";
import { readJsonFile, registered, resolveProfile } from "../src/framework/experiment-config.ts";
import type { PlannedSae, TrainSaesModule } from "../src/framework/kind.ts";
import { trainChunk, type ChunkJob } from "../src/framework/train-chunk.ts";
import { kind } from "../src/kinds/sparse-but-wrong/kind.ts";
import { conditionName, type SparseButWrongConfig } from "../src/kinds/sparse-but-wrong/config.ts";
import * as trainSaesModule from "../src/kinds/sparse-but-wrong/train-saes.ts";
import { planSaes, type Shared } from "../src/kinds/sparse-but-wrong/train-saes.ts";
import { REPO } from "./workspace.ts";

const FILE = `${REPO}/packages/pipelines/experiments/toy-l0-small.json`;
const N = 5;
const H = 20;
const embedding = orthogonalFeatureEmbedding(N, H, { stopBelowLoss: 1e-10 }, new Rng(3));
let config: SparseButWrongConfig;
let options: Record<string, never>;

beforeAll(async () => {
  config = resolveProfile<SparseButWrongConfig>(FILE, readJsonFile(FILE), kind, "smoke", await registered());
  options = resolveArchitectureOptions<Record<string, never>>(await loadArchitecture("batchtopk"), {}, "options").options;
});

const module = trainSaesModule as TrainSaesModule<unknown>;

function job(saes: PlannedSae[]): ChunkJob {
  const rhos = config.data.correlation.rho ?? [];
  const shared: Shared = {
    nFeatures: N,
    dIn: H,
    conditions: Object.fromEntries(
      rhos.map((rho) => [conditionName(rho), { firingProbabilities: new Float64Array(N).fill(0.4), correlation: smallToyCorrelation(rho), magnitudeStd: 0.15 }]),
    ),
    embeddings: { orthogonal: embedding, superposition: embedding },
  };
  return { kind: "sparse-but-wrong", seed: 0, engine: "fused", backend: "cpu", options, saes: saes.map((s) => ({ ...s, batch: 256 })), shared };
}

describe("sparse-but-wrong training chunks", () => {
  // the smoke profile's k-sweep and ρ sweep: 8 + 6 ground-truth-initialised BatchTopK SAEs on 3 data conditions
  const planned = (steps: number) => planSaes(config, steps, H).filter((s) => s.key.run === "k-sweep" || s.key.run === "rho-sweep");

  it("give the same SAEs whether the instances are trained together or split in two", async () => {
    const all = planned(20);
    const whole = await trainChunk(job(all), module);
    const cut = 5;
    const a = await trainChunk(job(all.slice(0, cut)), module);
    const b = await trainChunk(job(all.slice(cut)), module);
    const size = 5 * H;
    expect(Array.from(whole.params.wDec.subarray(0, cut * size))).toEqual(Array.from(a.params.wDec));
    expect(Array.from(whole.params.wDec.subarray(cut * size))).toEqual(Array.from(b.params.wDec));
    expect(Array.from(whole.params.bDec.subarray(cut * H))).toEqual(Array.from(b.params.bDec));
  });

  it("start ground-truth SAEs at the features: W_dec = E, W_enc = Eᵀ, biases 0", async () => {
    const untrained = await trainChunk(job(planned(0).slice(0, 2)), module);
    for (let i = 0; i < 2; i++) {
      const dec = untrained.params.wDec.subarray(i * 5 * H, (i + 1) * 5 * H);
      expect(Array.from(dec)).toEqual(Array.from(embedding));
      for (let j = 0; j < 5; j++) for (let k = 0; k < H; k++) expect(untrained.params.wEnc[i * H * 5 + k * 5 + j]).toBe(embedding[j * H + k]);
    }
    expect(untrained.params.bDec.every((v) => v === 0)).toBe(true);
    expect(Array.from(untrained.finalHyper.k)).toEqual(
      planned(0)
        .slice(0, 2)
        .map((s) => s.hyper.k),
    );
  });
});
