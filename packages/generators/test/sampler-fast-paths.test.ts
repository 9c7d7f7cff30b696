/**
 * The samplers' fast paths against plain re-statements of the original loops: the same draws
 * from the same stream give the same bits.
 * - composed: the branch-free cell choice (small tables) and `sampleEmbeddedInto` (draw and
 *   project in one pass) against `Rng.categorical` and a Float32 product of `sample`'s rows;
 * - correlated: the four-rows-at-a-time copula product against one row at a time, and
 *   `sampleEmbeddedInto` (WebAssembly draws and SIMD embedding, and the JavaScript ones)
 *   against `embedFeatures` of `sampleInto`.
 */
import { describe, expect, it } from "vitest";
import { Rng } from "@toy-sae/core/random";
import { choleskyOrEigenFactor } from "@toy-sae/core/linalg";
import { embedFeatures } from "@toy-sae/core/models/orthogonal-embedding";
import { composedCondition, composedFeatureSampler, type ComposedFeatureOptions } from "../src/composed.ts";
import { correlatedFeatureSampler, randomCorrelationMatrix, smallToyCorrelation, type CorrelatedFeatureOptions } from "../src/correlated.ts";
import { constantProbabilities, sparseButWrongMainProbabilities } from "../src/probabilities.ts";

const COMPOSED: Array<[string, ComposedFeatureOptions]> = [
  ["2 + 2 correlated", composedCondition("correlated")],
  ["2 + 2 uncorrelated", composedCondition("uncorrelated")],
  ["2 + 2 one-hot-75", composedCondition("one-hot-75")],
  ["3 + 5 boosted, one-hot, partial f", { setSizes: [3, 5], correlatedPair: [1, 2], correlatedBoost: 0.5, oneHotProbability: 0.2, setMagnitudeCorrelation: 0.3 }],
  ["4 + 4 (24 cells: binary search)", { setSizes: [4, 4], oneHotProbability: 0.5 }],
  [
    "zero-weight cells",
    {
      setSizes: [3, 2],
      baselineWeights: [
        [0.1, 0, 0.3],
        [0.2, 0.1],
      ],
    },
  ],
];

/** The composed sampler's rows as first written: a categorical draw per sample, then r_0, r_1. */
function composedReference(options: ComposedFeatureOptions, rng: Rng, batch: number): Float32Array {
  const s = composedFeatureSampler(options);
  const [n0, n1] = s.options.setSizes;
  const n = n0 + n1;
  const cells: Array<[number, number, number]> = [];
  for (let i = 0; i < n0; i++) for (let j = 0; j < n1; j++) cells.push([s.table.pairs[i * n1 + j], i, n0 + j]);
  for (let i = 0; i < n0; i++) cells.push([s.table.singles0[i], i, i]);
  for (let j = 0; j < n1; j++) cells.push([s.table.singles1[j], n0 + j, n0 + j]);
  const cumulative = new Float64Array(cells.length);
  let acc = 0;
  for (const [c, [p]] of cells.entries()) cumulative[c] = acc += p;
  const f = s.options.setMagnitudeCorrelation;
  const out = new Float32Array(batch * n);
  for (let b = 0; b < batch; b++) {
    const [, x, y] = cells[rng.categorical(cumulative)];
    const r0 = rng.uniform();
    const r1 = (1 - f) * rng.uniform() + f * r0;
    out[b * n + x] = r0;
    out[b * n + y] = r1;
  }
  return out;
}

/** features·w [n, dOut] as the composed kind's hiddenOf: non-zero features in order, into Float32. */
function project(features: Float32Array, w: Float32Array, batch: number, n: number, dOut: number): Float32Array {
  const h = new Float32Array(batch * dOut);
  for (let s = 0; s < batch; s++) {
    for (let i = 0; i < n; i++) {
      const v = features[s * n + i];
      if (v === 0) continue;
      for (let k = 0; k < dOut; k++) h[s * dOut + k] += v * w[i * dOut + k];
    }
  }
  return h;
}

function expectSameBits(a: Float32Array, b: Float32Array): void {
  expect(a.length).toBe(b.length);
  let first = -1;
  for (let e = 0; e < a.length && first < 0; e++) if (!Object.is(a[e], b[e])) first = e;
  expect(first, first < 0 ? "" : `entry ${first}: ${a[first]} vs ${b[first]}`).toBe(-1);
}

describe("composed sampler fast paths", () => {
  it.each(COMPOSED)("sampleInto draws what Rng.categorical draws (%s)", (_name, options) => {
    const s = composedFeatureSampler(options);
    expectSameBits(s.sampleInto(new Rng(3), 2000, new Float32Array(2000 * s.nFeatures)), composedReference(options, new Rng(3), 2000));
  });

  it.each(COMPOSED)("sampleEmbeddedInto equals the Float32 projection of sample (%s)", (_name, options) => {
    const s = composedFeatureSampler(options);
    for (const dOut of [1, 2, 3, 5]) {
      const w = new Rng(10 + dOut).fillUniform(new Float32Array(s.nFeatures * dOut), -1, 1);
      w[0] = 0; // an exact zero weight: ±0 products must leave the sums' bits alone
      const expected = project(s.sample(new Rng(4), 1500), w, 1500, s.nFeatures, dOut);
      expectSameBits(s.sampleEmbeddedInto(new Rng(4), 1500, w, dOut, new Float32Array(1500 * dOut)), expected);
    }
  });

  it("sampleEmbeddedInto checks its buffers", () => {
    const s = composedFeatureSampler(composedCondition("correlated"));
    expect(() => s.sampleEmbeddedInto(new Rng(1), 4, new Float32Array(7), 2, new Float32Array(8))).toThrow(/w has 7 entries/);
    expect(() => s.sampleEmbeddedInto(new Rng(1), 4, new Float32Array(8), 2, new Float32Array(7))).toThrow(/out has 7 entries/);
  });
});

const CORRELATED: Array<[string, CorrelatedFeatureOptions]> = [
  [
    "small toy ρ −0.5 (singular: eigen factor)",
    { firingProbabilities: constantProbabilities(5, 0.4), correlation: smallToyCorrelation(-0.5), magnitudeMean: 1, magnitudeStd: 0.15 },
  ],
  ["small toy ρ 0.3 (Cholesky)", { firingProbabilities: constantProbabilities(5, 0.4), correlation: smallToyCorrelation(0.3), magnitudeMean: 1, magnitudeStd: 0.15 }],
  [
    "main toy, 50 random correlations",
    { firingProbabilities: sparseButWrongMainProbabilities(), correlation: randomCorrelationMatrix(50, {}, new Rng(0).fork("correlation")), magnitudeMean: 1, magnitudeStd: 0.15 },
  ],
  ["7 features, σ 0", { firingProbabilities: constantProbabilities(7, 0.3), correlation: randomCorrelationMatrix(7, {}, new Rng(2)), magnitudeMean: 1, magnitudeStd: 0 }],
  ["independent", { firingProbabilities: constantProbabilities(6, 0.3), correlation: null, magnitudeMean: 1, magnitudeStd: 0.15 }],
];

/** The copula sampler as first written: ε, then each z_i one row at a time and its magnitude. */
function correlatedReference(options: CorrelatedFeatureOptions, rng: Rng, batch: number): Float32Array {
  const s = correlatedFeatureSampler(options);
  const n = s.nFeatures;
  const c = s.correlation;
  const { factor, method } = c ? choleskyOrEigenFactor(c, n) : { factor: null, method: null };
  const out = new Float32Array(batch * n);
  const eps = new Float64Array(n);
  const magnitude = (i: number): number => {
    const m = s.magnitudeStd[i] === 0 ? s.magnitudeMean[i] : s.magnitudeMean[i] + s.magnitudeStd[i] * rng.zigguratNormal();
    return m > 0 ? m : 0;
  };
  for (let b = 0; b < batch; b++) {
    if (factor === null) {
      for (let i = 0; i < n; i++) if (rng.uniform() < s.firingProbabilities[i]) out[b * n + i] = magnitude(i);
      continue;
    }
    for (let k = 0; k < n; k++) eps[k] = rng.zigguratNormal();
    for (let i = 0; i < n; i++) {
      const end = method === "cholesky" ? i + 1 : n;
      let z = 0;
      for (let k = 0; k < end; k++) z += factor[i * n + k] * eps[k];
      if (z > s.thresholds[i]) out[b * n + i] = magnitude(i);
    }
  }
  return out;
}

describe("correlated sampler fast path", () => {
  it.each(CORRELATED)("sampleInto is bit-identical to one row at a time (%s)", (_name, options) => {
    const s = correlatedFeatureSampler(options);
    expectSameBits(s.sampleInto(new Rng(5), 700, new Float32Array(700 * s.nFeatures)), correlatedReference(options, new Rng(5), 700));
  });

  // SIMD: the WebAssembly embedding (even widths, the default); JavaScript: TOY_SAE_SIMD=0 and odd widths
  it.each(CORRELATED.flatMap(([name, options]) => [["SIMD", name, options] as const, ["JavaScript", name, options] as const]))(
    "sampleEmbeddedInto equals embedFeatures of sampleInto (%s embedding, %s)",
    (embedding, _name, options) => {
      const s = correlatedFeatureSampler(options);
      const n = s.nFeatures;
      if (embedding === "JavaScript") process.env.TOY_SAE_SIMD = "0";
      try {
        for (const dOut of [1, 20, 100, 7]) {
          const w = new Rng(20 + dOut).fillNormal(new Float32Array(n * dOut), 0, 0.3);
          const expected = embedFeatures(s.sampleInto(new Rng(6), 300, new Float32Array(300 * n)), w, n, dOut);
          expectSameBits(s.sampleEmbeddedInto(new Rng(6), 300, w, dOut, new Float32Array(300 * dOut)), expected);
        }
      } finally {
        delete process.env.TOY_SAE_SIMD;
      }
    },
  );

  it("draws the main toy's batches in WebAssembly with the JavaScript draws' bits and stream, tails and wedges included", () => {
    // 4 batches × 1024 samples × ~61 normals: ~65 draws in the ziggurat's tail, ~3,700 in its wedges
    const main = CORRELATED.find(([name]) => name.startsWith("main toy"));
    if (!main) throw new Error("the main toy's options are missing");
    const s = correlatedFeatureSampler(main[1]);
    const n = s.nFeatures;
    const w = new Rng(8).fillNormal(new Float32Array(n * 100), 0, 0.3);
    const wasm = new Rng(9);
    const js = new Rng(9);
    try {
      for (let batch = 0; batch < 4; batch++) {
        delete process.env.TOY_SAE_SIMD;
        const a = s.sampleEmbeddedInto(wasm, 1024, w, 100, new Float32Array(1024 * 100));
        process.env.TOY_SAE_SIMD = "0";
        const b = s.sampleEmbeddedInto(js, 1024, w, 100, new Float32Array(1024 * 100));
        expectSameBits(a, b);
      }
    } finally {
      delete process.env.TOY_SAE_SIMD;
    }
    expect(wasm.nextUint32()).toBe(js.nextUint32());
  });

  it("sampleEmbeddedInto gives a zero-magnitude feature no row (as embedFeatures skips it)", () => {
    // μ 0, σ 0: every firing feature has magnitude 0, so every embedded sample is 0
    const s = correlatedFeatureSampler({ firingProbabilities: constantProbabilities(3, 0.9), correlation: null, magnitudeMean: 0, magnitudeStd: 0 });
    const out = s.sampleEmbeddedInto(
      new Rng(1),
      50,
      Float32Array.from({ length: 6 }, () => -1),
      2,
      new Float32Array(100).fill(7),
    );
    expect(out.every((v) => Object.is(v, 0))).toBe(true);
  });
});
