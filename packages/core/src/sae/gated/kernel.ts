// biome-ignore-all format: hand-unrolled numeric loops keep several declarations per line (one per unrolled lane)
/**
 * ARENA's toy Gated SAE (`GatedToySAE`, chapter 1.3.1; reference arena-toy-models.md §2,
 * after Rajamanoharan et al. 2024), fused forward + backward. Per instance and sample h,
 * with h_c = h − b_dec:
 *
 *   π_gate = h_c·W_gate + b_gate,            W_mag = exp(r_mag) ⊙ W_gate (per latent column)
 *   acts   = 1[π_gate > 0] · ReLU(h_c·W_mag + b_mag)
 *   ĥ      = acts·W_dec + b_dec               (W_dec raw: only the plain ToySAE normalises in the forward)
 *   L_rec      = mean over dIn of (ĥ − h)²
 *   L_sparsity = Σ_j ReLU(π_gate,j)·‖W_dec,j‖   (untied; tied: Σ_j ReLU(π_gate,j))
 *   L_aux      = Σ over dIn of (ReLU(π_gate)·sg(W_dec) + sg(b_dec) − h)²   (sg: detached)
 *   loss_i = mean over the batch of L_rec + coeff_i·L_sparsity + L_aux
 *
 * Storage: W_gate and b_gate use SaeParams' wEnc and bEnc slots; r_mag and b_mag [I, dSae]
 * are passed explicitly with their own gradient buffers. Tied: W_dec = W_gateᵀ.
 * The indicator 1[π_gate > 0] has no gradient (as torch's `.float()` of a comparison):
 * the gate learns only through L_sparsity and L_aux. The demo uses coeff 1.0.
 */
import { emptySaeParams, type GridBatch, type SaeParams, type SaeShape } from "../types.ts";
import { ARENA_ACTIVE_THRESHOLD } from "../arena-relu/init.ts";
import { arenaInstanceWeights, loadArenaInstance, rowNorms, storeArenaGrads, zeroArenaGrads } from "../arena-relu/instance-weights.ts";
import { emptyArenaSaeStepOutput, storeActivity, type ArenaSaeStepOutput } from "../arena-relu/output.ts";

/** The gate/magnitude parameters beyond SaeParams, each [I, dSae]. */
export interface GatedExtras {
  rMag: Float32Array;
  bMag: Float32Array;
}

export interface GatedHyper {
  sparsityCoeff: Float64Array;
  tied: boolean;
  /** Multiply ReLU(π_gate) by the decoder row norms in L_sparsity. Default: !tied (the reference). */
  sparsityTimesDecoderNorm?: boolean;
}

/** The coefficient of ARENA's Gated demo. */
export const ARENA_GATED_DEMO_COEFF = 1.0;

/** r_mag = b_mag = 0 (the original's init; also what resampling resets them to). */
export function initGatedExtras(shape: Pick<SaeShape, "instances" | "dSae">): GatedExtras {
  const n = shape.instances * shape.dSae;
  return { rMag: new Float32Array(n), bMag: new Float32Array(n) };
}

/** Fused pass; `grads` and `extraGrads` are overwritten. `perSampleReconstruction` [I, B] receives each sample's L_rec. */
export function gatedLossAndGrads(
  p: SaeParams,
  extras: GatedExtras,
  hyper: GatedHyper,
  batch: GridBatch,
  grads: SaeParams,
  extraGrads: GatedExtras,
  perSampleReconstruction?: Float64Array,
): ArenaSaeStepOutput {
  const { instances: I, dIn: D, dSae: M } = p;
  const B = batch.batch;
  const scaleByNorm = hyper.sparsityTimesDecoderNorm ?? !hyper.tied;
  const out = emptyArenaSaeStepOutput(p);
  const w = arenaInstanceWeights(D, M); // encT = W_gateᵀ, bEnc = b_gate
  const g = arenaInstanceWeights(D, M);
  const expR = new Float64Array(M);
  const bMag = new Float64Array(M);
  const gR = new Float64Array(M);
  const gBMag = new Float64Array(M);
  const norm = new Float64Array(M); // ‖W_dec,j‖, or 1 when the sparsity term does not use it
  const gNorm = new Float64Array(M);
  const hc = new Float64Array(D);
  const gateDot = new Float64Array(M); // h_c·W_gate,j
  const pi = new Float64Array(M);
  const acts = new Float64Array(M);
  const dxh = new Float64Array(D);
  const dAux = new Float64Array(D);
  const dhc = new Float64Array(D);
  const active = new Float64Array(M);
  const invB = 1 / B;
  for (let i = 0; i < I; i++) {
    const x = batch.x[batch.group[i]];
    const coeff = hyper.sparsityCoeff[i];
    loadArenaInstance(p, i, hyper.tied, w);
    zeroArenaGrads(g);
    for (let j = 0; j < M; j++) {
      expR[j] = Math.exp(extras.rMag[i * M + j]);
      bMag[j] = extras.bMag[i * M + j];
    }
    if (scaleByNorm) rowNorms(w.dec, M, D, norm);
    else norm.fill(1);
    gR.fill(0);
    gBMag.fill(0);
    gNorm.fill(0);
    active.fill(0);
    let sumRec = 0, sumSparsity = 0, sumAux = 0;
    for (let s = 0; s < B; s++) {
      const xo = s * D;
      for (let k = 0; k < D; k++) hc[k] = x[xo + k] - w.bDec[k];
      for (let j = 0; j < M; j++) {
        let dot = 0;
        for (let k = 0; k < D; k++) dot += hc[k] * w.encT[j * D + k];
        gateDot[j] = dot;
        pi[j] = dot + w.bEnc[j];
        const mag = expR[j] * dot + bMag[j];
        acts[j] = pi[j] > 0 && mag > 0 ? mag : 0;
        if (acts[j] > ARENA_ACTIVE_THRESHOLD) active[j]++;
        if (pi[j] > 0) sumSparsity += pi[j] * norm[j];
      }
      let rec = 0, aux = 0;
      for (let k = 0; k < D; k++) {
        let xh = w.bDec[k], xa = w.bDec[k];
        for (let j = 0; j < M; j++) {
          xh += acts[j] * w.dec[j * D + k];
          if (pi[j] > 0) xa += pi[j] * w.dec[j * D + k];
        }
        const r = xh - x[xo + k], ra = xa - x[xo + k];
        rec += r * r;
        aux += ra * ra;
        dxh[k] = (2 * r) / (D * B);
        dAux[k] = (2 * ra) * invB; // reaches only ReLU(π_gate): W_dec and b_dec are detached here
      }
      rec /= D;
      sumRec += rec;
      sumAux += aux;
      if (perSampleReconstruction) perSampleReconstruction[i * B + s] = rec;

      for (let k = 0; k < D; k++) {
        g.bDec[k] += dxh[k];
        dhc[k] = 0;
      }
      for (let j = 0; j < M; j++) {
        let dGateDot = 0;
        if (acts[j] > 0) {
          // magnitude path: acts = ReLU(exp(r)·(h_c·W_gate) + b_mag) where the gate is open
          let da = 0;
          for (let k = 0; k < D; k++) {
            g.dec[j * D + k] += acts[j] * dxh[k];
            da += w.dec[j * D + k] * dxh[k];
          }
          gBMag[j] += da;
          gR[j] += da * expR[j] * gateDot[j];
          dGateDot += da * expR[j];
        }
        if (pi[j] > 0) {
          // gate path: ReLU(π_gate) in L_sparsity and L_aux
          let dGate = coeff * norm[j] * invB;
          for (let k = 0; k < D; k++) dGate += w.dec[j * D + k] * dAux[k];
          g.bEnc[j] += dGate;
          dGateDot += dGate;
          if (scaleByNorm) gNorm[j] += coeff * pi[j] * invB;
        }
        if (dGateDot === 0) continue;
        for (let k = 0; k < D; k++) {
          g.encT[j * D + k] += dGateDot * hc[k];
          dhc[k] += dGateDot * w.encT[j * D + k];
        }
      }
      for (let k = 0; k < D; k++) g.bDec[k] -= dhc[k];
    }
    // the decoder norms of L_sparsity: ∂‖w‖/∂w = w/‖w‖
    if (scaleByNorm) {
      for (let j = 0; j < M; j++) {
        if (gNorm[j] === 0 || norm[j] === 0) continue;
        const f = gNorm[j] / norm[j];
        for (let k = 0; k < D; k++) g.dec[j * D + k] += f * w.dec[j * D + k];
      }
    }
    storeArenaGrads(grads, i, hyper.tied, g);
    for (let j = 0; j < M; j++) {
      extraGrads.rMag[i * M + j] = gR[j];
      extraGrads.bMag[i * M + j] = gBMag[j];
    }
    storeActivity(out, i, active, B);
    out.reconstruction[i] = sumRec * invB;
    out.sparsityUnweighted[i] = sumSparsity * invB;
    out.sparsity[i] = coeff * sumSparsity * invB;
    out.auxiliary[i] = sumAux * invB;
    out.loss[i] = out.reconstruction[i] + out.sparsity[i] + out.auxiliary[i];
  }
  return out;
}

/** Activations of one instance for a [B, dIn] input → [B, dSae]. */
export function encodeGated(p: SaeParams, extras: GatedExtras, instance: number, x: ArrayLike<number>, batch: number): Float32Array {
  const { dIn: D, dSae: M } = p;
  const o = instance * D * M;
  const acts = new Float32Array(batch * M);
  for (let s = 0; s < batch; s++) {
    for (let j = 0; j < M; j++) {
      let dot = 0;
      for (let k = 0; k < D; k++) dot += (x[s * D + k] - p.bDec[instance * D + k]) * p.wEnc[o + k * M + j];
      const gate = dot + p.bEnc[instance * M + j];
      const mag = Math.exp(extras.rMag[instance * M + j]) * dot + extras.bMag[instance * M + j];
      acts[s * M + j] = gate > 0 && mag > 0 ? mag : 0;
    }
  }
  return acts;
}

/** L_rec of every sample [I, B] (the forward of `resample_advanced`). */
export function gatedReconstructionPerSample(p: SaeParams, extras: GatedExtras, hyper: GatedHyper, batch: GridBatch): Float64Array {
  const rec = new Float64Array(p.instances * batch.batch);
  gatedLossAndGrads(p, extras, hyper, batch, emptySaeParams(p), initGatedExtras(p), rec);
  return rec;
}
