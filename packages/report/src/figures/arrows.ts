/**
 * Vocabulary shared by the figures that draw 2-d directions as arrows from
 * the origin: the composed-feature toy's true features, SAE decoder rows and
 * TMS embedding rows all live in a 2-d hidden plane.
 */

/** A 2-d vector [x, y]. */
export type Vec2 = readonly [number, number];

/** A ground-truth feature direction, already rotated into the plotting frame by the pipeline. */
export interface TrueFeature {
  x: number;
  y: number;
  /** 0 = the x-set (green), 1 = the y-set (orange). */
  set: 0 | 1;
  /** e.g. "x1"; used in labels and accessible names. */
  label: string;
}

/** Half-width of a unit-vector panel: decoder rows have norm 1, so ±1.1 leaves room for heads. */
export const UNIT_PANEL_LIMIT = 1.1;

/**
 * Half-width that fits every vector with a 10% margin, never below the unit
 * panel, so unit decoder rows and longer embedding rows share one scale.
 */
export function panelLimit(vectors: ReadonlyArray<Vec2 | { x: number; y: number }>): number {
  let longest = 0;
  for (const v of vectors) {
    const [x, y] = "x" in v ? [v.x, v.y] : v;
    const norm = Math.hypot(x, y);
    if (Number.isFinite(norm)) longest = Math.max(longest, norm);
  }
  return Math.max(UNIT_PANEL_LIMIT, longest * 1.1);
}

/** "f1", "f2", … for decoder rows, 1-based as in the notebooks. */
export function latentLabel(index: number): string {
  return `f${index + 1}`;
}
