/**
 * ReLU SAE with an L1 penalty and ghost grads: the `AutoEncoder` of the composed-feature
 * experiments (superposition-geometry-toys `autoencoder_fns.py`, pre_encoder_bias = False).
 *
 *   a = ReLU(x·W_enc + b_enc),  x̂ = a·W_dec + b_dec
 *   per sample: fvu = ‖x̂ − x‖² / ‖x‖²  (‖x‖ = 0 → 1),  l1 = λ Σ_j c_j a_j
 *   loss = mean_batch(fvu + l1 + ghost)
 *
 * c_j is the ghost-grad cooldown factor (1 for a latent that was never dead). Ghost grads,
 * for instances with dead latents (Anthropic's January 2024 update, as the original codes it):
 *   r = (x − x̂)/‖x‖ (not detached), g = exp(pre_dead)·W_dec,dead, g ← g·‖r‖/(1e-6 + 2‖g‖) (scale detached),
 *   ghost = ‖r − g‖² · stopgrad(fvu / (1e-6 + ‖r − g‖²)).
 * The original averages the loss over instances too; we give each instance its own loss,
 * which only rescales its gradient by I (Adam is invariant to that, up to ε).
 */
import type { Rng } from "../../random.ts";
import { scratchF64 } from "../shared/saelens-base.ts";
import { emptySaeParams, emptyStepOutput, type GridBatch, type SaeParams, type SaeShape, type StepOutput } from "../types.ts";
import { reluL1LossAndGradsD2M4 } from "./kernel-d2-m4.ts";

export interface ReluL1Hyper {
  /** λ per instance. */
  l1: Float64Array;
}

export interface ReluL1State {
  /** [I, dSae] 1 where the latent counts as dead (ghost grads apply). */
  dead: Uint8Array;
  /** [I, dSae] multiplier c_j of each latent's L1 term (ghost-grad cooldown). */
  l1Scale: Float32Array;
  ghostGrads: boolean;
}

export const FIRE_THRESHOLD = 1e-6;

export function reluL1State(shape: SaeShape, ghostGrads: boolean): ReluL1State {
  const n = shape.instances * shape.dSae;
  return { dead: new Uint8Array(n), l1Scale: new Float32Array(n).fill(1), ghostGrads };
}

/**
 * torch's kaiming_uniform_ on the 3-D [I, a, b] tensors of the original: fan_in = a·b, so
 * the bound is √(6/(a·b)); then decoder rows are normalised to unit length.
 */
export function initReluL1(shape: SaeShape, rngs: readonly Rng[]): SaeParams {
  const p = emptySaeParams(shape);
  const { instances: I, dIn, dSae } = shape;
  const bound = Math.sqrt(6 / (dIn * dSae));
  const per = dIn * dSae;
  for (let i = 0; i < I; i++) {
    const rng = rngs[i];
    for (let e = 0; e < per; e++) p.wEnc[i * per + e] = rng.uniformIn(-bound, bound);
    for (let e = 0; e < per; e++) p.wDec[i * per + e] = rng.uniformIn(-bound, bound);
  }
  normaliseDecoderRows(p);
  return p;
}

export function normaliseDecoderRows(p: SaeParams): void {
  const rows = p.instances * p.dSae;
  const d = p.dIn;
  for (let r = 0; r < rows; r++) {
    let n = 0;
    for (let k = 0; k < d; k++) n += p.wDec[r * d + k] ** 2;
    n = Math.sqrt(n);
    if (n > 0) for (let k = 0; k < d; k++) p.wDec[r * d + k] /= n;
  }
}

/** Remove from each decoder row's gradient its component along that (unit) row. */
export function removeParallelDecoderGrad(p: SaeParams, gradWDec: Float32Array): void {
  const rows = p.instances * p.dSae;
  const d = p.dIn;
  for (let r = 0; r < rows; r++) {
    let dot = 0;
    for (let k = 0; k < d; k++) dot += gradWDec[r * d + k] * p.wDec[r * d + k];
    for (let k = 0; k < d; k++) gradWDec[r * d + k] -= dot * p.wDec[r * d + k];
  }
}

/** Activations of one instance for a [B, dIn] input → [B, dSae]. */
export function encodeReluL1(p: SaeParams, instance: number, x: ArrayLike<number>, batch: number): Float32Array {
  const { dIn, dSae } = p;
  const acts = new Float32Array(batch * dSae);
  const we = instance * dIn * dSae;
  for (let s = 0; s < batch; s++) {
    for (let j = 0; j < dSae; j++) {
      let pre = p.bEnc[instance * dSae + j];
      for (let k = 0; k < dIn; k++) pre += x[s * dIn + k] * p.wEnc[we + k * dSae + j];
      acts[s * dSae + j] = pre > 0 ? pre : 0;
    }
  }
  return acts;
}

/**
 * Fused forward + backward of every instance. `grads` are overwritten.
 *
 * Dispatch by shape: the composed grid's d_in 2 / d_sae 4 runs `kernel-d2-m4.ts` (the same
 * arithmetic in the same order, unrolled into locals: bit-identical results); every other
 * shape, and any instance with ghost grads active, runs the readable `reluL1Instance` below.
 */
export function reluL1LossAndGrads(p: SaeParams, hyper: ReluL1Hyper, state: ReluL1State, batch: GridBatch, grads: SaeParams): StepOutput {
  if (p.dIn === 2 && p.dSae === 4) return reluL1LossAndGradsD2M4(p, hyper, state, batch, grads);
  return reluL1LossAndGradsReference(p, hyper, state, batch, grads);
}

/** The readable kernel on every instance, whatever the shape (what the specialised ones are tested against). */
export function reluL1LossAndGradsReference(p: SaeParams, hyper: ReluL1Hyper, state: ReluL1State, batch: GridBatch, grads: SaeParams): StepOutput {
  const out = emptyStepOutput(p);
  const invNorm2 = inverseSquaredNorms(batch, p.dIn);
  for (let i = 0; i < p.instances; i++) reluL1Instance(p, i, hyper, state, batch, invNorm2, grads, out);
  return out;
}

/**
 * Per data group, 1/‖x_s‖² of every sample (‖x‖ = 0 → 1), shared by the instances that
 * train on the group. Reused buffers (`scratchF64`), valid until the next call.
 */
export function inverseSquaredNorms(batch: GridBatch, D: number): Float64Array[] {
  const B = batch.batch;
  return batch.x.map((x, g) => {
    const inv = scratchF64(`reluL1.invNorm2.${g}`, B);
    for (let s = 0; s < B; s++) {
      let n2 = 0;
      for (let k = 0; k < D; k++) n2 += x[s * D + k] * x[s * D + k];
      inv[s] = 1 / (n2 === 0 ? 1 : n2);
    }
    return inv;
  });
}

/**
 * Fused forward + backward of instance i: writes its gradients into `grads` and its losses,
 * L0 and fired latents into `out`. `invNorm2` from `inverseSquaredNorms`.
 *
 * Speed notes: the instance's parameters are copied into small Float64 scratch arrays and
 * its gradients accumulated there (short, contiguous, no float32 rounding on every store).
 */
export function reluL1Instance(
  p: SaeParams,
  i: number,
  hyper: ReluL1Hyper,
  state: ReluL1State,
  batch: GridBatch,
  invNorm2: readonly Float64Array[],
  grads: SaeParams,
  out: StepOutput,
): void {
  const { dIn: D, dSae: M } = p;
  const B = batch.batch;
  const invB = 1 / B;
  // scratch: parameters and their gradients
  const we = scratchF64("reluL1.we", D * M);
  const be = scratchF64("reluL1.be", M);
  const wd = scratchF64("reluL1.wd", M * D);
  const bd = scratchF64("reluL1.bd", D);
  const gWe = scratchF64("reluL1.gWe", D * M);
  const gBe = scratchF64("reluL1.gBe", M);
  const gWd = scratchF64("reluL1.gWd", M * D);
  const gBd = scratchF64("reluL1.gBd", D);
  const pre = scratchF64("reluL1.pre", M);
  const act = scratchF64("reluL1.act", M);
  const dxh = scratchF64("reluL1.dxh", D);
  const resid = scratchF64("reluL1.resid", D); // x − x̂ of the current sample
  const l1w = scratchF64("reluL1.l1w", M); // λ·c_j
  const ghostAct = scratchF64("reluL1.ghostAct", M);
  const ghostOut = scratchF64("reluL1.ghostOut", D);
  const dGhost = scratchF64("reluL1.dGhost", D);

  const g = batch.group[i];
  const x = batch.x[g];
  const inv = invNorm2[g];
  for (let e = 0; e < D * M; e++) {
    we[e] = p.wEnc[i * D * M + e];
    wd[e] = p.wDec[i * M * D + e];
  }
  for (let j = 0; j < M; j++) be[j] = p.bEnc[i * M + j];
  for (let k = 0; k < D; k++) bd[k] = p.bDec[i * D + k];
  gWe.fill(0, 0, D * M);
  gBe.fill(0, 0, M);
  gWd.fill(0, 0, M * D);
  gBd.fill(0, 0, D);
  const lambda = hyper.l1[i];
  let anyDead = false;
  for (let j = 0; j < M; j++) {
    l1w[j] = lambda * state.l1Scale[i * M + j];
    if (state.ghostGrads && state.dead[i * M + j]) anyDead = true;
  }
  let fired = 0; // bit j set when latent j fired (M ≤ 31 on this path)
  const bits = M <= 31;
  let sumFvu = 0;
  let sumL1 = 0;
  let sumGhost = 0;
  let nonZero = 0;

  for (let s = 0; s < B; s++) {
    const xo = s * D;
    const invN2 = inv[s];
    // forward
    let l1 = 0;
    for (let j = 0; j < M; j++) {
      let h = be[j];
      for (let k = 0; k < D; k++) h += x[xo + k] * we[k * M + j];
      pre[j] = h;
      const a = h > 0 ? h : 0;
      act[j] = a;
      if (a > 0) nonZero++;
      if (a > FIRE_THRESHOLD) {
        if (bits) fired |= 1 << j;
        else out.fired[i * M + j] = 1;
      }
      l1 += l1w[j] * a;
    }
    let err = 0;
    for (let k = 0; k < D; k++) {
      let v = bd[k];
      for (let j = 0; j < M; j++) v += act[j] * wd[j * D + k];
      const r = v - x[xo + k];
      resid[k] = -r;
      err += r * r;
      dxh[k] = 2 * r * invB * invN2;
    }
    const fvu = err * invN2;
    sumFvu += fvu;
    sumL1 += l1;

    // ghost grads: a second, exp-activated pass through the dead latents only
    if (anyDead) {
      const xNorm = 1 / Math.sqrt(invN2);
      ghostOut.fill(0, 0, D);
      for (let j = 0; j < M; j++) {
        ghostAct[j] = state.dead[i * M + j] ? Math.exp(pre[j]) : 0;
        if (ghostAct[j] !== 0) for (let k = 0; k < D; k++) ghostOut[k] += ghostAct[j] * wd[j * D + k];
      }
      let rNorm2 = 0;
      let gNorm2 = 0;
      for (let k = 0; k < D; k++) {
        const res = resid[k] / xNorm;
        rNorm2 += res * res;
        gNorm2 += ghostOut[k] * ghostOut[k];
      }
      const ghostScale = Math.sqrt(rNorm2) / (1e-6 + 2 * Math.sqrt(gNorm2)); // detached
      let ghostMse = 0;
      for (let k = 0; k < D; k++) {
        const e = resid[k] / xNorm - ghostScale * ghostOut[k];
        dGhost[k] = e;
        ghostMse += e * e;
      }
      const rescale = fvu / (1e-6 + ghostMse); // detached
      sumGhost += ghostMse * rescale;
      // d ghost / d e = 2·rescale·e/B, with e = (x − x̂)/‖x‖ − s·g
      for (let k = 0; k < D; k++) {
        const de = 2 * rescale * dGhost[k] * invB;
        dxh[k] -= de / xNorm;
        dGhost[k] = -de * ghostScale; // now d/d(ghostOut_k), through the detached scale
      }
      for (let j = 0; j < M; j++) {
        if (ghostAct[j] === 0) continue;
        let dg = 0;
        for (let k = 0; k < D; k++) {
          gWd[j * D + k] += ghostAct[j] * dGhost[k];
          dg += wd[j * D + k] * dGhost[k];
        }
        const dPre = dg * ghostAct[j]; // d exp(pre)/d pre = exp(pre)
        gBe[j] += dPre;
        for (let k = 0; k < D; k++) gWe[k * M + j] += x[xo + k] * dPre;
      }
    }

    // backward through decoder, L1 and ReLU
    for (let k = 0; k < D; k++) gBd[k] += dxh[k];
    for (let j = 0; j < M; j++) {
      const a = act[j];
      if (a === 0) continue; // ReLU gate (and no decoder gradient from a zero activation)
      let da = l1w[j] * invB;
      for (let k = 0; k < D; k++) {
        gWd[j * D + k] += a * dxh[k];
        da += wd[j * D + k] * dxh[k];
      }
      gBe[j] += da;
      for (let k = 0; k < D; k++) gWe[k * M + j] += x[xo + k] * da;
    }
  }

  for (let e = 0; e < D * M; e++) {
    grads.wEnc[i * D * M + e] = gWe[e];
    grads.wDec[i * M * D + e] = gWd[e];
  }
  for (let j = 0; j < M; j++) {
    grads.bEnc[i * M + j] = gBe[j];
    if (bits && fired & (1 << j)) out.fired[i * M + j] = 1;
  }
  for (let k = 0; k < D; k++) grads.bDec[i * D + k] = gBd[k];
  out.reconstruction[i] = sumFvu * invB;
  out.sparsity[i] = sumL1 * invB;
  out.auxiliary[i] = sumGhost * invB;
  out.loss[i] = (sumFvu + sumL1 + sumGhost) * invB;
  out.l0[i] = nonZero * invB;
}
