import { describe, it, expect } from "vitest";
import { Rng } from "@toy-sae/core/random";
import { normalCdf } from "@toy-sae/core/linalg";
import { BALANCED_HEDGING_TREE, UNBALANCED_HEDGING_TREE, parseTree, treeFeatureSampler, type TreeNodeJson } from "../src/tree.ts";

/** |observed − p| in standard errors of a frequency over `n` draws. */
function zScore(count: number, n: number, p: number): number {
  return Math.abs(count / n - p) / Math.sqrt((p * (1 - p)) / n);
}

/** Counts of samples where every feature in `on` fires and every one in `off` is silent. */
function count(x: Float32Array, nFeatures: number, batch: number, on: number[], off: number[] = []): number {
  let c = 0;
  for (let b = 0; b < batch; b++) {
    const row = b * nFeatures;
    if (on.every((f) => x[row + f] !== 0) && off.every((f) => x[row + f] === 0)) c++;
  }
  return c;
}

const N = 400_000;

describe("tree layout and exact marginals", () => {
  it("numbers read-out nodes in pre-order and multiplies conditional probabilities down the tree", () => {
    const s = treeFeatureSampler(BALANCED_HEDGING_TREE);
    expect(s.nFeatures).toBe(4);
    expect(Array.from(s.marginals)).toEqual([0.25, 0.25 * 0.15, 0.25 * 0.15, 0.25 * 0.15]);
    expect(s.edges).toEqual([
      { parent: 0, child: 1 },
      { parent: 0, child: 2 },
      { parent: 0, child: 3 },
    ]);
    // the root and the .55 child are nodes, not features
    expect(s.nodes.map((n) => n.feature)).toEqual([-1, 0, 1, 2, 3, -1]);
    expect(s.nodes[5].path).toBe("children[0].children[3]");
    expect(s.nodes[5].marginal).toBeCloseTo(0.25 * 0.55, 15);
    const u = treeFeatureSampler(UNBALANCED_HEDGING_TREE);
    expect(Array.from(u.marginals)).toEqual([0.25, 0.25 * 0.02, 0.25 * 0.15, 0.25 * 0.5]);
  });

  it("under mutual exclusion a child's share is its weight over the siblings' sum", () => {
    const nodes = parseTree({
      active_prob: 0.5,
      mutually_exclusive_children: true,
      children: [{ active_prob: 0.2 }, { active_prob: 0.6, is_read_out: false, children: [{ active_prob: 0.5 }] }],
    });
    // weights .2 and .6 → shares .25 and .75
    for (const [v, p] of [0.5, 0.5 * 0.25, 0.5 * 0.75, 0.5 * 0.75 * 0.5].entries()) expect(nodes[v].marginal).toBeCloseTo(p, 15);
    expect(nodes.map((n) => n.feature)).toEqual([0, 1, -1, 2]);
  });
});

describe("tree sampling", () => {
  it("balanced notebook tree: marginals, children only with the parent, conditionally independent children", () => {
    const s = treeFeatureSampler(BALANCED_HEDGING_TREE);
    const x = s.sample(new Rng(1), N);
    for (let f = 0; f < 4; f++) expect(zScore(count(x, 4, N, [f]), N, s.marginals[f]), `feature ${f}`).toBeLessThan(4.5);
    for (const c of [1, 2, 3]) expect(count(x, 4, N, [c], [0])).toBe(0);
    const parentOn = count(x, 4, N, [0]);
    for (const c of [1, 2, 3]) expect(zScore(count(x, 4, N, [0, c]), parentOn, 0.15), `P(${c} | parent)`).toBeLessThan(4.5);
    // without mutual exclusion the children are independent given the parent: P(1, 2 | 0) = .15²
    expect(zScore(count(x, 4, N, [0, 1, 2]), parentOn, 0.15 * 0.15)).toBeLessThan(4.5);
    // magnitudes are exactly 1 (std 0)
    expect(x.every((v) => v === 0 || v === 1)).toBe(true);
  });

  it("unbalanced notebook tree: child rates .02, .15, .5 given the parent", () => {
    const s = treeFeatureSampler(UNBALANCED_HEDGING_TREE);
    const x = s.sample(new Rng(2), N);
    const parentOn = count(x, 4, N, [0]);
    expect(zScore(parentOn, N, 0.25)).toBeLessThan(4.5);
    for (const [k, p] of [0.02, 0.15, 0.5].entries()) expect(zScore(count(x, 4, N, [0, k + 1]), parentOn, p)).toBeLessThan(4.5);
  });

  it("mutually exclusive children: exactly one fires whenever the parent fires (a non-read-out one included), none otherwise", () => {
    // parent p=.4; ME children weights .1 (f1), .3 (f2) and .6 (hidden, gating f3 at .5)
    const tree: TreeNodeJson = {
      active_prob: 0.4,
      mutually_exclusive_children: true,
      children: [{ active_prob: 0.1 }, { active_prob: 0.3 }, { active_prob: 0.6, is_read_out: false, children: [{ active_prob: 0.5 }] }],
    };
    const s = treeFeatureSampler(tree);
    expect(s.nFeatures).toBe(4);
    const x = s.sample(new Rng(3), N);
    const parentOn = count(x, 4, N, [0]);
    expect(zScore(parentOn, N, 0.4)).toBeLessThan(4.5);
    expect(count(x, 4, N, [1, 2])).toBe(0);
    expect(count(x, 4, N, [1, 3])).toBe(0); // f3 needs the hidden child, which excludes f1
    expect(count(x, 4, N, [2, 3])).toBe(0);
    for (const c of [1, 2, 3]) expect(count(x, 4, N, [c], [0])).toBe(0);
    expect(zScore(count(x, 4, N, [0, 1]), parentOn, 0.1)).toBeLessThan(4.5);
    expect(zScore(count(x, 4, N, [0, 2]), parentOn, 0.3)).toBeLessThan(4.5);
    // the hidden child fires exactly when neither f1 nor f2 does (p .6), and gates f3 at .5
    const hidden = count(x, 4, N, [0], [1, 2]);
    expect(zScore(hidden, parentOn, 0.6)).toBeLessThan(4.5);
    expect(zScore(count(x, 4, N, [0, 3]), hidden, 0.5)).toBeLessThan(4.5);
    for (let f = 0; f < 4; f++) expect(zScore(count(x, 4, N, [f]), N, s.marginals[f])).toBeLessThan(4.5);
  });

  it("mutual exclusion forces a child even when the weights are tiny (.01, .01 → one half each)", () => {
    const s = treeFeatureSampler({ active_prob: 1, mutually_exclusive_children: true, children: [{ active_prob: 0.01 }, { active_prob: 0.01 }] });
    const n = 100_000;
    const x = s.sample(new Rng(4), n);
    expect(count(x, 3, n, [1]) + count(x, 3, n, [2])).toBe(n);
    expect(zScore(count(x, 3, n, [1]), n, 0.5)).toBeLessThan(4.5);
  });

  it("a non-read-out node still gates its subtree", () => {
    const s = treeFeatureSampler({ active_prob: 1, is_read_out: false, children: [{ active_prob: 0.3, is_read_out: false, children: [{ active_prob: 1 }] }] });
    expect(s.nFeatures).toBe(1);
    expect(s.edges).toEqual([]);
    const x = s.sample(new Rng(5), N);
    // the leaf has p = 1 given its parent, so it fires exactly as often as the hidden node (.3)
    expect(zScore(count(x, 1, N, [0]), N, 0.3)).toBeLessThan(4.5);
  });

  it("magnitudes: exactly magnitude_mean when std = 0 (even negative), |N(mean, std)| otherwise", () => {
    const exact = treeFeatureSampler({ active_prob: 1, magnitude_mean: -0.5, children: [{ active_prob: 1, magnitude_mean: 2.5 }] });
    const e = exact.sample(new Rng(6), 10);
    for (let b = 0; b < 10; b++) {
      expect(e[2 * b]).toBe(-0.5);
      expect(e[2 * b + 1]).toBe(2.5);
    }
    // folded normal: E|N(μ, σ)| = σ√(2/π)·exp(−μ²/2σ²) + μ·(1 − 2Φ(−μ/σ)); μ = .2, σ = 1 → ≈ .8138
    const mu = 0.2;
    const sigma = 1;
    const folded = treeFeatureSampler({ active_prob: 1, magnitude_mean: mu, magnitude_std: sigma });
    const x = folded.sample(new Rng(7), N);
    let sum = 0;
    let sumSq = 0;
    expect(x.every((v) => v >= 0)).toBe(true);
    for (const v of x) {
      sum += v;
      sumSq += v * v;
    }
    const expected = sigma * Math.sqrt(2 / Math.PI) * Math.exp((-mu * mu) / (2 * sigma * sigma)) + mu * (1 - 2 * normalCdf(-mu / sigma));
    const variance = mu * mu + sigma * sigma - expected * expected; // E[X²] = μ² + σ² for the folded normal too
    expect(sumSq / N).toBeCloseTo(mu * mu + sigma * sigma, 2);
    expect(Math.abs(sum / N - expected) / Math.sqrt(variance / N)).toBeLessThan(4.5);
  });

  it("sampleInto overwrites a reused buffer and equals sample for the same stream", () => {
    const s = treeFeatureSampler(BALANCED_HEDGING_TREE);
    const a = s.sample(new Rng(8), 500);
    const buf = new Float32Array(600 * 4).fill(7);
    s.sampleInto(new Rng(8), 500, buf);
    expect(Array.from(buf.subarray(0, 2000))).toEqual(Array.from(a));
    expect(buf[2000]).toBe(7); // past batch·nFeatures untouched
    expect(() => s.sampleInto(new Rng(8), 500, new Float32Array(10))).toThrow(/needs 2000/);
  });
});

describe("tree validation", () => {
  const bad: Array<[string, unknown, string]> = [
    [
      "a probability outside [0, 1], named by its path",
      { active_prob: 1, children: [{ active_prob: 0.5 }, { active_prob: 0.5, children: [{ active_prob: 1.5 }] }] },
      "tree: children[1].children[0].active_prob is 1.5; expected a number in [0, 1]",
    ],
    ["a missing active_prob", { active_prob: 1, children: [{}] }, "tree: children[0].active_prob is undefined; expected a number in [0, 1] (it is required)"],
    ["an unknown field", { active_prob: 0.5, activeProb: 0.5 }, "tree: activeProb is not a known field; expected only active_prob, children"],
    [
      "mutual exclusion with one child",
      { active_prob: 1, children: [{ active_prob: 1, mutually_exclusive_children: true, children: [{ active_prob: 1 }] }] },
      "tree: children[0].mutually_exclusive_children is true with 1 child; expected at least 2 children",
    ],
    [
      "mutually exclusive weights summing to 0",
      { active_prob: 1, mutually_exclusive_children: true, children: [{ active_prob: 0 }, { active_prob: 0 }] },
      "tree: children have active_prob summing to 0 under mutually_exclusive_children",
    ],
    ["a negative magnitude_std", { active_prob: 1, magnitude_std: -1 }, "tree: magnitude_std is -1; expected a finite number ≥ 0"],
    ["a non-boolean is_read_out", { active_prob: 1, children: [{ active_prob: 1, is_read_out: "yes" }] }, 'tree: children[0].is_read_out is "yes"; expected true or false'],
    ["children that are not an array", { active_prob: 1, children: { active_prob: 1 } }, "tree: children is an object; expected an array of tree nodes"],
    ["a child that is not an object", { active_prob: 1, children: [3] }, "tree: children[0] is 3; expected an object (a tree node)"],
  ];
  for (const [what, tree, message] of bad) {
    it(`rejects ${what}`, () => {
      expect(() => treeFeatureSampler(tree)).toThrow(message);
    });
  }
});
