/**
 * train-model: the fixed linear toy model of every variant, x = features·E with unit rows
 * E_i = true feature i (`toy_model.py`). "orthogonal" runs Adam on the orthogonality loss
 * until it is below `stopBelowLoss` (orthonormal for N ≤ H); "superposition" stops after 4
 * steps, leaving nearly random unit vectors.
 */
import { Rng } from "@toy-sae/core/random";
import { orthogonalFeatureEmbedding } from "@toy-sae/core/models/orthogonal-embedding";
import type { StageContext } from "../../framework/context.ts";
import type { SparseButWrongConfig } from "./config.ts";

/** Largest |e_i·e_j − δ_ij|: how far the embedding is from orthonormal. */
function maxOrthogonalityError(e: Float32Array, n: number, h: number): number {
  let worst = 0;
  for (let i = 0; i < n; i++) {
    for (let j = i; j < n; j++) {
      let dot = 0;
      for (let k = 0; k < h; k++) dot += e[i * h + k] * e[j * h + k];
      worst = Math.max(worst, Math.abs(dot - (i === j ? 1 : 0)));
    }
  }
  return worst;
}

export async function run(ctx: StageContext<SparseButWrongConfig>): Promise<void> {
  const { model, seed } = ctx.config;
  const spec = await ctx.read("generate", "spec.arrow");
  const N = Number(spec.column("n_features").get(0));
  const H = Number(spec.column("hidden").get(0));
  const root = new Rng(seed);
  const V = model.variants.length;
  const embeddings = new Float32Array(V * N * H);
  const curve: Array<{ model: string; step: number; loss: number }> = [];
  const stepsRun: number[] = [];
  model.variants.forEach((v, m) => {
    let last = -1;
    const e = orthogonalFeatureEmbedding(
      N,
      H,
      {
        steps: v.steps,
        lr: v.lr,
        stopBelowLoss: v.stopBelowLoss,
        onStep: (step, loss) => {
          last = step;
          curve.push({ model: v.name, step, loss });
        },
      },
      root.fork(`model/${v.name}`),
    );
    embeddings.set(e, m * N * H);
    stepsRun.push(last + 1);
  });
  const errors = model.variants.map((_, m) => maxOrthogonalityError(embeddings.subarray(m * N * H, (m + 1) * N * H), N, H));
  const configPart = { seed, model };
  const seeds = { experiment: seed, embedding: model.variants.map((v) => `fork(model/${v.name})`) };
  await ctx.write(
    "model.arrow",
    {
      model: model.variants.map((v) => v.name),
      n_features: Int32Array.from({ length: V }, () => N),
      hidden: Int32Array.from({ length: V }, () => H),
      embedding: { type: "fixedSizeList", size: N * H, values: embeddings },
      steps_run: Int32Array.from(stepsRun),
      final_loss: Float64Array.from(model.variants, (v) => curve.filter((p) => p.model === v.name).at(-1)?.loss ?? NaN),
      max_orthogonality_error: Float64Array.from(errors),
    },
    { configPart, seeds, engine: "fused-cpu" },
  );
  await ctx.write(
    "curves.arrow",
    { model: curve.map((p) => p.model), step: Int32Array.from(curve, (p) => p.step), loss: Float64Array.from(curve, (p) => p.loss) },
    { configPart, seeds, engine: "fused-cpu" },
  );
  for (const [m, v] of model.variants.entries())
    ctx.log(`${v.name}: ${N} features in ${H} dimensions, ${stepsRun[m]} Adam steps, max |e_i·e_j − δ_ij| = ${errors[m].toExponential(2)}`);
}
