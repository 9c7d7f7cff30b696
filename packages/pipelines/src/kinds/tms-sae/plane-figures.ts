/**
 * The toy SAEs in the TMS hidden plane over training (ARENA 1.3.1 §2's animation; figures
 * 33–34): per snapshot step and instance, the model's true feature directions (grey, their real
 * length), each latent's decoder row (solid) and encoder column (dashed), both drawn as unit
 * directions, coloured by latent, with a ring on latents resampled since the previous row or
 * frame. Also the frac_active curves with the resampling steps.
 */
import { categoryColor } from "@toy-sae/report/figures/arena/svg";
import { vectorPanelsFigure, type PlanePanel, type PlaneRow, type PlaneVector } from "@toy-sae/report/figures/arena/vector-panels";
import { xyPanelsFigure, type XyPanel } from "@toy-sae/report/figures/arena/xy-panels";
import type { SaeParams } from "@toy-sae/core/sae/types";

export interface SaeTrajectory {
  instance: number;
  /** Snapshots in step order. */
  snapshots: ReadonlyArray<{ step: number; params: SaeParams }>;
  /** Resampling events of this SAE. */
  events: ReadonlyArray<{ step: number; latent: number }>;
  /** frac_active per logged step, one array per step (latents). */
  fracActive: ReadonlyArray<{ step: number; values: ArrayLike<number> }>;
}

const unit = (x: number, y: number): [number, number] => {
  const n = Math.hypot(x, y);
  return n > 0 ? [x / n, y / n] : [0, 0];
};

export const PLANE_LEGEND = [
  { label: "true feature (model's W column)", color: "#999" },
  { label: "decoder row", color: categoryColor(0) },
  { label: "encoder column", color: categoryColor(0), dashed: true },
];

/** The panel of one SAE at one snapshot; `ringed` are the latents resampled since the previous shown step. */
export function planePanel(title: string, truth: Float64Array, nFeatures: number, p: SaeParams, ringed: ReadonlySet<number>): PlanePanel {
  const D = p.dIn;
  const M = p.dSae;
  const vectors: PlaneVector[] = [];
  for (let f = 0; f < nFeatures; f++) vectors.push({ x: truth[f * D], y: truth[f * D + 1], color: "#999", width: 1, opacity: 0.9 });
  for (let j = 0; j < M; j++) {
    const [ex, ey] = unit(p.wEnc[j], p.wEnc[M + j]);
    vectors.push({ x: ex, y: ey, color: categoryColor(j), dashed: true, width: 1.1 });
  }
  for (let j = 0; j < M; j++) {
    const [dx, dy] = unit(p.wDec[j * D], p.wDec[j * D + 1]);
    vectors.push({ x: dx, y: dy, color: categoryColor(j), width: 1.8, ring: ringed.has(j) });
  }
  return { title, vectors };
}

/** Indices of `count` snapshots evenly spaced over `total` (first and last included). */
export function evenlySpaced(total: number, count: number): number[] {
  if (total <= count) return Array.from({ length: total }, (_, k) => k);
  return [...new Set(Array.from({ length: count }, (_, k) => Math.round((k * (total - 1)) / (count - 1))))];
}

function rowAt(trajectories: readonly SaeTrajectory[], k: number, previousStep: number, truth: Float64Array, nFeatures: number): PlaneRow {
  const step = trajectories[0].snapshots[k].step;
  return {
    label: `step ${step.toLocaleString("en")}`,
    panels: trajectories.map((t) => {
      const ringed = new Set(t.events.filter((e) => e.step > previousStep && e.step <= step).map((e) => e.latent));
      return planePanel(`inst ${t.instance}`, truth, nFeatures, t.snapshots[k].params, ringed);
    }),
  };
}

/** Small multiples (rows of snapshots) and the animation frames (one row each) of one run. */
export function planeFigures(
  trajectories: readonly SaeTrajectory[],
  truth: Float64Array,
  nFeatures: number,
  rows: number,
  frames: number,
  title: string,
): { svg: string; frames: Array<{ svg: string; label: string }> } {
  const total = trajectories[0].snapshots.length;
  const limit = Math.max(1.15, ...Array.from({ length: nFeatures }, (_, f) => 1.12 * Math.hypot(truth[2 * f], truth[2 * f + 1])));
  const pick = (indices: number[]) => indices.map((k, n) => ({ k, previous: n === 0 ? -1 : trajectories[0].snapshots[indices[n - 1]].step }));
  const staticRows = pick(evenlySpaced(total, rows)).map(({ k, previous }) => rowAt(trajectories, k, previous, truth, nFeatures));
  const svg = vectorPanelsFigure(staticRows, { size: 92, limit, title, legend: PLANE_LEGEND });
  const frameSvgs = pick(evenlySpaced(total, frames)).map(({ k, previous }) => {
    const row = rowAt(trajectories, k, previous, truth, nFeatures);
    return { svg: vectorPanelsFigure([row], { size: 110, limit, title: `${title} — ${row.label}`, legend: PLANE_LEGEND }), label: row.label };
  });
  return { svg, frames: frameSvgs };
}

/** Trailing moving average over `window` points. */
export function movingAverage(values: readonly number[], window: number): number[] {
  const out: number[] = [];
  let sum = 0;
  values.forEach((v, k) => {
    sum += v;
    if (k >= window) sum -= values[k - window];
    out.push(sum / Math.min(k + 1, window));
  });
  return out;
}

/** frac_active of every latent over training (moving average), one panel per instance, resampling steps as rules. */
export function fracActiveFigure(trajectories: readonly SaeTrajectory[], window: number, dSae: number, title: string): string {
  const panels: XyPanel[] = trajectories.map((t) => ({
    title: `inst ${t.instance}`,
    series: Array.from({ length: dSae }, (_, j) => {
      const smooth = movingAverage(
        t.fracActive.map((p) => p.values[j]),
        window,
      );
      return { points: t.fracActive.map((p, k) => ({ x: p.step, y: smooth[k] })), color: categoryColor(j), width: 1.3 };
    }),
    vrules: t.events.map((e) => ({ value: e.step, color: categoryColor(e.latent) })),
  }));
  return xyPanelsFigure(panels, {
    xLabel: "step",
    yLabel: "frac_active",
    columns: 4,
    width: 170,
    height: 110,
    title,
    legend: Array.from({ length: dSae }, (_, j) => ({ label: `latent ${j}`, color: categoryColor(j) })),
  });
}
