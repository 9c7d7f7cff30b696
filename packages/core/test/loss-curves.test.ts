import { describe, expect, it } from "vitest";
import { Rng } from "../src/random.ts";
import { LOSS_CURVE_SETTINGS, paperLossCurves, singleLatentLossCurve, type LossCurveSettingName } from "../src/analytic/loss-curves.ts";

/**
 * An independent form of the same loss. Write d = (cos θ, sin θ) in the (p, c) basis, θ in
 * [0, π/2] (α = tan θ/(1 + tan θ)). Both inputs have x·d ≥ 0, so a = x·d and, d being a unit
 * vector, ‖a·d − x‖² = ‖x‖² − (x·d)²:
 *   L(p)     = 1 − cos²θ + λ·cos θ
 *   L(p + c) = 2 − (cos θ + sin θ)² + λ·(cos θ + sin θ) = 1 − sin 2θ + λ·(cos θ + sin θ)
 *   E(θ) = P_po·sin²θ + P_pc·(1 − sin 2θ) + λ·(P_po·cos θ + P_pc·(cos θ + sin θ))
 * At λ = 0, E = P_po/2 + P_pc − (P_po/2·cos 2θ + P_pc·sin 2θ), minimised at
 * tan 2θ = 2P_pc/P_po with minimum P_po/2 + P_pc − √(P_po²/4 + P_pc²).
 */
function expectedLossOfTheta(theta: number, po: number, pc: number, l1: number): number {
  const c = Math.cos(theta);
  const s = Math.sin(theta);
  return po * s * s + pc * (1 - Math.sin(2 * theta)) + l1 * (po * c + pc * (c + s));
}

const alphaOfTheta = (theta: number) => Math.tan(theta) / (1 + Math.tan(theta));

/** Golden-section search for the minimum of a unimodal f on [lo, hi]. */
function goldenSection(f: (t: number) => number, lo: number, hi: number, tol = 1e-12): number {
  const g = (Math.sqrt(5) - 1) / 2;
  let a = lo;
  let b = hi;
  let c = b - g * (b - a);
  let d = a + g * (b - a);
  while (b - a > tol) {
    if (f(c) < f(d)) b = d;
    else a = c;
    c = b - g * (b - a);
    d = a + g * (b - a);
  }
  return (a + b) / 2;
}

describe("single-latent analytic loss curve", () => {
  it("has the hand values at both ends: α = 0 (d = p) and α = 1 (d = c)", () => {
    // α = 0: L(p) = λ, L(p + c) = ‖p − (p + c)‖² + λ = 1 + λ. α = 1: L(p) = ‖p‖² = 1 (a = 0), L(p + c) = 1 + λ
    const curve = singleLatentLossCurve({ parentOnlyProb: 0.3, parentAndChildProb: 0.1, l1: 0.1, steps: 11 });
    expect(curve.alpha[5]).toBe(0.5);
    expect(curve.expectedLoss[0]).toBeCloseTo(0.3 * 0.1 + 0.1 * 1.1, 14);
    expect(curve.expectedLoss[10]).toBeCloseTo(0.3 * 1 + 0.1 * 1.1, 14);
    // α = .5: d = (p + c)/√2: L(p) = 1 − ½ + λ/√2, L(p + c) = 0 + λ·√2
    expect(curve.expectedLoss[5]).toBeCloseTo(0.3 * (0.5 + 0.1 / Math.SQRT2) + 0.1 * 0.1 * Math.SQRT2, 14);
  });

  for (const setting of Object.keys(LOSS_CURVE_SETTINGS) as LossCurveSettingName[]) {
    const { parentOnlyProb: po, parentAndChildProb: pc } = LOSS_CURVE_SETTINGS[setting];
    for (const l1 of [0, 0.1]) {
      it(`${setting}, λ = ${l1}: the grid minimum is the continuous one (golden section${l1 === 0 ? " and closed form" : ""})`, () => {
        const curve = singleLatentLossCurve({ parentOnlyProb: po, parentAndChildProb: pc, l1 });
        const theta = goldenSection((t) => expectedLossOfTheta(t, po, pc, l1), 0, Math.PI / 2);
        const step = 1 / 9999;
        expect(Math.abs(curve.argminAlpha - alphaOfTheta(theta))).toBeLessThanOrEqual(step);
        expect(curve.minLoss).toBeCloseTo(expectedLossOfTheta(theta, po, pc, l1), 7);
        expect(curve.minLoss).toBeGreaterThanOrEqual(expectedLossOfTheta(theta, po, pc, l1) - 1e-12);
        // the whole curve agrees with the θ form
        for (const i of [0, 1234, 5000, 9999]) {
          const a = curve.alpha[i];
          expect(curve.expectedLoss[i]).toBeCloseTo(expectedLossOfTheta(Math.atan2(a, 1 - a), po, pc, l1), 12);
        }
        if (l1 === 0) {
          const closedTheta = Math.atan2(2 * pc, po) / 2;
          expect(theta).toBeCloseTo(closedTheta, 6);
          expect(curve.minLoss).toBeCloseTo(po / 2 + pc - Math.sqrt((po * po) / 4 + pc * pc), 7);
        }
        expect(curve.argminIndex).toBeGreaterThan(0);
        expect(curve.expectedLoss[0]).toBeGreaterThan(curve.minLoss);
      });
    }
  }

  it("reproduces the reference numbers: argmin α .232/.234 (skew parent), .459/.460 (skew child); minima .0697, .1109, .0459, .0958", () => {
    const curves = paperLossCurves();
    const got = curves.map(({ setting, l1, curve }) => [setting, l1, +curve.argminAlpha.toFixed(3), +curve.minLoss.toFixed(4)]);
    expect(got).toEqual([
      ["skew-parent", 0, 0.232, 0.0697],
      ["skew-parent", 0.1, 0.234, 0.1109],
      ["skew-child", 0, 0.459, 0.0459],
      ["skew-child", 0.1, 0.46, 0.0958],
    ]);
  });

  it("does not depend on the basis: a random orthonormal pair in 10-d gives the same curve", () => {
    const plain = singleLatentLossCurve({ parentOnlyProb: 0.1, parentAndChildProb: 0.3, l1: 0.1, steps: 101 });
    const random = singleLatentLossCurve({ parentOnlyProb: 0.1, parentAndChildProb: 0.3, l1: 0.1, steps: 101, randomBasis: { rng: new Rng(5), dim: 10 } });
    for (let i = 0; i < 101; i++) expect(random.expectedLoss[i]).toBeCloseTo(plain.expectedLoss[i], 12);
  });
});
