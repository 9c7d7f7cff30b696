/**
 * The findings of a sparse-but-wrong run, computed from its metrics (never hard-coded), and
 * the words that state them. Each finding says whether the paper's claim shows in this run.
 */
import { readBoolColumn, readFloatColumn, readIntColumn, readStringColumn, type Artifact } from "@toy-sae/core/artifact/arrow";
import { formatRho } from "./common.ts";

export interface MetricRow {
  sae: number;
  run: string;
  architecture: string;
  k: number;
  finalK: number;
  kFrom: number;
  rho: number;
  seed: number;
  l0Coefficient: number;
  model: string;
  init: string;
  trained: boolean;
  trueL0: number;
  l0: number;
  dead: number;
  varianceExplained: number;
  mse: number;
  featureMixing: number;
  pairwiseDec: number;
  pairwiseEnc: number;
  diagonalCos: number;
  mmcs: number;
  diverged: boolean;
}

export function metricRows(m: Artifact): MetricRow[] {
  const f = (name: string) => readFloatColumn(m, name);
  const c = {
    run: readStringColumn(m, "run"),
    architecture: readStringColumn(m, "architecture"),
    model: readStringColumn(m, "model"),
    init: readStringColumn(m, "init"),
    trained: readBoolColumn(m, "trained"),
    diverged: readBoolColumn(m, "diverged"),
    seed: readIntColumn(m, "seed"),
    sae: readIntColumn(m, "sae"),
    dead: readIntColumn(m, "dead"),
    k: f("k"),
    finalK: f("final_k"),
    kFrom: f("k_from"),
    rho: f("rho"),
    l0Coefficient: f("l0_coefficient"),
    trueL0: f("true_l0"),
    l0: f("l0"),
    ve: f("variance_explained"),
    mse: f("mse"),
    mixing: f("feature_mixing"),
    pdec: f("pairwise_dec_cos"),
    penc: f("pairwise_enc_cos"),
    diag: f("diagonal_cos"),
    mmcs: f("mmcs"),
  };
  return c.run.map((run, r) => ({
    sae: c.sae[r],
    run,
    architecture: c.architecture[r],
    k: c.k[r],
    finalK: c.finalK[r],
    kFrom: c.kFrom[r],
    rho: c.rho[r],
    seed: c.seed[r],
    l0Coefficient: c.l0Coefficient[r],
    model: c.model[r],
    init: c.init[r],
    trained: c.trained[r],
    trueL0: c.trueL0[r],
    l0: c.l0[r],
    dead: c.dead[r],
    varianceExplained: c.ve[r],
    mse: c.mse[r],
    featureMixing: c.mixing[r],
    pairwiseDec: c.pdec[r],
    pairwiseEnc: c.penc[r],
    diagonalCos: c.diag[r],
    mmcs: c.mmcs[r],
    diverged: c.diverged[r],
  }));
}

export interface Finding {
  id: string;
  /** The paper's claim, in words. */
  claim: string;
  /** Whether it shows in this run; null when the run has nothing to test it on. */
  holds: boolean | null;
  /** What this run measured. */
  text: string;
}

export const mean = (xs: readonly number[]): number => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : NaN);
export const fmt = (v: number, digits = 2): string => (Number.isFinite(v) ? v.toFixed(digits).replace(/^-/, "−") : "n/a");
const signed = (v: number, digits = 2) => (v > 0 ? "+" : "") + fmt(v, digits);

/** Distinct values in ascending order. */
export function sortedDistinct(xs: readonly number[]): number[] {
  return [...new Set(xs)].filter((x) => !Number.isNaN(x)).sort((a, b) => a - b);
}

/** Mean of `value` per distinct key, ascending by key (diverged SAEs left out). */
export function meanBy(rows: readonly MetricRow[], key: (r: MetricRow) => number, value: (r: MetricRow) => number): Array<{ x: number; y: number; n: number }> {
  const alive = rows.filter((r) => !r.diverged);
  return sortedDistinct(alive.map(key)).map((x) => {
    const ys = alive.filter((r) => key(r) === x).map(value);
    return { x, y: mean(ys), n: ys.length };
  });
}

/** The measured true L0 (all conditions share the firing probabilities, so one mean). */
export function trueL0Of(rows: readonly MetricRow[]): number {
  return mean(rows.map((r) => r.trueL0));
}

/** At k closest to the true L0, random init, no transition: do the decoder rows match the features? */
export function matchAtTrueL0(rows: readonly MetricRow[], trueL0: number): Finding {
  const claim = "At k = true L0 the SAE's decoder matches the true features.";
  const candidates = rows.filter((r) => !Number.isNaN(r.k) && r.trained && r.init === "random" && Number.isNaN(r.kFrom) && !r.diverged);
  if (!candidates.length) return { id: "match", claim, holds: null, text: "No randomly initialised BatchTopK SAE in this run." };
  const best = Math.min(...candidates.map((r) => Math.abs(r.k - trueL0)));
  const atL0 = candidates.filter((r) => Math.abs(r.k - trueL0) === best && best < 0.5);
  if (!atL0.length) return { id: "match", claim, holds: null, text: `No SAE trained within 0.5 of the true L0 (${fmt(trueL0)}).` };
  const k = atL0[0].k;
  // MMCS, not the plots' reordered diagonal: the reordering shifts every row after a feature
  // that two latents share (or none takes), which says little about how well features match.
  const mmcs = atL0.map((r) => r.mmcs);
  const good = mmcs.filter((d) => d >= 0.9).length;
  return {
    id: "match",
    claim,
    holds: good === mmcs.length,
    text:
      `At k = ${k} (true L0 ${fmt(trueL0)}) the mean over true features of their best decoder cosine (MMCS) is ${fmt(mean(mmcs))} ` +
      `over ${mmcs.length} SAE${mmcs.length > 1 ? "s" : ""} (min ${fmt(Math.min(...mmcs))}); ${good} of ${mmcs.length} reach ≥ 0.90` +
      (good === mmcs.length ? ": the decoder recovers the true features." : ": some random starts end in a poor local minimum, as the notebook warns."),
  };
}

/** Per SAE: the mixing-feature component of every other latent (from cos.arrow's decoder cosines). */
export type ComponentsOf = (sae: number) => number[];

/** GT-initialised SAEs with k below the true L0: does every other latent take the sign of ρ on feature 0? */
export function mixingSign(rows: readonly MetricRow[], trueL0: number, components: ComponentsOf, k: number): Finding {
  const claim = `At k = ${k} (below the true L0), every latent takes a positive feature-0 component when ρ > 0 and a negative one when ρ < 0.`;
  const pool = rows.filter((r) => r.init === "truth" && r.trained && r.k === k && k < trueL0 && !Number.isNaN(r.rho) && Math.abs(r.rho) >= 0.2 && !r.diverged);
  const baseModel = rows[0]?.model;
  const mine = pool.filter((r) => r.model === baseModel);
  if (!mine.length) return { id: "mixing-sign", claim, holds: null, text: `No ground-truth-initialised SAE at k = ${k} with |ρ| ≥ 0.2.` };
  const part = (sign: 1 | -1) => {
    const sel = mine.filter((r) => Math.sign(r.rho) === sign);
    const values = sel.flatMap((r) => components(r.sae));
    const right = sel.filter((r) => components(r.sae).every((v) => Math.sign(v) === sign)).length;
    return { sel, values, right };
  };
  const pos = part(1);
  const neg = part(-1);
  const describe = (p: ReturnType<typeof part>, word: string) =>
    p.sel.length
      ? `with ρ ${word} 0, ${p.right} of ${p.sel.length} SAEs have every latent's feature-0 component ${word === ">" ? "positive" : "negative"} (mean ${signed(mean(p.values))}, range ${signed(Math.min(...p.values))} … ${signed(Math.max(...p.values))})`
      : `no SAE with ρ ${word} 0`;
  const holds = pos.right === pos.sel.length && neg.right === neg.sel.length;
  return { id: "mixing-sign", claim, holds, text: `At k = ${k}, |ρ| ≥ 0.2: ${describe(pos, ">")}; ${describe(neg, "<")}.` };
}

/** Mean mixing against ρ: increasing in ρ (so |mixing| grows with |ρ| on both sides)? */
export function mixingVsRho(rows: readonly MetricRow[]): Finding {
  const claim = "Feature mixing grows with |ρ|, with the sign of ρ.";
  const curve = meanBy(
    rows,
    (r) => r.rho,
    (r) => r.featureMixing,
  );
  if (curve.length < 3) return { id: "mixing-rho", claim, holds: null, text: "Fewer than three ρ values in this run." };
  const increasing = curve.every((p, i) => i === 0 || p.y > curve[i - 1].y);
  const pos = curve.filter((p) => p.x > 0);
  const neg = curve.filter((p) => p.x < 0).reverse();
  const growsAbs = (ps: typeof curve) => ps.every((p, i) => i === 0 || Math.abs(p.y) >= Math.abs(ps[i - 1].y) - 0.005);
  const holds = increasing || (growsAbs(pos) && growsAbs(neg));
  return {
    id: "mixing-rho",
    claim,
    holds,
    text:
      `Mean mixing per ρ: ${curve.map((p) => `${signed(p.x, 1)}: ${signed(p.y)}`).join(", ")}` +
      (increasing ? " — strictly increasing in ρ." : holds ? " — |mixing| grows with |ρ| on each side (within 0.005)." : " — not monotone in this run."),
  };
}

/** |mixing| against k per sign of ρ: shrinking as k → true L0? */
export function mixingVsK(rows: readonly MetricRow[]): Finding {
  const claim = "Feature mixing shrinks as k approaches the true L0.";
  const parts = [1, -1].flatMap((sign) => {
    const curve = meanBy(
      rows.filter((r) => Math.sign(r.rho) === sign),
      (r) => r.k,
      (r) => r.featureMixing,
    );
    return curve.length >= 2 ? [{ sign, curve }] : [];
  });
  if (!parts.length) return { id: "mixing-k", claim, holds: null, text: "Fewer than two k values in this run." };
  const shrinking = parts.map((p) => p.curve.every((q, i) => i === 0 || Math.abs(q.y) < Math.abs(p.curve[i - 1].y)));
  return {
    id: "mixing-k",
    claim,
    holds: shrinking.every(Boolean),
    text:
      parts
        .map(
          (p, i) =>
            `${p.sign > 0 ? "ρ > 0" : "ρ < 0"}: ${p.curve.map((q) => `k ${q.x}: ${signed(q.y)}`).join(", ")}${shrinking[i] ? " (|mixing| shrinks with k)" : " (not monotone)"}`,
        )
        .join("; ") + ".",
  };
}

/** argmin over k of a mean-over-seeds curve. */
export function argminCurve(curve: ReadonlyArray<{ x: number; y: number }>): number {
  let best = curve[0];
  for (const p of curve) if (p.y < best.y) best = p;
  return best?.x ?? NaN;
}

/** s_n^dec per n: the k (or L0) where it is lowest; "near the true L0" = within `tolerance`. */
export function projectionMinima(curves: ReadonlyArray<{ n: number; curve: ReadonlyArray<{ x: number; y: number }> }>, trueL0: number, xName: string, tolerance = 2): Finding {
  const claim = `The n-th decoder projection s_n^dec (n above the true L0) is lowest near the true L0.`;
  if (!curves.length) return { id: "projection", claim, holds: null, text: "No decoder projections in this run." };
  const minima = curves.map((c) => ({ n: c.n, at: argminCurve(c.curve) }));
  const near = minima.filter((m) => Math.abs(m.at - trueL0) <= tolerance).length;
  return {
    id: "projection",
    claim,
    holds: near >= Math.ceil(minima.length / 2),
    text:
      `Lowest mean s_n^dec at ${xName} = ${minima.map((m) => `${fmt(m.at, Number.isInteger(m.at) ? 0 : 1)} (n = ${m.n})`).join(", ")}; ` +
      `${near} of ${minima.length} within ±${tolerance} of the true L0 ${fmt(trueL0)}.`,
  };
}

export function pairwiseMinimum(curve: ReadonlyArray<{ x: number; y: number }>, trueL0: number, tolerance = 2): Finding {
  const claim = "Mean |cos| between decoder rows is lowest near the true L0.";
  if (curve.length < 3) return { id: "pairwise", claim, holds: null, text: "Fewer than three k values in this run." };
  const at = argminCurve(curve);
  const y = curve.find((p) => p.x === at)?.y ?? NaN;
  const ends = `${fmt(curve[0].y, 3)} at k = ${curve[0].x} and ${fmt(curve[curve.length - 1].y, 3)} at k = ${curve[curve.length - 1].x}`;
  return {
    id: "pairwise",
    claim,
    holds: Math.abs(at - trueL0) <= tolerance,
    text: `Mean pairwise decoder |cos| is lowest at k = ${at} (${fmt(y, 3)}; ${ends}); the true L0 is ${fmt(trueL0)}.`,
  };
}

/** Trained SAEs vs the untrained ground-truth SAE below the true L0: who reconstructs better? */
export function tradeoff(trained: ReadonlyArray<{ x: number; y: number }>, truth: ReadonlyArray<{ x: number; y: number }>, trueL0: number): Finding {
  const claim = "Below the true L0, SAEs trained at that k explain more variance than the ground-truth SAE run at that k: the wrong solution is rewarded.";
  const below = trained.filter((p) => p.x < trueL0 - 0.5 && truth.some((q) => q.x === p.x));
  if (!below.length) return { id: "tradeoff", claim, holds: null, text: "No k below the true L0 with both a trained and a ground-truth SAE." };
  const wins = below.filter((p) => p.y > (truth.find((q) => q.x === p.x)?.y ?? Infinity));
  const show = below.filter((_, i) => i % Math.max(1, Math.ceil(below.length / 6)) === 0);
  return {
    id: "tradeoff",
    claim,
    holds: wins.length === below.length,
    text:
      `Trained SAEs explain more variance than the ground-truth SAE at ${wins.length} of ${below.length} k values below the true L0 ` +
      `(e.g. ${show.map((p) => `k ${p.x}: ${fmt(p.y, 3)} vs ${fmt(truth.find((q) => q.x === p.x)?.y ?? NaN, 3)}`).join("; ")}).`,
  };
}

export function forcedKFinding(rows: ReadonlyArray<{ fromK: number; toK: number; forced: number; trained: number }>): Finding {
  const claim = "An SAE trained at a low k reconstructs better at that k than the correct SAE forced down to it.";
  const usable = rows.filter((r) => Number.isFinite(r.trained));
  if (!usable.length) return { id: "forced-k", claim, holds: null, text: "No forced-k comparison in this run." };
  return {
    id: "forced-k",
    claim,
    holds: usable.every((r) => r.trained < r.forced),
    text:
      usable
        .map((r) => `k = ${r.fromK} SAE forced to k = ${r.toK}: MSE ${fmt(r.forced, 3)}; trained at k = ${r.toK}: ${fmt(r.trained, 3)} (${fmt(r.forced / r.trained, 1)}×)`)
        .join("; ") + ".",
  };
}

/** Main toy (figure 3): below the true L0 more latents carry the most frequent feature than at it. */
export function mainMixingFinding(rows: ReadonlyArray<{ k: number; carrying: number }>, trueL0: number, feature: number): Finding {
  const at = rows.filter((r) => Math.abs(r.k - trueL0) <= 0.5);
  const below = rows.filter((r) => r.k < trueL0 - 0.5);
  const claim = `At k < true L0 the latents absorb part of feature ${feature}, the most frequent feature; at k = true L0 they do not.`;
  if (!at.length || !below.length) return { id: "mixing-below-true-l0", claim, holds: null, text: "The run has no random-init heatmap both at and below the true L0." };
  const maxAt = Math.max(...at.map((r) => r.carrying));
  const minBelow = Math.min(...below.map((r) => r.carrying));
  return {
    id: "mixing-below-true-l0",
    claim,
    holds: minBelow > maxAt,
    text: `Latents with a |cos| ≥ 0.1 feature-${feature} component: ${below.map((r) => `${r.carrying} at k = ${r.k}`).join(", ")}; ${at.map((r) => `${r.carrying} at k = ${r.k}`).join(", ")}.`,
  };
}

/** Figure 11: after the superposition adjustment the mixing keeps the sign of ρ. */
export function superpositionFinding(rows: ReadonlyArray<{ rho: number; components: number[] }>, feature: number): Finding {
  const ok = rows.every((r) => r.components.length > 0 && r.components.every((v) => Math.sign(v) === Math.sign(r.rho)));
  return {
    id: "superposition-mixing-sign",
    claim: `With the features in superposition, the feature-${feature} components of the other latents keep the sign of ρ once the features' own cosines are subtracted.`,
    holds: rows.length ? ok : null,
    text: rows.map((r) => `${formatRho(r.rho)}: ${r.components.map((v) => fmt(v)).join(", ")}`).join("; ") + ".",
  };
}

export { formatRho };
