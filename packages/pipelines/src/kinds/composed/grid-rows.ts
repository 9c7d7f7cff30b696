/**
 * The rows the 2-d figures are drawn from (one per SAE: its grid cell, decoder rows and metrics)
 * and the original's rotation of the hidden plane.
 */
import { readBoolColumn, readFloatColumn, readIntColumn, readStringColumn, type Artifact } from "@toy-sae/core/artifact/arrow";
import type { Vec2 } from "@toy-sae/report";

/** Decoder rows [dSae, 2] as points. */
function rowsOf2d(w: Float32Array): Vec2[] {
  return Array.from({ length: w.length / 2 }, (_, j) => [w[2 * j], w[2 * j + 1]] as Vec2);
}

/**
 * Rotate 2-d points as the original plot_grid does: θ = arctan(W01/W00) (arctan, not atan2, so
 * feature 0 can land on −x), points p·R with R = [[cos θ, −sin θ], [sin θ, cos θ]].
 */
export function rotationFor(w: Float32Array): (p: Vec2) => Vec2 {
  const theta = Math.atan(w[1] / w[0]); // w[0], w[1]: feature 0's direction (W00, W01)
  const c = Math.cos(theta);
  const s = Math.sin(theta);
  return ([x, y]) => [x * c + y * s, -x * s + y * c];
}

export interface SaeRow {
  condition: string;
  lr: number;
  l1: number;
  lrIndex: number;
  l1Index: number;
  instance: number;
  decoder: Vec2[];
  loss: number;
  mono: number;
  mmcs: number;
  offAxis: number;
  composed: number;
  l0: number;
  dead: number;
  diverged: boolean;
  best: boolean;
  mostMono: boolean;
}

/** Rows of metrics.arrow with each SAE's decoder rows (2-d conditions only). */
export function saeRows(metrics: Artifact, decoderOf: (row: number) => Float32Array): SaeRow[] {
  const get = {
    condition: readStringColumn(metrics, "condition"),
    lr: readFloatColumn(metrics, "lr"),
    l1: readFloatColumn(metrics, "l1"),
    lrIndex: readIntColumn(metrics, "lr_index"),
    l1Index: readIntColumn(metrics, "l1_index"),
    instance: readIntColumn(metrics, "instance"),
    loss: readFloatColumn(metrics, "loss"),
    mono: readFloatColumn(metrics, "monosemanticity"),
    mmcs: readFloatColumn(metrics, "mmcs"),
    offAxis: readIntColumn(metrics, "off_axis_latents"),
    composed: readIntColumn(metrics, "composed_latents"),
    l0: readFloatColumn(metrics, "l0"),
    dead: readIntColumn(metrics, "dead"),
    diverged: readBoolColumn(metrics, "diverged"),
    best: readBoolColumn(metrics, "best_in_cell"),
    mostMono: readBoolColumn(metrics, "most_mono_in_cell"),
  };
  return get.condition.map((condition, r) => ({
    condition,
    lr: get.lr[r],
    l1: get.l1[r],
    lrIndex: get.lrIndex[r],
    l1Index: get.l1Index[r],
    instance: get.instance[r],
    // metrics.arrow and saes.arrow share the row order (one row per SAE, instance axis order)
    decoder: rowsOf2d(decoderOf(r)),
    loss: get.loss[r],
    mono: get.mono[r],
    mmcs: get.mmcs[r],
    offAxis: get.offAxis[r],
    composed: get.composed[r],
    l0: get.l0[r],
    dead: get.dead[r],
    diverged: get.diverged[r],
    best: get.best[r],
    mostMono: get.mostMono[r],
  }));
}
