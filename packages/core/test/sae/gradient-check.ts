/** Shared gradient checks for the fused kernels' tests. */
import { expect } from "vitest";
import type { SaeParams, SaeTensorName } from "../../src/sae/types.ts";

/** Largest |a − b| / (1e-4 + |b|) over the entries: relative error against a reference b. */
export function maxRelErr(a: Float32Array, b: Float32Array): number {
  let worst = 0;
  for (let e = 0; e < a.length; e++) worst = Math.max(worst, Math.abs(a[e] - b[e]) / (1e-4 + Math.abs(b[e])));
  return worst;
}

/**
 * Check every entry of `grads[k]` (k in `tensors`) against the central difference
 * (L(p + h) − L(p − h)) / 2h of `lossAt`, to `digits` decimal places.
 */
export function expectMatchesCentralDifference(
  p: SaeParams,
  grads: SaeParams,
  lossAt: (q: SaeParams) => number,
  tensors: readonly SaeTensorName[] = ["wEnc", "bEnc", "wDec", "bDec"],
  h = 1e-3,
  digits = 2,
): void {
  for (const k of tensors) {
    for (let e = 0; e < p[k].length; e++) {
      const orig = p[k][e];
      p[k][e] = orig + h;
      const up = lossAt(p);
      p[k][e] = orig - h;
      const down = lossAt(p);
      p[k][e] = orig;
      expect(grads[k][e], `${k}[${e}]`).toBeCloseTo((up - down) / (2 * h), digits);
    }
  }
}
