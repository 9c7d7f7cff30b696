/**
 * Visual constants shared by every figure, so that the HTML report, the PDF and
 * standalone .svg files all look alike.
 *
 * Fonts are fixed explicitly because there is no layout engine in Node: Plot
 * estimates text widths for a ~10px sans-serif, and the report's Chromium has
 * DejaVu/Liberation installed (Debian), not the "system-ui" Plot asks for.
 */

/** Font stack for every figure; DejaVu Sans first because Debian Chromium has it. */
export const FONT_FAMILY = "'DejaVu Sans', 'Liberation Sans', Arial, Helvetica, sans-serif";

/** Base font size in px for tick labels and annotations (Plot's own default). */
export const FONT_SIZE = 10;

/** Font size in px for panel headings and figure titles drawn inside an SVG. */
export const TITLE_FONT_SIZE = 12;

/**
 * Colours of the composed-feature toy (§3.4 plot_grid): the x-set and y-set
 * true features use matplotlib's Dark2 green and orange, as the notebook does.
 */
export const X_SET_COLOR = "rgb(27,158,119)";
export const Y_SET_COLOR = "rgb(217,95,2)";

/** Lowest-loss instance's decoder rows. */
export const BEST_COLOR = "black";

/** Most monosemantic instance's decoder rows, when it is a different instance. */
export const MONO_COLOR = "rgb(140,140,140)";

/** Reference lines such as "true L0 = 11" (the notebooks use a red dashed line). */
export const REFERENCE_COLOR = "rgb(214,39,40)";

/** Marks something that failed, e.g. a diverged grid cell. */
export const ALERT_COLOR = "rgb(200,30,30)";
export const ALERT_FILL = "rgb(253,224,221)";

/** Fill for heatmap cells that have no finite value. */
export const MISSING_FILL = "rgb(220,220,220)";

/** Colour of a true-feature set (0 = x-set, 1 = y-set). */
export function setColor(set: 0 | 1): string {
  return set === 0 ? X_SET_COLOR : Y_SET_COLOR;
}

/**
 * Categorical palette for series (Observable's "observable10"), listed here so
 * that a legend drawn by hand and the marks agree on the colour of a series.
 */
export const SERIES_COLORS: readonly string[] = ["#4269d0", "#efb118", "#ff725c", "#6cc5b0", "#3ca951", "#ff8ab7", "#a463f2", "#97bbf5", "#9c6b4e", "#9498a0"];
