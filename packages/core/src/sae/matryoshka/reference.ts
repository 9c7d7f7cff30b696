/**
 * The feature-hedging paper's `MatryoshkaSAE` loss (reference §2.4; see kernel.ts) in tfjs
 * ops, written the way the original computes it — an iterative partial decode whose running
 * sum is detached before each new block under delta loss, and a loop whose `prev_portion`
 * advances only after levels it did not skip — rather than from the kernel's term list, so
 * that the two are independent implementations of the same loss.
 */
import type * as tfTypes from "@tensorflow/tfjs-core";
import { stopGradient, type SaeTensors } from "../types.ts";
import { l1Penalty, reconstructionLoss, standardForward } from "../standard/reference.ts";
import type { MatryoshkaHyper } from "./kernel.ts";
import { resolveMatryoshkaLevels } from "./levels.ts";

/** The Matryoshka loss per instance, x [I, B, dIn]. */
export function matryoshkaReferenceLoss(tf: typeof tfTypes, t: SaeTensors, x: tfTypes.Tensor3D, hyper: MatryoshkaHyper): tfTypes.Tensor1D {
  const o = hyper.options;
  const [I, B, D] = x.shape;
  const M = t.bEnc.shape[1];
  const { widths, lossMultipliers, l1Multipliers, denominator } = resolveMatryoshkaLevels(o, M);
  const { acts, reconstruction } = standardForward(tf, t, x, o.applyBDecToInput);
  const bDec = tf.expandDims(t.bDec, 1);
  const lambda = tf.tensor1d(Float32Array.from(hyper.l1), "float32");
  const lambdaOuter = tf.tensor1d(
    Float32Array.from(hyper.l1, (l) => Math.max(l, hyper.minL1DuringWarmUp ?? 0)),
    "float32",
  );
  const byDIn = o.normaliseReconstructionByDIn ? 1 / D : 1;
  // the inner L1 weights acts by ‖W_dec‖ only when scaling AND inner L1 are both on
  const innerScaled = o.scaleSparsityByDecoderNorm && o.includeInnerL1;
  const terms: tfTypes.Tensor[] = [];

  if (o.includeBDecLoss) terms.push(tf.mul(byDIn, reconstructionLoss(tf, tf.tile(bDec, [1, B, 1]) as tfTypes.Tensor3D, x, "MSE")));

  let decoded: tfTypes.Tensor | null = null; // Σ_{j < width} a_j·W_dec,j, without b_dec
  let decodedUpTo = 0; // the decode's own running width
  let prevPortion = 0; // the loss loop's: advances only after a level that is not skipped
  widths.forEach((width, i) => {
    const block = tf.matMul(tf.slice(acts, [0, 0, decodedUpTo], [I, B, width - decodedUpTo]), tf.slice(t.wDec, [0, decodedUpTo, 0], [I, width - decodedUpTo, D]));
    decoded = decoded === null ? block : tf.add(o.useDeltaLoss ? stopGradient(tf, decoded) : decoded, block);
    decodedUpTo = width;
    const m = lossMultipliers[i];
    if (m === 0) return;
    terms.push(tf.mul(m * byDIn, reconstructionLoss(tf, tf.add(decoded, bDec) as tfTypes.Tensor3D, x, "MSE")));
    if (o.includeInnerL1 && l1Multipliers[i] > 0) {
      const start = o.useDeltaLoss ? prevPortion : 0;
      terms.push(tf.mul(tf.mul(lambda, l1Multipliers[i] * m), l1Penalty(tf, acts, t.wDec, innerScaled, start, width)));
    }
    prevPortion = width;
  });

  if (!o.skipOuterLoss) {
    const outer = o.outerLossMultiplier;
    terms.push(tf.mul(outer * byDIn, reconstructionLoss(tf, reconstruction, x, o.reconstructionLoss)));
    terms.push(tf.mul(tf.mul(lambdaOuter, outer), l1Penalty(tf, acts, t.wDec, o.scaleSparsityByDecoderNorm)));
  }
  const total = terms.length === 0 ? tf.zeros([I]) : tf.addN(terms.map((term) => tf.reshape(term, [I])));
  return tf.div(total, denominator) as tfTypes.Tensor1D;
}
