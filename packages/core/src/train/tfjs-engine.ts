/**
 * Gradients by tfjs autodiff: the generic engine. Any architecture whose loss is written in
 * tfjs ops (`referenceLoss`) trains through it; the built-in ones also have fused kernels that
 * a test holds to it. Every parameter tensor of the architecture (its `params`) is
 * differentiated, extra ones included.
 */
import * as tf from "@tensorflow/tfjs-core";
// tfjs-core ships its gradient functions separately; the @tensorflow/tfjs bundle registers them
// (its node build shares our tfjs-core instance). The deep import of
// "@tensorflow/tfjs-core/dist/register_all_gradients" is ESM with directory imports, which
// Node's own loader rejects, so any stage CLI importing it would fail to start.
import "@tensorflow/tfjs";
import type { AnyArchitecture, StepContext } from "../sae/architecture.ts";
import { STANDARD_PARAMS, batchTensor, emptyStepOutput, paramTensor, toTensors, type GridBatch, type SaeParams, type SaeTensors, type StepOutput } from "../sae/types.ts";

/** Rebuild the SaeTensors view from the flat list tf.grads differentiates (spec order). */
function fromList(arch: AnyArchitecture, list: tf.Tensor[]): SaeTensors {
  const byName = Object.fromEntries(arch.params.map((s, k) => [s.name, list[k]]));
  const extra = Object.fromEntries(arch.params.filter((s) => !STANDARD_PARAMS.some((d) => d.name === s.name)).map((s) => [s.name, byName[s.name]]));
  return {
    wEnc: byName.wEnc as tf.Tensor3D,
    bEnc: byName.bEnc as tf.Tensor2D,
    wDec: byName.wDec as tf.Tensor3D,
    bDec: byName.bDec as tf.Tensor2D,
    extra,
  };
}

/**
 * One step's per-instance loss, its parts, the firing statistics of the codes and the
 * gradients (written into `grads`) of `arch.referenceLoss` at `p`.
 */
export function tfjsLossAndGrads(arch: AnyArchitecture, p: SaeParams, grads: SaeParams, batch: GridBatch, ctx: StepContext<object, unknown>): StepOutput {
  const out = emptyStepOutput(p);
  const { instances: I, dSae: M } = p;
  tf.tidy(() => {
    const t = toTensors(tf, p, arch.params);
    const list = arch.params.map((s) => (s.name in t.extra ? t.extra[s.name] : (t[s.name as keyof Omit<SaeTensors, "extra">] as tf.Tensor)));
    const x = batchTensor(tf, batch, p.dIn);
    const forward = arch.referenceLoss(tf, t, x, ctx);
    const g = tf.grads((...params: tf.Tensor[]) => tf.sum(arch.referenceLoss(tf, fromList(arch, params), x, ctx).loss))(list);
    for (const [k, s] of arch.params.entries()) paramTensor(grads, s.name).set(g[k].dataSync());
    out.loss.set(forward.loss.dataSync());
    out.reconstruction.set(forward.reconstruction.dataSync());
    if (forward.sparsity) out.sparsity.set(forward.sparsity.dataSync());
    if (forward.auxiliary) out.auxiliary.set(forward.auxiliary.dataSync());
    const codes = forward.codes.dataSync();
    const B = batch.batch;
    const fracActive = new Float64Array(I * M);
    for (let i = 0; i < I; i++) {
      let nonZero = 0;
      let min = Number.POSITIVE_INFINITY;
      for (let e = i * B * M, end = e + B * M; e < end; e++) {
        const a = codes[e];
        if (a !== 0) nonZero++;
        if (a > 0 && a < min) min = a;
        if (a > arch.fireThreshold) {
          out.fired[i * M + (e % M)] = 1;
          fracActive[i * M + (e % M)] += 1;
        }
      }
      out.l0[i] = nonZero / B;
      if (min < Number.POSITIVE_INFINITY) out.minPositive[i] = min;
    }
    out.fracActive = fracActive.map((count) => count / B);
  });
  return out;
}
