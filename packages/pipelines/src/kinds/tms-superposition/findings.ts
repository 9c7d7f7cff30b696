/**
 * ARENA 1.3.1 §1's findings, measured on the trained toy models (never written in advance). A
 * feature is "represented" when ‖W_i‖ exceeds metrics.representedNorm; each finding states the
 * numbers it was decided on.
 */
import { DIMENSIONS_PER_FEATURE_GUIDES } from "@toy-sae/core/metrics/dimensionality";
import type { Finding } from "../../framework/manifest.ts";
import { featureCos, pairRelation, type TrainedToyModel } from "./common.ts";
import type { ToyExperiment } from "./experiments.ts";

const f2 = (v: number) => v.toFixed(2);
const pct = (a: number, b: number) => (b ? `${Math.round((100 * a) / b)} %` : "n/a");

export function norms(m: TrainedToyModel): number[] {
  return Array.from({ length: m.nFeatures }, (_, f) => {
    let ss = 0;
    for (let k = 0; k < m.dHidden; k++) ss += m.w[k * m.nFeatures + f] ** 2;
    return Math.sqrt(ss);
  });
}

export function represented(m: TrainedToyModel, threshold: number): number[] {
  return norms(m).flatMap((n, f) => (n > threshold ? [f] : []));
}

function byP(models: readonly TrainedToyModel[]): { densest: TrainedToyModel; sparsest: TrainedToyModel } {
  const sorted = [...models].sort((a, b) => b.featureProbability - a.featureProbability);
  return { densest: sorted[0], sparsest: sorted[sorted.length - 1] };
}

/** Angles (degrees) between consecutive directions around the circle, for 2-d columns. */
export function angularGaps(m: TrainedToyModel, features: readonly number[]): number[] {
  const angles = features.map((f) => (Math.atan2(m.w[m.nFeatures + f], m.w[f]) * 180) / Math.PI).sort((a, b) => a - b);
  return angles.map((a, k) => (k + 1 < angles.length ? angles[k + 1] - a : angles[0] + 360 - a));
}

export function features2dFindings(models: readonly TrainedToyModel[], threshold: number): Finding[] {
  if (!models.length) return [];
  const { densest, sparsest } = byP(models);
  const dense = represented(densest, threshold);
  const denseCos = dense.length === 2 ? featureCos(densest, dense[0], dense[1]) : NaN;
  const sparse = represented(sparsest, threshold);
  const gaps = sparse.length >= 2 ? angularGaps(sparsest, sparse) : [];
  const pentagon = sparse.length === sparsest.nFeatures && gaps.every((g) => g > 52 && g < 92);
  return [
    {
      id: "two-orthogonal-at-p1",
      claim: `With dense features (p = ${f2(densest.featureProbability)}), the model represents ${densest.dHidden} features, orthogonally, and drops the rest.`,
      holds: dense.length === densest.dHidden && Math.abs(denseCos) < 0.2,
      text: `${dense.length} of ${densest.nFeatures} features have ‖W_i‖ > ${threshold} (norms ${norms(densest).map(f2).join(", ")})${dense.length === 2 ? `; cos between them ${f2(denseCos)}` : ""}.`,
    },
    {
      id: "pentagon-at-sparsest",
      claim: `At the sparsest probability (p = ${sparsest.featureProbability.toPrecision(2)}) all ${sparsest.nFeatures} features are represented as a pentagon.`,
      holds: pentagon,
      text: `${sparse.length} of ${sparsest.nFeatures} features represented; angles between neighbouring directions ${gaps.map((g) => `${Math.round(g)}°`).join(", ") || "—"} (a pentagon: 72° each; accepted 52°–92°).`,
    },
  ];
}

export function superpositionFindings(models: readonly TrainedToyModel[], superposition: (m: TrainedToyModel) => ArrayLike<number>, threshold: number): Finding[] {
  if (!models.length) return [];
  const { densest, sparsest } = byP(models);
  const mean = (m: TrainedToyModel, fs: number[]) => (fs.length ? fs.reduce((t, f) => t + superposition(m)[f], 0) / fs.length : NaN);
  const dense = represented(densest, threshold);
  const sparse = represented(sparsest, threshold);
  const sDense = mean(densest, dense);
  const sSparse = mean(sparsest, sparse);
  const outOfOrder = dense.filter((f) => f >= dense.length + 2).length;
  return [
    {
      id: "superposition-grows-with-sparsity",
      claim: "Sparser features are stored in superposition: more features than dimensions are represented, overlapping.",
      holds: sparse.length > sparsest.dHidden && sparse.length > dense.length && sSparse > sDense,
      text: `Represented features: ${dense.length} at p = ${f2(densest.featureProbability)} (mean superposition ${f2(sDense)}) vs ${sparse.length} in ${sparsest.dHidden} dimensions at p = ${sparsest.featureProbability.toPrecision(2)} (mean superposition ${f2(sSparse)}).`,
    },
    {
      id: "important-features-first",
      claim: "With dense features the most important features get dimensions of their own.",
      holds: dense.length > 0 && dense.length <= densest.dHidden + 2 && outOfOrder === 0 && sDense < 0.1,
      text: `At p = ${f2(densest.featureProbability)} the represented features are ${dense.length <= 30 ? dense.join(", ") : `${dense.length} features`} (feature 0 is the most important; ${outOfOrder} lie beyond the first ${dense.length + 1}), mean superposition ${f2(sDense)}.`,
    },
  ];
}

/** Within-pair cosines of the pairs whose two features are both represented. */
function withinPairCos(models: readonly TrainedToyModel[], e: ToyExperiment, threshold: number): number[] {
  const out: number[] = [];
  for (const m of models) {
    const rep = new Set(represented(m, threshold));
    for (let a = 0; a + 1 < m.nFeatures; a += 2) {
      if (pairRelation(a, a + 1, e.nCorrelatedPairs, e.nAnticorrelatedPairs) !== "none" && rep.has(a) && rep.has(a + 1)) out.push(featureCos(m, a, a + 1));
    }
  }
  return out;
}

export function pairFindings(byExperiment: (name: string) => { models: TrainedToyModel[]; e: ToyExperiment } | null, threshold: number): Finding[] {
  const out: Finding[] = [];
  const anti = byExperiment("anticorrelated-2");
  if (anti) {
    const cos = withinPairCos(anti.models, anti.e, threshold);
    const antipodal = cos.filter((c) => c < -0.8).length;
    out.push({
      id: "anticorrelated-antipodal",
      claim: "Anticorrelated features are stored antipodally (within-pair cos ≈ −1).",
      holds: cos.length ? antipodal / cos.length >= 0.6 : null,
      text: `${antipodal} of ${cos.length} represented anticorrelated pairs (${pct(antipodal, cos.length)}) have cos < −0.8; cosines ${cos.map(f2).join(", ")}.`,
    });
  }
  const corr = byExperiment("correlated-2");
  if (corr) {
    const cos = withinPairCos(corr.models, corr.e, threshold);
    const orthogonal = cos.filter((c) => Math.abs(c) < 0.3).length;
    out.push({
      id: "correlated-orthogonal",
      claim: "Correlated features are stored orthogonally, not antipodally (within-pair |cos| ≈ 0).",
      holds: cos.length ? orthogonal / cos.length >= 0.6 : null,
      text: `${orthogonal} of ${cos.length} represented correlated pairs (${pct(orthogonal, cos.length)}) have |cos| < 0.3; cosines ${cos.map(f2).join(", ")}.`,
    });
  }
  const three = byExperiment("correlated-3");
  if (three) {
    // PCA-like collapse: a correlated pair's two features share one direction (their principal component), or a feature is dropped
    const collapsed = three.models.filter((m) => {
      if (represented(m, threshold).length < m.nFeatures) return true;
      for (let a = 0; a + 1 < 2 * three.e.nCorrelatedPairs; a += 2) if (featureCos(m, a, a + 1) > 0.9) return true;
      return false;
    });
    out.push({
      id: "correlated-3-collapse",
      claim: "With more correlated pairs than dimensions (3 pairs in 2-d), features collapse: a pair's two features share one direction (PCA-like), or a feature is dropped.",
      holds: collapsed.length > three.models.length / 2,
      text: `${collapsed.length} of ${three.models.length} instances collapse a pair (within-pair cos > 0.9) or drop a feature; within-pair cosines ${three.models.map((m) => Array.from({ length: three.e.nCorrelatedPairs }, (_, k) => f2(featureCos(m, 2 * k, 2 * k + 1))).join("/")).join(", ")}; represented per instance ${three.models.map((m) => represented(m, threshold).length).join(", ")}.`,
    });
  }
  return out;
}

/** Share of the used neurons (some |W| > 0.3) with exactly one feature above 0.3. */
export function monosemanticShare(m: TrainedToyModel, weight = 0.3): { share: number; used: number } {
  let mono = 0,
    used = 0;
  for (let k = 0; k < m.dHidden; k++) {
    let big = 0;
    for (let f = 0; f < m.nFeatures; f++) if (Math.abs(m.w[k * m.nFeatures + f]) > weight) big++;
    if (big > 0) used++;
    if (big === 1) mono++;
  }
  return { share: used ? mono / used : NaN, used };
}

export function privilegedFindings(models: readonly TrainedToyModel[]): Finding[] {
  if (!models.length) return [];
  const { densest, sparsest } = byP(models);
  const d = monosemanticShare(densest);
  const s = monosemanticShare(sparsest);
  return [
    {
      id: "privileged-monosemantic-dense",
      claim: "With a ReLU on the hidden layer, neurons are monosemantic for dense features and polysemantic for sparse ones.",
      holds: d.share >= 0.8 && s.share < d.share,
      text: `Monosemantic neurons (one feature with |W| > 0.3): ${pct(d.share * d.used, d.used)} of ${d.used} used neurons at p = ${f2(densest.featureProbability)}, ${pct(s.share * s.used, s.used)} of ${s.used} at p = ${sparsest.featureProbability.toPrecision(2)}; per instance ${[
        ...models,
      ]
        .sort((a, b) => b.featureProbability - a.featureProbability)
        .map((m) => f2(monosemanticShare(m).share))
        .join(", ")}.`,
    },
  ];
}

/** Spearman rank correlation. */
export function spearman(x: readonly number[], y: readonly number[]): number {
  const rank = (v: readonly number[]) => {
    const order = v.map((_, k) => k).sort((a, b) => v[a] - v[b]);
    const r = new Array<number>(v.length);
    for (const [n, k] of order.entries()) r[k] = n;
    return r;
  };
  const rx = rank(x),
    ry = rank(y);
  const n = x.length;
  const mx = (n - 1) / 2;
  let sxy = 0,
    sxx = 0;
  for (let k = 0; k < n; k++) {
    sxy += (rx[k] - mx) * (ry[k] - mx);
    sxx += (rx[k] - mx) ** 2;
  }
  return sxx ? sxy / sxx : NaN;
}

/** Share of represented features whose D_i lies within `tolerance` of 1 or a guide fraction. */
export function nearGuides(dims: readonly number[], tolerance = 0.05): number {
  const sticky = [1, ...DIMENSIONS_PER_FEATURE_GUIDES];
  return dims.length ? dims.filter((d) => sticky.some((g) => Math.abs(d - g) < tolerance)).length / dims.length : NaN;
}

export function geometryFindings(rows: ReadonlyArray<{ p: number; dStar: number }>, featureDims: readonly number[]): Finding[] {
  if (rows.length < 2) return [];
  const sorted = [...rows].sort((a, b) => b.p - a.p);
  const rho = spearman(
    sorted.map((r) => r.p),
    sorted.map((r) => r.dStar),
  );
  const first = sorted[0];
  const last = sorted[sorted.length - 1];
  const near = nearGuides(featureDims);
  return [
    {
      id: "dimensions-per-feature-fall",
      claim: "Dimensions per feature D* = d_hidden/‖W‖_F² fall from 1 toward the guide fractions (1/2, 2/5, …) as features get sparser.",
      holds: rho > 0.7 && first.dStar > 0.8 && last.dStar < 0.55,
      text:
        `D* = ${f2(first.dStar)} at p = ${f2(first.p)}, ${f2(last.dStar)} at p = ${last.p.toPrecision(2)} (Spearman ρ(p, D*) = ${f2(rho)}); ` +
        `${pct(near * featureDims.length, featureDims.length)} of the represented features' dimensionalities lie within 0.05 of 1 or a guide fraction.`,
    },
  ];
}

/** Mean of the `k` largest finite values (NaN when there are none). */
export function topMean(values: readonly number[], k = 5): number {
  const top = values
    .filter(Number.isFinite)
    .sort((a, b) => b - a)
    .slice(0, k);
  return top.length ? top.reduce((t, v) => t + v, 0) / top.length : NaN;
}

/**
 * Rows per dataset size: the mean of the 5 largest dimensionalities among the features and among
 * the training examples' hidden vectors. (Their sums are no measure: each set's dimensionalities
 * add up to about d_hidden.)
 */
export function doubleDescentFindings(rows: ReadonlyArray<{ size: number; featureTop: number; dataTop: number }>): Finding[] {
  if (rows.length < 2) return [];
  const sorted = [...rows].sort((a, b) => a.size - b.size);
  const small = sorted[0];
  const large = sorted[sorted.length - 1];
  return [
    {
      id: "double-descent-trade",
      claim:
        "Small datasets are memorised (the training examples get the dimensions), large ones generalise (the features get them): the two dimensionalities trade places as the dataset grows.",
      holds: small.dataTop > small.featureTop && large.featureTop > large.dataTop,
      text: `Mean of the 5 largest dimensionalities, data points vs features: ${f2(small.dataTop)} vs ${f2(small.featureTop)} at ${small.size} examples, ${f2(large.dataTop)} vs ${f2(large.featureTop)} at ${large.size}.`,
    },
  ];
}
