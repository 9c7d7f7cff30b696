import { swatchLegend } from "../legend.ts";
import { SERIES_COLORS } from "../style.ts";

/**
 * Series colours fixed up front (rather than left to Plot's ordinal scale), so
 * the marks and the hand-drawn SVG legend cannot disagree.
 */

export interface SeriesColors {
  /** Series names in first-appearance order. */
  names: string[];
  colorOf: (name: string) => string;
  /** Plot color-scale options mapping each name to its colour. */
  scale: { domain: string[]; range: string[] };
}

export function seriesColors(names: Iterable<string>, palette: readonly string[] = SERIES_COLORS): SeriesColors {
  const unique = [...new Set(names)];
  if (palette.length === 0) throw new Error("seriesColors: the palette is empty");
  const colorAt = (i: number) => palette[i % palette.length]!; // in range: the palette is not empty
  const range = unique.map((_, i) => colorAt(i));
  const index = new Map(unique.map((name, i) => [name, i]));
  return {
    names: unique,
    colorOf: (name) => colorAt(index.get(name) ?? 0),
    scale: { domain: unique, range },
  };
}

/** A legend only when there is more than one series to tell apart. */
export function seriesLegend(colors: SeriesColors, kind: "line" | "square", maxWidth: number): SVGSVGElement | null {
  if (colors.names.length < 2) return null;
  return swatchLegend(
    colors.names.map((name) => ({ label: name, color: colors.colorOf(name) })),
    { kind, maxWidth },
  );
}
