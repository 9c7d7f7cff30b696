/**
 * @toy-sae/report: figures rendered in Node (Observable Plot + jsdom) as
 * standalone SVG strings, a self-contained HTML report, and its PDF.
 * Figure functions take plain typed data — no Arrow, no file IO — so the
 * pipelines decide where data come from and where figures go.
 */

// Rendering
export { renderPlot, plotElement, serializeSvg } from "./render.ts";
export { compose, stack, textBlock, withTitle, svgSize, type Placement, type Size, type StackOptions } from "./compose.ts";
export { swatchLegend, type SwatchEntry, type SwatchLegendOptions } from "./legend.ts";
export * as style from "./style.ts";
export { formatNumber, formatScientific, formatCompact, superscript } from "./format.ts";
export { formatSeconds as formatDuration } from "./html/tables.ts";
export { columnFormat, columnStyle, tickFormat, tickStyle, formatWithStyle, type NumberStyle } from "./format-uniform.ts";
export { tip, tipNumber, tipVector, untitledMarks, dataMarkGroups, addMissingTitles, shownText } from "./titles.ts";
export { numericAxis, axisTicks, tickLabels, plotMargins, type AxisTicks, type AxisTickOptions, type MarginOptions } from "./figures/axis-ticks.ts";

// Figures
export type { TrueFeature, Vec2 } from "./figures/arrows.ts";
export {
  arrowGridFigure,
  arrowGridElement,
  type ArrowGridData,
  type ArrowGridCell,
  type ArrowGridOptions,
} from "./figures/arrow-grid.ts";
export {
  schematicFigure,
  schematicElement,
  type SchematicData,
  type SchematicInstance,
  type SchematicOptions,
} from "./figures/schematic.ts";
export {
  tmsTrainingFigure,
  tmsTrainingElement,
  type TmsTrainingData,
  type TmsTrainingOptions,
  type LossPoint,
  type EmbeddedFeature,
} from "./figures/tms-training.ts";
export {
  heatmapFigure,
  heatmapElement,
  heatmapColor,
  type HeatmapCell,
  type HeatmapKey,
  type HeatmapOptions,
  type HeatmapColor,
  type HeatmapColorKind,
} from "./figures/heatmap.ts";
export {
  lineBandFigure,
  lineBandElement,
  meanSdBands,
  type LinePoint,
  type BandPoint,
  type LineBandOptions,
  type MeanSdOptions,
} from "./figures/line-band.ts";
export { barFigure, barElement, type Bar, type BarOptions } from "./figures/bar.ts";
export { heatmapGridFigure, heatmapGridElement, type HeatmapGridRow, type HeatmapPanel, type HeatmapGridOptions } from "./figures/heatmap-grid.ts";
export { scatterFigure, scatterElement, type ScatterPoint, type ScatterOptions } from "./figures/scatter.ts";
export type { ReferenceInput, ReferenceLine } from "./figures/reference.ts";

// Report
export type {
  ReportDocument,
  ReportSection,
  ReportFigure,
  MetricsTable,
  MetricsColumn,
  MetricValue,
  Provenance,
  StageTiming,
  JsonValue,
} from "./report-document.ts";
export { buildReportHtml } from "./html.ts";
export { escapeHtml } from "./html/escape.ts";
export { scopeSvgIds } from "./html/svg-ids.ts";
export { REPORT_CSS } from "./html/css.ts";
export { writePdf, chromiumPath, launchFailure, PdfError, DEFAULT_CHROMIUM_PATH, CHROMIUM_ARGS, type PdfResult, type PdfOptions } from "./pdf.ts";
