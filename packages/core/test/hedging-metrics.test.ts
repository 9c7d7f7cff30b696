import { describe, expect, it } from "vitest";
import { absorptionGaps, bestLatentPerFeature, childComponentsInParentLatents, decoderBiasComponents, latentClassification, latentFeatureCosines } from "../src/metrics/hedging.ts";

const f64 = (xs: number[]) => Float64Array.from(xs);

// three orthonormal features in 3-d: parent g0 = e0, children g1 = e1 and g2 = e2
const FEATURES = f64([1, 0, 0, 0, 1, 0, 0, 0, 1]);

describe("child components in a parent's latent", () => {
  // latent 0: decoder [1, .5, −.5] (‖·‖ = √1.5): cosines .8165, +.4082 (hedges g1), −.4082 (absorbs g2)
  //           encoder column [2, 0, −2] (‖·‖ = √8): cosines .7071, 0, −.7071
  // latent 1: decoder [0, 0, 2]: the g2 latent; encoder column [0, 1, 1]
  const wDec = f64([1, 0.5, -0.5, 0, 0, 2]);
  const wEnc = f64([2, 0, 0, 1, -2, 1]); // [dIn 3, dSae 2]: row k = (latent 0, latent 1)
  const cos = latentFeatureCosines(wEnc, wDec, FEATURES, 3, 2, 3);

  it("computes signed encoder and decoder cosines [latent, feature]", () => {
    const r = Math.SQRT1_2;
    const d = 1 / Math.sqrt(1.5);
    for (const [e, v] of [r, 0, -r, 0, r, r].entries()) expect(cos.encoder[e]).toBeCloseTo(v, 12);
    for (const [e, v] of [d, 0.5 * d, -0.5 * d, 0, 0, 1].entries()) expect(cos.decoder[e]).toBeCloseTo(v, 12);
  });

  it("takes the parent's latent as its best signed decoder match and reports each child's components", () => {
    expect(Array.from(bestLatentPerFeature(cos.decoder, 2, 3))).toEqual([0, 0, 1]);
    const parts = childComponentsInParentLatents(cos, 2, 3, [
      { parent: 0, child: 1 },
      { parent: 0, child: 2 },
    ]);
    const d = 1 / Math.sqrt(1.5);
    expect(parts.map((p) => p.latent)).toEqual([0, 0]);
    expect(parts[0].decoderCos).toBeCloseTo(0.5 * d, 12); // hedging: positive
    expect(parts[0].encoderCos).toBeCloseTo(0, 12);
    expect(parts[1].decoderCos).toBeCloseTo(-0.5 * d, 12); // absorption: negative
    expect(parts[1].encoderCos).toBeCloseTo(-Math.SQRT1_2, 12);
    // an explicit mapping overrides the default: feature 0 → latent 1
    expect(childComponentsInParentLatents(cos, 2, 3, [{ parent: 0, child: 2 }], [1, 0, 0])[0].decoderCos).toBeCloseTo(1, 12);
  });

  it("rejects edges outside the features and parents without a latent", () => {
    expect(() => childComponentsInParentLatents(cos, 2, 3, [{ parent: 0, child: 3 }])).toThrow("edge 0 → 3 names feature 3, outside [0, 3)");
    expect(() => childComponentsInParentLatents(cos, 2, 3, [{ parent: 0, child: 1 }], [2, 0, 0])).toThrow("no latent in [0, 2) for parent feature 0 (got 2)");
  });
});

describe("decoder bias components", () => {
  it("b_dec = .2·g1: cosine 1 with g1, 0 elsewhere, norm .2; zero b_dec has zero cosines", () => {
    const b = decoderBiasComponents(f64([0, 0.2, 0]), FEATURES, 3, 3);
    expect(Array.from(b.cos)).toEqual([0, 1, 0]);
    expect(b.norm).toBeCloseTo(0.2, 15);
    const z = decoderBiasComponents(f64([0, 0, 0]), FEATURES, 3, 3);
    expect(Array.from(z.cos)).toEqual([0, 0, 0]);
    expect(z.norm).toBe(0);
    const mixed = decoderBiasComponents(f64([0.3, -0.4, 0]), FEATURES, 3, 3);
    expect(Array.from(mixed.cos).map((v) => +v.toFixed(12))).toEqual([0.6, -0.8, 0]);
    expect(mixed.norm).toBeCloseTo(0.5, 15);
  });
});

describe("absorption gap", () => {
  // columns: f0 f1 f2 | code0 code1 — the parent latent is latent 0
  const rows = [
    [1, 0, 0, 1, 0],
    [1, 0, 0, 0.5, 0],
    [1, 0, 0, 2, 0],
    [1, 0, 0, 0, 1],
    [1, 1, 0, 0, 1],
    [1, 1, 0, 0, 2],
    [0, 1, 0, 1, 0], // parent off: ignored even though the latent fires
    [0, 0, 0, 1, 0],
  ];
  const acts = f64(rows.flatMap((r) => r.slice(0, 3)));
  const codes = f64(rows.flatMap((r) => r.slice(3)));

  it("P(latent | parent, ¬child) − P(latent | parent, child): 3/4 − 0/2 for g1; NaN when the child never fires", () => {
    const [g1, g2] = absorptionGaps(
      codes,
      acts,
      8,
      2,
      3,
      [
        { parent: 0, child: 1 },
        { parent: 0, child: 2 },
      ],
      [0, 1, 1],
    );
    expect(g1).toMatchObject({ latent: 0, parentOnly: 4, firesWhenParentOnly: 0.75, parentAndChild: 2, firesWhenParentAndChild: 0, gap: 0.75 });
    expect(g2.parentOnly).toBe(6);
    expect(g2.firesWhenParentOnly).toBe(0.5);
    expect(g2.parentAndChild).toBe(0);
    expect(g2.gap).toBeNaN();
  });
});

describe("per-latent classification (SAELens synthetic evals)", () => {
  // latent 0: decoder [1, .5, −.5] → best |cos| g0 (.8165); latent 1: [0, −2, 0] → g1 (|−1|);
  // latent 2: a zero row (all cosines 0) → g0 by the lower index, and it never fires
  const wDec = f64([1, 0.5, -0.5, 0, -2, 0, 0, 0, 0]);
  const acts = f64([1, 0, 0, 1, 1, 0, 1, 0, 1, 0, 1, 0, 0, 0, 0, 1, 0, 0]);
  const codes = f64([0.3, 0, 0, 0, 1, 0, 2, 0, 0, 1, 0.5, 0, 0, 0.1, 0, 0, 0, 0]);

  it("counts TP/FP/FN/TN of [a > 0] vs [f > 0] against the best match, and averages over latents", () => {
    const r = latentClassification(codes, acts, 6, wDec, FEATURES, 3, 3, 3);
    expect(r.perLatent.map((l) => l.feature)).toEqual([0, 1, 0]);
    expect(r.perLatent[1].absCos).toBeCloseTo(1, 12);
    // latent 0 vs g0 (on in samples 0, 1, 2, 5): fires in 0, 2, 3 → TP 2, FP 1, FN 2, TN 1
    expect(r.perLatent[0]).toMatchObject({ tp: 2, fp: 1, fn: 2, tn: 1, accuracy: 0.5 });
    expect(r.perLatent[0].precision).toBeCloseTo(2 / 3, 12);
    expect(r.perLatent[0].recall).toBeCloseTo(0.5, 12);
    expect(r.perLatent[0].f1).toBeCloseTo(4 / 7, 12); // 2·(2/3)(1/2)/(2/3 + 1/2)
    // latent 1 vs g1 (on in 1, 3): fires in 1, 3, 4 → TP 2, FP 1, FN 0, TN 3: F1 = 2·(2/3)·1/(5/3) = .8
    expect(r.perLatent[1]).toMatchObject({ tp: 2, fp: 1, fn: 0, tn: 3, recall: 1 });
    expect(r.perLatent[1].f1).toBeCloseTo(0.8, 12);
    // the dead latent: precision, recall and F1 are 0 (undefined), accuracy = TN/N = 2/6
    expect(r.perLatent[2]).toMatchObject({ tp: 0, fp: 0, fn: 4, tn: 2, precision: 0, recall: 0, f1: 0 });
    expect(r.f1).toBeCloseTo((4 / 7 + 0.8) / 3, 12);
    expect(r.precision).toBeCloseTo(4 / 9, 12);
    expect(r.recall).toBeCloseTo(0.5, 12);
    expect(r.accuracy).toBeCloseTo((0.5 + 5 / 6 + 2 / 6) / 3, 12);
  });
});
