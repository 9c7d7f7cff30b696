/**
 * The feature-hedging paper's `MatryoshkaSAE` on the SAELens 5.10.2 standard (ReLU) SAE
 * (chanind/feature-hedging-paper `saes/matryoshka_sae.py`; reference §2.4), fused.
 *
 * With a = ReLU(h) of the full SAE, widths s_0 < s_1 < … (levels.ts), s_{−1} = 0, λ per
 * instance and w_j = ‖W_dec,j‖ under `scaleSparsityByDecoderNorm` (else 1):
 *
 *   x̂_i = Σ_{j<s_i} a_j·W_dec,j + b_dec
 *         (delta loss: x̂_i = stopgrad(x̂_{i−1} − b_dec) + Σ_{s_{i−1}≤j<s_i} a_j·W_dec,j + b_dec)
 *   R_i = m_i·mean_b ‖x̂_i − x‖² [/ d_in]         always squared; skipped when m_i = 0
 *   L1_i = λ·ℓ_i·m_i·mean_b Σ_{start_i≤j<s_i} a_j·w_j   if inner L1 is on, ℓ_i > 0 and m_i ≠ 0
 *         start_i = 0, or under delta loss the width of the last level NOT skipped (the
 *         original only advances its `prev_portion` after a level it did not skip)
 *   B    = mean_b ‖b_dec − x‖² [/ d_in]           with `includeBDecLoss`
 *   O    = M·(rec_full [/ d_in] + max(λ, λ_min)·mean_b Σ_j a_j·w_j)   unless `skipOuterLoss`
 *         rec_full = mean_b ‖x̂ − x‖² ("MSE") or mean_b ‖x̂ − x‖ ("L2")
 *   loss = (Σ R_i + Σ L1_i + B + O) / denominator
 *
 * The inner L1 uses the decoder norm only when scaling AND inner L1 are on; since inner L1
 * terms exist only when inner L1 is on, one weight w_j serves both. λ_min is SAELens'
 * `min_l1_during_warm_up`, which floors only the outer L1 (the inner terms use the current
 * coefficient, as the original).
 *
 * Backward: every reconstruction term t (inner levels, outer) has a value error e_t at its
 * width and a range of latents it trains — [0, s_i) without delta loss, [s_{i−1}, s_i) with
 * it, [0, d_sae) for the outer term. The ranges start and end on widths, so between two
 * consecutive boundaries (0, the widths, d_sae) every latent sees the same sum U of the
 * terms' δ_t = ∂L/∂x̂_t. Per sample, one pass over the latents builds the partial
 * reconstructions (evaluating the terms at their widths), a second pass applies
 *   ∂L/∂a_j = W_dec,j·U_block(j) + κ_j·w_j/B,   ∂L/∂W_dec,j += a_j·U_block(j)
 * where κ_j sums the L1 coefficients of the terms whose L1 range holds j; b_dec gets every
 * δ_t (and the b_dec term's gradient).
 */
import { encoderPreActivations, instanceWeights, loadInstance, scratchF64 } from "../shared/saelens-base.ts";
import { centreIfApplied, decoderRowNorms, finishInstanceGrads, instanceGrads } from "../standard/kernel.ts";
import { emptyStepOutput, type GridBatch, type SaeParams, type StepOutput } from "../types.ts";
import { resolveMatryoshkaLevels, type MatryoshkaOptions } from "./levels.ts";

export interface MatryoshkaHyper {
  /** λ per instance (SAELens' `current_l1_coefficient`). */
  l1: Float64Array;
  /** SAELens `min_l1_during_warm_up`: the outer L1 uses max(λ, this). Default 0. */
  minL1DuringWarmUp?: number;
  options: MatryoshkaOptions;
}

/** A reconstruction term of the loss, evaluated at `width`, training latents [gradStart, width). */
interface ReconTerm {
  width: number;
  gradStart: number;
  /** Multiplier of ‖e‖² (or of ‖e‖ when not squared), the 1/d_in and 1/denominator included. */
  coeff: number;
  squared: boolean;
}

/** An L1 term: coeff·λ_term·mean_b Σ_{start≤j<end} a_j·w_j, 1/denominator included. */
interface L1Term {
  start: number;
  end: number;
  /** Multiplier of λ (inner terms) or of max(λ, λ_min) (outer term). */
  coeff: number;
  outer: boolean;
}

export interface MatryoshkaLossPlan {
  recon: ReconTerm[];
  l1: L1Term[];
  /** Coefficient of mean_b ‖b_dec − x‖² (0 without the b_dec term). */
  bDecCoeff: number;
  /** Block boundaries: 0, every width, d_sae (sorted, unique). */
  boundaries: number[];
}

/** The loss as a list of terms (see the header), from the options. */
export function matryoshkaLossPlan(options: MatryoshkaOptions, dIn: number, dSae: number): MatryoshkaLossPlan {
  const { widths, lossMultipliers, l1Multipliers, denominator } = resolveMatryoshkaLevels(options, dSae);
  const reconScale = (options.normaliseReconstructionByDIn ? 1 / dIn : 1) / denominator;
  const recon: ReconTerm[] = [];
  const l1: L1Term[] = [];
  let lastKept = 0; // the original's loop `prev_portion`: advanced only after a level that was not skipped
  widths.forEach((width, i) => {
    const m = lossMultipliers[i];
    if (m === 0) return;
    recon.push({ width, gradStart: options.useDeltaLoss && i > 0 ? widths[i - 1] : 0, coeff: m * reconScale, squared: true });
    if (options.includeInnerL1 && l1Multipliers[i] > 0) {
      l1.push({ start: options.useDeltaLoss ? lastKept : 0, end: width, coeff: (l1Multipliers[i] * m) / denominator, outer: false });
    }
    lastKept = width;
  });
  if (!options.skipOuterLoss) {
    const M = options.outerLossMultiplier;
    recon.push({ width: dSae, gradStart: 0, coeff: M * reconScale, squared: options.reconstructionLoss === "MSE" });
    l1.push({ start: 0, end: dSae, coeff: M / denominator, outer: true });
  }
  return {
    recon,
    l1,
    bDecCoeff: options.includeBDecLoss ? reconScale : 0,
    boundaries: [...new Set([0, ...widths, dSae])].sort((a, b) => a - b),
  };
}

/**
 * Fused forward + backward of every instance; `grads` are overwritten. `reconstruction` is
 * Σ R_i + B + the outer reconstruction, `sparsity` the inner and outer L1 terms (all after
 * the multipliers and normalisations).
 */
export function matryoshkaLossAndGrads(p: SaeParams, hyper: MatryoshkaHyper, batch: GridBatch, grads: SaeParams): StepOutput {
  const { instances: I, dIn: D, dSae: M } = p;
  const B = batch.batch;
  const { options } = hyper;
  const plan = matryoshkaLossPlan(options, D, M);
  const { recon, l1: l1Terms, boundaries } = plan;
  const nTerms = recon.length;
  const nBlocks = boundaries.length - 1;
  // covers[b·nTerms + t]: term t trains the latents of block b
  const covers = new Uint8Array(nBlocks * nTerms);
  for (let b = 0; b < nBlocks; b++) {
    for (let t = 0; t < nTerms; t++) covers[b * nTerms + t] = recon[t].gradStart <= boundaries[b] && boundaries[b + 1] <= recon[t].width ? 1 : 0;
  }
  const out = emptyStepOutput(p);
  const w = instanceWeights("matryoshka", D, M);
  const { wEncT, bEnc, wDec, bDec } = w;
  const xc = scratchF64("matryoshka.xc", B * D);
  const pre = scratchF64("matryoshka.pre", B * M);
  const partial = scratchF64("matryoshka.partial", D); // Σ_{j<width} a_j·W_dec,j + b_dec − x
  const delta = scratchF64("matryoshka.delta", nTerms * D); // δ_t of the current sample
  const upstream = scratchF64("matryoshka.upstream", D); // U of the current block
  const norm = scratchF64("matryoshka.norm", M);
  const l1Weight = scratchF64("matryoshka.l1Weight", M);
  const kappa = scratchF64("matryoshka.kappa", M); // Σ of the L1 coefficients covering latent j (λ included)
  const actSum = scratchF64("matryoshka.actSum", M);
  const invB = 1 / B;

  for (let i = 0; i < I; i++) {
    loadInstance(p, i, w);
    const g = instanceGrads("matryoshka", D, M);
    const lambda = hyper.l1[i];
    const lambdaOuter = Math.max(lambda, hyper.minL1DuringWarmUp ?? 0);
    decoderRowNorms(wDec, M, D, norm);
    for (let j = 0; j < M; j++) {
      l1Weight[j] = options.scaleSparsityByDecoderNorm ? norm[j] : 1;
      kappa[j] = 0;
      actSum[j] = 0;
    }
    for (const term of l1Terms) {
      const c = term.coeff * (term.outer ? lambdaOuter : lambda);
      for (let j = term.start; j < term.end; j++) kappa[j] += c;
    }
    const x = batch.x[batch.group[i]];
    centreIfApplied(x, B, D, bDec, options.applyBDecToInput, xc);
    encoderPreActivations(xc, B, D, M, wEncT, bEnc, pre);
    let sumRec = 0;
    let sumL1 = 0;
    for (let s = 0; s < B; s++) {
      const xo = s * D;
      const row = s * M;
      for (let k = 0; k < D; k++) partial[k] = bDec[k] - x[xo + k];
      if (plan.bDecCoeff !== 0) {
        let r2 = 0;
        for (let k = 0; k < D; k++) r2 += partial[k] * partial[k];
        sumRec += plan.bDecCoeff * r2;
        for (let k = 0; k < D; k++) g.gBDec[k] += 2 * plan.bDecCoeff * invB * partial[k];
      }
      // forward, block by block: after block b the partial error is the one at width boundaries[b + 1]
      for (let b = 0; b < nBlocks; b++) {
        const end = boundaries[b + 1];
        for (let j = boundaries[b]; j < end; j++) {
          const a = pre[row + j];
          if (!(a > 0)) continue;
          out.fired[i * M + j] = 1;
          actSum[j] += a;
          sumL1 += kappa[j] * l1Weight[j] * a;
          const wj = j * D;
          for (let k = 0; k < D; k++) partial[k] += a * wDec[wj + k];
        }
        for (let t = 0; t < nTerms; t++) {
          if (recon[t].width !== end) continue;
          let r2 = 0;
          for (let k = 0; k < D; k++) r2 += partial[k] * partial[k];
          let f: number; // δ_t = f·e
          if (recon[t].squared) {
            sumRec += recon[t].coeff * r2;
            f = 2 * recon[t].coeff * invB;
          } else {
            const r = Math.sqrt(r2);
            sumRec += recon[t].coeff * r;
            f = r > 0 ? (recon[t].coeff * invB) / r : 0;
          }
          const dt = t * D;
          for (let k = 0; k < D; k++) {
            delta[dt + k] = f * partial[k];
            g.gBDec[k] += delta[dt + k];
          }
        }
      }
      // backward, block by block, with U = Σ of the δ_t of the terms that train the block
      for (let b = 0; b < nBlocks; b++) {
        upstream.fill(0, 0, D);
        for (let t = 0; t < nTerms; t++) {
          if (!covers[b * nTerms + t]) continue;
          for (let k = 0; k < D; k++) upstream[k] += delta[t * D + k];
        }
        const end = boundaries[b + 1];
        for (let j = boundaries[b]; j < end; j++) {
          const a = pre[row + j];
          if (!(a > 0)) continue;
          const wj = j * D;
          let dA = kappa[j] * l1Weight[j] * invB;
          for (let k = 0; k < D; k++) {
            dA += wDec[wj + k] * upstream[k];
            g.gWDec[wj + k] += a * upstream[k];
          }
          g.gBEnc[j] += dA;
          for (let k = 0; k < D; k++) g.gWEncT[wj + k] += dA * xc[xo + k];
        }
      }
    }
    if (options.scaleSparsityByDecoderNorm) {
      // the L1 weight's norm: ∂(Σ_s κ_j·a_sj·‖W_dec,j‖/B)/∂W_dec,j
      for (let j = 0; j < M; j++) {
        if (actSum[j] === 0 || kappa[j] === 0 || norm[j] === 0) continue;
        const f = (kappa[j] * actSum[j] * invB) / norm[j];
        for (let k = 0; k < D; k++) g.gWDec[j * D + k] += f * wDec[j * D + k];
      }
    }
    finishInstanceGrads(g, wEncT, options.applyBDecToInput, grads, i);
    out.reconstruction[i] = sumRec * invB;
    out.sparsity[i] = sumL1 * invB;
    out.loss[i] = out.reconstruction[i] + out.sparsity[i];
  }
  return out;
}
