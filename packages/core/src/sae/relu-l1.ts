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
import type * as tfTypes from "@tensorflow/tfjs-core";
import type { Rng } from "../random.ts";
import {
  emptySaeParams,
  emptyStepOutput,
  stopGradient,
  type GridBatch,
  type SaeParams,
  type SaeShape,
  type SaeTensors,
  type StepOutput,
} from "./types.ts";

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
export function initReluL1(shape: SaeShape, rngs: Rng[]): SaeParams {
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
export function encodeReluL1(p: SaeParams, instance: number, x: Float32Array, batch: number): Float32Array {
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

/** Fused forward + backward of every instance. `grads` are overwritten. */
export function reluL1LossAndGrads(
  p: SaeParams,
  hyper: ReluL1Hyper,
  state: ReluL1State,
  batch: GridBatch,
  grads: SaeParams,
): StepOutput {
  const { instances: I, dIn: D, dSae: M } = p;
  const B = batch.batch;
  const out = emptyStepOutput(p);
  grads.wEnc.fill(0);
  grads.bEnc.fill(0);
  grads.wDec.fill(0);
  grads.bDec.fill(0);
  const pre = new Float64Array(M);
  const act = new Float64Array(M);
  const xh = new Float64Array(D);
  const dxh = new Float64Array(D);
  const ghostAct = new Float64Array(M); // exp(pre) on dead latents, 0 elsewhere
  const ghostOut = new Float64Array(D);
  const dGhost = new Float64Array(D);
  const invB = 1 / B;

  for (let i = 0; i < I; i++) {
    const x = batch.x[batch.group[i]];
    const we = i * D * M;
    const wd = i * M * D;
    const lambda = hyper.l1[i];
    let anyDead = false;
    if (state.ghostGrads) for (let j = 0; j < M; j++) if (state.dead[i * M + j]) anyDead = true;
    let sumFvu = 0;
    let sumL1 = 0;
    let sumGhost = 0;

    for (let s = 0; s < B; s++) {
      const xo = s * D;
      // forward
      let xNorm2 = 0;
      for (let k = 0; k < D; k++) xNorm2 += x[xo + k] * x[xo + k];
      if (xNorm2 === 0) xNorm2 = 1;
      const xNorm = Math.sqrt(xNorm2);
      for (let j = 0; j < M; j++) {
        let h = p.bEnc[i * M + j];
        for (let k = 0; k < D; k++) h += x[xo + k] * p.wEnc[we + k * M + j];
        pre[j] = h;
        act[j] = h > 0 ? h : 0;
        if (act[j] > FIRE_THRESHOLD) out.fired[i * M + j] = 1;
      }
      let fvu = 0;
      for (let k = 0; k < D; k++) {
        let v = p.bDec[i * D + k];
        for (let j = 0; j < M; j++) v += act[j] * p.wDec[wd + j * D + k];
        xh[k] = v;
        const r = v - x[xo + k];
        fvu += r * r;
        dxh[k] = (2 * r * invB) / xNorm2;
      }
      fvu /= xNorm2;
      let l1 = 0;
      for (let j = 0; j < M; j++) l1 += state.l1Scale[i * M + j] * act[j];
      sumFvu += fvu;
      sumL1 += lambda * l1;

      // ghost grads: a second, exp-activated pass through the dead latents only
      let ghostScale = 0;
      if (anyDead) {
        let rNorm2 = 0;
        for (let k = 0; k < D; k++) rNorm2 += ((x[xo + k] - xh[k]) / xNorm) ** 2;
        ghostOut.fill(0);
        for (let j = 0; j < M; j++) {
          ghostAct[j] = state.dead[i * M + j] ? Math.exp(pre[j]) : 0;
          if (ghostAct[j] !== 0) for (let k = 0; k < D; k++) ghostOut[k] += ghostAct[j] * p.wDec[wd + j * D + k];
        }
        let gNorm2 = 0;
        for (let k = 0; k < D; k++) gNorm2 += ghostOut[k] * ghostOut[k];
        ghostScale = Math.sqrt(rNorm2) / (1e-6 + 2 * Math.sqrt(gNorm2));
        let ghostMse = 0;
        for (let k = 0; k < D; k++) {
          const e = (x[xo + k] - xh[k]) / xNorm - ghostScale * ghostOut[k];
          dGhost[k] = e; // residual minus scaled ghost output
          ghostMse += e * e;
        }
        const rescale = fvu / (1e-6 + ghostMse); // detached
        sumGhost += ghostMse * rescale;
        // d ghost / d e = 2·rescale·e/B; e = (x − x̂)/‖x‖ − s·g
        for (let k = 0; k < D; k++) {
          const de = 2 * rescale * dGhost[k] * invB;
          dxh[k] += -de / xNorm;
          dGhost[k] = -de * ghostScale; // now d/d(ghostOut_k), through the detached scale
        }
        for (let j = 0; j < M; j++) {
          if (ghostAct[j] === 0) continue;
          let dg = 0;
          for (let k = 0; k < D; k++) {
            grads.wDec[wd + j * D + k] += ghostAct[j] * dGhost[k];
            dg += p.wDec[wd + j * D + k] * dGhost[k];
          }
          // d exp(pre)/d pre = exp(pre)
          const dPre = dg * ghostAct[j];
          grads.bEnc[i * M + j] += dPre;
          for (let k = 0; k < D; k++) grads.wEnc[we + k * M + j] += x[xo + k] * dPre;
        }
      }

      // backward through decoder, L1 and ReLU
      for (let k = 0; k < D; k++) grads.bDec[i * D + k] += dxh[k];
      for (let j = 0; j < M; j++) {
        if (act[j] === 0) continue; // ReLU gate (and no decoder gradient from a zero activation)
        let da = lambda * state.l1Scale[i * M + j] * invB;
        for (let k = 0; k < D; k++) {
          grads.wDec[wd + j * D + k] += act[j] * dxh[k];
          da += p.wDec[wd + j * D + k] * dxh[k];
        }
        grads.bEnc[i * M + j] += da;
        for (let k = 0; k < D; k++) grads.wEnc[we + k * M + j] += x[xo + k] * da;
      }
    }
    out.reconstruction[i] = sumFvu * invB;
    out.sparsity[i] = sumL1 * invB;
    out.auxiliary[i] = sumGhost * invB;
    out.loss[i] = (sumFvu + sumL1 + sumGhost) * invB;
  }
  return out;
}

/**
 * The same loss in tfjs ops (autodiff reference). x: [I, B, dIn]; returns the loss per instance.
 */
export function reluL1ReferenceLoss(
  tf: typeof tfTypes,
  t: SaeTensors,
  x: tfTypes.Tensor3D,
  hyper: ReluL1Hyper,
  state: ReluL1State,
): tfTypes.Tensor1D {
  const [I, , M] = t.wEnc.shape;
  const pre = tf.add(tf.matMul(x, t.wEnc), tf.expandDims(t.bEnc, 1)); // [I,B,M]
  const act = tf.relu(pre);
  const xh = tf.add(tf.matMul(act, t.wDec), tf.expandDims(t.bDec, 1)); // [I,B,D]
  const norm2Raw = tf.sum(tf.square(x), -1, true); // [I,B,1]
  const norm2 = tf.where(tf.equal(norm2Raw, 0), tf.onesLike(norm2Raw), norm2Raw);
  const xNorm = tf.sqrt(norm2);
  const fvu = tf.div(tf.sum(tf.square(tf.sub(xh, x)), -1, true), norm2); // [I,B,1]
  const scale = tf.tensor3d(state.l1Scale, [I, 1, M]);
  const lambda = tf.tensor3d(Float32Array.from(hyper.l1), [I, 1, 1]);
  const l1 = tf.mul(lambda, tf.sum(tf.abs(tf.mul(scale, act)), -1, true));
  let total = tf.add(fvu, l1);
  if (state.ghostGrads && state.dead.some((d) => d === 1)) {
    const deadMask = tf.tensor3d(Float32Array.from(state.dead), [I, 1, M]);
    const residual = tf.div(tf.sub(x, xh), xNorm);
    const ghostOut = tf.matMul(tf.mul(tf.exp(pre), deadMask), t.wDec);
    const s = stopGradient(
      tf,
      tf.div(tf.norm(residual, 2, -1, true), tf.add(1e-6, tf.mul(2, tf.norm(ghostOut, 2, -1, true)))),
    );
    const ghostMse = tf.sum(tf.square(tf.sub(residual, tf.mul(ghostOut, s))), -1, true);
    const rescale = stopGradient(tf, tf.div(fvu, tf.add(1e-6, ghostMse)));
    const hasDead = tf.tensor3d(
      Float32Array.from({ length: I }, (_, i) => (state.dead.subarray(i * M, (i + 1) * M).some((d) => d === 1) ? 1 : 0)),
      [I, 1, 1],
    );
    total = tf.add(total, tf.mul(hasDead, tf.mul(ghostMse, rescale)));
  }
  return tf.mean(total, [1, 2]) as tfTypes.Tensor1D;
}
