/**
 * train-model: the hedging paper's toy model (`toy_models/toy_model.py`, §2.1, the same family as
 * Sparse-but-Wrong's §1.1): x = features·E, row i of E the unit direction of true feature i in
 * `hidden` dimensions, made orthogonal by Adam on Σ_{i≠j}(e_i·e_j)² + N·Σ_i(‖e_i‖² − 1)². The
 * original always runs 1000 steps at lr .01; stopping below a loss tolerance (1e-10) returns the
 * exactly orthonormal embedding instead (Adam oscillates around the minimum afterwards).
 *   model.arrow   n_features, hidden, embedding [N·H], steps run, final loss, max |E·Eᵀ − I|;
 *   curves.arrow  the orthogonalisation loss per step.
 */
import { Rng } from "@toy-sae/core/random";
import { orthogonalFeatureEmbedding } from "@toy-sae/core/models/orthogonal-embedding";
import { readIntColumn } from "@toy-sae/core/artifact/arrow";
import type { StageContext } from "../../framework/context.ts";
import type { FeatureHedgingConfig } from "./config.ts";

/** Largest |e_i·e_j − δ_ij|: how far the embedding is from orthonormal. */
export function maxOrthogonalityError(e: ArrayLike<number>, n: number, h: number): number {
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

export async function run(ctx: StageContext<FeatureHedgingConfig>): Promise<void> {
  const { model, seed } = ctx.config;
  const N = readIntColumn(await ctx.read("generate", "spec.arrow"), "n_features")[0];
  const H = model.hidden;
  const curve: Array<{ step: number; loss: number }> = [];
  const embedding = orthogonalFeatureEmbedding(
    N,
    H,
    { steps: model.steps, lr: model.lr, stopBelowLoss: model.stopBelowLoss, onStep: (step, loss) => curve.push({ step, loss }) },
    new Rng(seed).fork("model"),
  );
  const error = maxOrthogonalityError(embedding, N, H);
  const configPart = { seed, model };
  const seeds = { experiment: seed, embedding: "fork(model)" };
  await ctx.write(
    "model.arrow",
    {
      n_features: Int32Array.from([N]),
      hidden: Int32Array.from([H]),
      embedding: { type: "fixedSizeList", size: N * H, values: embedding },
      steps_run: Int32Array.from([curve.length]),
      final_loss: Float64Array.from([curve.at(-1)?.loss ?? NaN]),
      max_orthogonality_error: Float64Array.from([error]),
    },
    { configPart, seeds, engine: "fused-cpu" },
  );
  await ctx.write("curves.arrow", { step: Int32Array.from(curve, (p) => p.step), loss: Float64Array.from(curve, (p) => p.loss) }, { configPart, seeds, engine: "fused-cpu" });
  ctx.log(`${N} features in ${H} dimensions, ${curve.length} Adam steps, max |e_i·e_j − δ_ij| = ${error.toExponential(2)}`);
}
