/**
 * The content of a report, as plain data. The pipelines assemble it from
 * artifacts; buildReportHtml turns it into one self-contained page.
 */

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

export interface ReportFigure {
  /** Standalone SVG markup from one of the figure functions. */
  svg: string;
  caption: string;
  /**
   * A heading above the figure ("Figure 3. Loss of the lowest-loss SAE"): listed in the table of
   * contents and a bookmark in the PDF's outline. Without one the caption starts with the number.
   */
  title?: string;
  /**
   * Figures a reader compares: consecutive figures with the same group sit side by side in one
   * row (wrapping when the page is too narrow), e.g. the loss, monosemanticity and MMCS heatmaps
   * of one condition.
   */
  group?: string;
  /** Anchor id; default derived from the section and position. */
  id?: string;
  /**
   * Frames of an animation (e.g. snapshots over training). The HTML shows them one at a time
   * behind a range input (a small inline script, no network); print, the PDF and a browser
   * without scripts show `svg` instead (small multiples of the same frames).
   */
  frames?: readonly ReportFrame[];
}

export interface ReportFrame {
  svg: string;
  /** What the frame shows, e.g. "step 2,500". */
  label: string;
}

export interface ReportSection {
  heading: string;
  /** Anchor id; default "section-<n>". */
  id?: string;
  /** Plain-text paragraphs (escaped, never interpreted as HTML). */
  paragraphs?: readonly string[];
  figures?: readonly ReportFigure[];
}

export type MetricValue = number | string | boolean | null;

export interface MetricsColumn {
  key: string;
  /** Header text; default the key. */
  label?: string;
  /** Significant digits for non-integer numbers; default 4. */
  digits?: number;
}

export interface MetricsTable {
  columns: ReadonlyArray<string | MetricsColumn>;
  rows: ReadonlyArray<Readonly<Record<string, MetricValue>>>;
  /** Row field that marks a diverged run (styled and labelled); default "diverged". */
  divergedKey?: string;
  caption?: string;
}

export interface StageTiming {
  stage: string;
  seconds: number;
  /** Nx restored the stage from its cache instead of running it. */
  cached?: boolean;
}

export interface Provenance {
  configHash: string;
  seeds: readonly number[];
  /** e.g. { "@toy-sae/core": "0.1.0", "@tensorflow/tfjs-core": "4.22.0" }. */
  packageVersions: Readonly<Record<string, string>>;
  /** Tensor backend the numbers came from, e.g. "cpu" or "tensorflow". */
  backend: string;
  stageTimings: readonly StageTiming[];
  /** ISO 8601 timestamp. */
  generatedAt: string;
  experiment?: string;
  /** The git commit the training artifact was made at, and whether the tree had uncommitted changes. */
  source?: { commit: string; dirty: boolean | "unknown" };
  /** The run's length against the original's, one sentence (e.g. its share of the original's work and the paper profile's time here). */
  length?: string;
}

export interface ReportDocument {
  title: string;
  summary: string;
  sections: readonly ReportSection[];
  /** The experiment config as run (after defaults), shown as pretty JSON. */
  config: JsonValue;
  metrics?: MetricsTable;
  provenance: Provenance;
}
