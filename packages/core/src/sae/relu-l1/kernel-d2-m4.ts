// biome-ignore-all format: hand-unrolled numeric loops keep several declarations per line (one per unrolled lane)
/**
 * The ReLU/L1 kernel specialised to d_in 2, d_sae 4: the whole composed-feature grid.
 *
 * At this size the readable kernel (`reluL1Instance` in ./kernel.ts) spends its time on loop
 * control and scratch-array traffic, not arithmetic (about 60 flops per sample). Here every
 * parameter and every gradient accumulator is a local, the loops over d_in and d_sae are
 * unrolled, and nothing is stored per sample. The arithmetic is the reference's, operation
 * for operation and in the same order (so results are bit-identical; the tests check it):
 *
 *   h_j  = (b_enc,j + x_0·W_enc,0j) + x_1·W_enc,1j,   a_j = max(h_j, 0)
 *   l1   = (((0 + λc_0·a_0) + λc_1·a_1) + λc_2·a_2) + λc_3·a_3
 *   r_k  = ((((b_dec,k + a_0·W_dec,0k) + a_1·W_dec,1k) + a_2·W_dec,2k) + a_3·W_dec,3k) − x_k
 *   ∂x̂_k = ((2·r_k)·(1/B))·(1/‖x‖²)
 *   and, for each a_j ≠ 0, ∂a_j = (λc_j/B + W_dec,j0·∂x̂_0) + W_dec,j1·∂x̂_1.
 *
 * Ghost grads need the exp pass over dead latents: an instance with any dead latent (and ghost
 * grads on) runs the readable kernel instead, so only the common case is specialised.
 */
import type { GridBatch, SaeParams, StepOutput } from "../types.ts";
import { emptyStepOutput } from "../types.ts";
import { FIRE_THRESHOLD, inverseSquaredNorms, reluL1Instance, type ReluL1Hyper, type ReluL1State } from "./kernel.ts";

export function reluL1LossAndGradsD2M4(p: SaeParams, hyper: ReluL1Hyper, state: ReluL1State, batch: GridBatch, grads: SaeParams): StepOutput {
  if (p.dIn !== 2 || p.dSae !== 4) throw new Error(`reluL1LossAndGradsD2M4: shape d_in ${p.dIn}, d_sae ${p.dSae} is not 2 × 4`);
  const out = emptyStepOutput(p);
  let invNorm2: Float64Array[] | null = null; // only the readable kernel reads them from an array
  for (let i = 0; i < p.instances; i++) {
    const m = i * 4;
    const ghosts = state.ghostGrads && (state.dead[m] | state.dead[m + 1] | state.dead[m + 2] | state.dead[m + 3]) !== 0;
    if (ghosts) {
      invNorm2 ??= inverseSquaredNorms(batch, 2);
      reluL1Instance(p, i, hyper, state, batch, invNorm2, grads, out);
    } else instanceD2M4(p, i, hyper.l1[i], state.l1Scale, batch, grads, out);
  }
  return out;
}

function instanceD2M4(
  p: SaeParams,
  i: number,
  lambda: number,
  l1Scale: Float32Array,
  batch: GridBatch,
  grads: SaeParams,
  out: StepOutput,
): void {
  const B = batch.batch;
  const invB = 1 / B;
  const x = batch.x[batch.group[i]];
  const w8 = i * 8;
  const m4 = i * 4;
  const d2 = i * 2;
  // W_enc [2, 4]: weKJ = W_enc[k, j]; W_dec [4, 2]: wdJK = W_dec[j, k]
  const we00 = p.wEnc[w8], we01 = p.wEnc[w8 + 1], we02 = p.wEnc[w8 + 2], we03 = p.wEnc[w8 + 3];
  const we10 = p.wEnc[w8 + 4], we11 = p.wEnc[w8 + 5], we12 = p.wEnc[w8 + 6], we13 = p.wEnc[w8 + 7];
  const wd00 = p.wDec[w8], wd01 = p.wDec[w8 + 1], wd10 = p.wDec[w8 + 2], wd11 = p.wDec[w8 + 3];
  const wd20 = p.wDec[w8 + 4], wd21 = p.wDec[w8 + 5], wd30 = p.wDec[w8 + 6], wd31 = p.wDec[w8 + 7];
  const be0 = p.bEnc[m4], be1 = p.bEnc[m4 + 1], be2 = p.bEnc[m4 + 2], be3 = p.bEnc[m4 + 3];
  const bd0 = p.bDec[d2], bd1 = p.bDec[d2 + 1];
  // λ·c_j (the reference's l1w), and its gradient through the mean, λ·c_j/B
  const l1w0 = lambda * l1Scale[m4], l1w1 = lambda * l1Scale[m4 + 1], l1w2 = lambda * l1Scale[m4 + 2], l1w3 = lambda * l1Scale[m4 + 3];
  const l1d0 = l1w0 * invB, l1d1 = l1w1 * invB, l1d2 = l1w2 * invB, l1d3 = l1w3 * invB;

  let gWe00 = 0, gWe01 = 0, gWe02 = 0, gWe03 = 0, gWe10 = 0, gWe11 = 0, gWe12 = 0, gWe13 = 0;
  let gWd00 = 0, gWd01 = 0, gWd10 = 0, gWd11 = 0, gWd20 = 0, gWd21 = 0, gWd30 = 0, gWd31 = 0;
  let gBe0 = 0, gBe1 = 0, gBe2 = 0, gBe3 = 0, gBd0 = 0, gBd1 = 0;
  let sumFvu = 0, sumL1 = 0, nonZero = 0, fired = 0;

  for (let s = 0; s < B; s++) {
    const x0 = x[2 * s], x1 = x[2 * s + 1];
    // 1/‖x‖² as inverseSquaredNorms computes it (‖x‖ = 0 → 1), here rather than read from an
    // array it filled in a pass of its own
    const n2 = x0 * x0 + x1 * x1;
    const invN2 = 1 / (n2 === 0 ? 1 : n2);
    const h0 = be0 + x0 * we00 + x1 * we10;
    const h1 = be1 + x0 * we01 + x1 * we11;
    const h2 = be2 + x0 * we02 + x1 * we12;
    const h3 = be3 + x0 * we03 + x1 * we13;
    const a0 = h0 > 0 ? h0 : 0;
    const a1 = h1 > 0 ? h1 : 0;
    const a2 = h2 > 0 ? h2 : 0;
    const a3 = h3 > 0 ? h3 : 0;
    let l1 = 0;
    l1 += l1w0 * a0;
    l1 += l1w1 * a1;
    l1 += l1w2 * a2;
    l1 += l1w3 * a3;
    const r0 = bd0 + a0 * wd00 + a1 * wd10 + a2 * wd20 + a3 * wd30 - x0;
    const r1 = bd1 + a0 * wd01 + a1 * wd11 + a2 * wd21 + a3 * wd31 - x1;
    let err = 0;
    err += r0 * r0;
    err += r1 * r1;
    const dx0 = 2 * r0 * invB * invN2;
    const dx1 = 2 * r1 * invB * invN2;
    sumFvu += err * invN2;
    sumL1 += l1;
    gBd0 += dx0;
    gBd1 += dx1;
    if (a0 !== 0) {
      nonZero++;
      if (a0 > FIRE_THRESHOLD) fired |= 1;
      gWd00 += a0 * dx0;
      gWd01 += a0 * dx1;
      const da = l1d0 + wd00 * dx0 + wd01 * dx1;
      gBe0 += da;
      gWe00 += x0 * da;
      gWe10 += x1 * da;
    }
    if (a1 !== 0) {
      nonZero++;
      if (a1 > FIRE_THRESHOLD) fired |= 2;
      gWd10 += a1 * dx0;
      gWd11 += a1 * dx1;
      const da = l1d1 + wd10 * dx0 + wd11 * dx1;
      gBe1 += da;
      gWe01 += x0 * da;
      gWe11 += x1 * da;
    }
    if (a2 !== 0) {
      nonZero++;
      if (a2 > FIRE_THRESHOLD) fired |= 4;
      gWd20 += a2 * dx0;
      gWd21 += a2 * dx1;
      const da = l1d2 + wd20 * dx0 + wd21 * dx1;
      gBe2 += da;
      gWe02 += x0 * da;
      gWe12 += x1 * da;
    }
    if (a3 !== 0) {
      nonZero++;
      if (a3 > FIRE_THRESHOLD) fired |= 8;
      gWd30 += a3 * dx0;
      gWd31 += a3 * dx1;
      const da = l1d3 + wd30 * dx0 + wd31 * dx1;
      gBe3 += da;
      gWe03 += x0 * da;
      gWe13 += x1 * da;
    }
  }

  const gWe = grads.wEnc, gWd = grads.wDec;
  gWe[w8] = gWe00; gWe[w8 + 1] = gWe01; gWe[w8 + 2] = gWe02; gWe[w8 + 3] = gWe03;
  gWe[w8 + 4] = gWe10; gWe[w8 + 5] = gWe11; gWe[w8 + 6] = gWe12; gWe[w8 + 7] = gWe13;
  gWd[w8] = gWd00; gWd[w8 + 1] = gWd01; gWd[w8 + 2] = gWd10; gWd[w8 + 3] = gWd11;
  gWd[w8 + 4] = gWd20; gWd[w8 + 5] = gWd21; gWd[w8 + 6] = gWd30; gWd[w8 + 7] = gWd31;
  grads.bEnc[m4] = gBe0; grads.bEnc[m4 + 1] = gBe1; grads.bEnc[m4 + 2] = gBe2; grads.bEnc[m4 + 3] = gBe3;
  grads.bDec[d2] = gBd0; grads.bDec[d2 + 1] = gBd1;
  for (let j = 0; j < 4; j++) if (fired & (1 << j)) out.fired[m4 + j] = 1;
  out.reconstruction[i] = sumFvu * invB;
  out.sparsity[i] = sumL1 * invB;
  out.auxiliary[i] = 0;
  out.loss[i] = (sumFvu + sumL1 + 0) * invB;
  out.l0[i] = nonZero * invB;
}
