/**
 * The report every kind ends with: findings measured in the run, what was run, the figures in
 * the sections the plots stage named, the config, the metrics table and provenance; HTML, then
 * the PDF when a Chromium is installed. A kind gives only its title, methods and metrics table.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { Artifact } from "@toy-sae/core/artifact/arrow";
import {
  buildReportHtml,
  formatDuration,
  PdfError,
  writePdf,
  type JsonValue,
  type MetricsTable,
  type PdfResult,
  type Provenance,
  type ReportFigure,
  type ReportSection,
} from "@toy-sae/report";
import { readTiming, type StageContext } from "./context.ts";
import { readManifest, type FigureManifest } from "./manifest.ts";
import { StageError } from "./stage-error.ts";
import { runLength, runLengthSentence, type WorkByProfile } from "./run-length.ts";
import { STAGES } from "./stages.ts";

/** Provenance of a report: config hash, versions and backend of the training artifact, stage timings. */
export function reportProvenance(ctx: StageContext<unknown>, trained: Artifact, seeds: number[]): Provenance {
  const stageTimings = (["config", ...STAGES] as const).flatMap((s) => {
    const t = s === "report" ? null : readTiming(ctx.root, s);
    return t ? [{ stage: s, seconds: t.seconds }] : [];
  });
  const length = lengthOf(ctx, stageTimings);
  return {
    configHash: trained.metadata.configHash ?? "",
    seeds,
    packageVersions: JSON.parse(trained.metadata.versions ?? "{}") as Record<string, string>,
    backend: `${trained.metadata.backend} (training engine: ${trained.metadata.engine ?? "?"})`,
    stageTimings,
    generatedAt: new Date().toISOString(),
    experiment: `${ctx.experiment} (profile ${ctx.profile})`,
    ...(length ? { length } : {}),
    ...(trained.metadata.gitCommit === undefined ? {} : { source: { commit: trained.metadata.gitCommit, dirty: parseDirty(trained.metadata.gitDirty) } }),
  };
}

/** The run's length against the original's (run-length.ts), from the work the config stage estimated for every profile. */
function lengthOf(ctx: StageContext<unknown>, measured: ReadonlyArray<{ stage: string; seconds: number }>): string | undefined {
  // the report's own config snapshot, which the stage CLI has already found (it fails without one)
  const snapshot = JSON.parse(readFileSync(join(ctx.root, "config", "report.json"), "utf8")) as { work?: WorkByProfile };
  const length = snapshot.work ? runLength(snapshot.work, ctx.profile, measured) : null;
  return length ? runLengthSentence(length, formatDuration) : undefined;
}

function parseDirty(value: string | undefined): boolean | "unknown" {
  return value === "true" ? true : value === "false" ? false : "unknown";
}

/**
 * The PDF of an HTML page next to it. No Chromium: `{ok: false}` with one line saying how to get
 * one (the HTML is the primary output, and the report stage's cache key includes which Chromium
 * is installed, so installing one reruns it — nx/chromium.cjs). A broken Chromium: a StageError,
 * one line naming the executable and the fix, so the stage fails and nothing is cached.
 */
export async function printPdf(htmlPath: string, pdfPath: string): Promise<PdfResult> {
  try {
    return await writePdf(htmlPath, pdfPath);
  } catch (error) {
    throw error instanceof PdfError ? new StageError(error.message) : error;
  }
}

/** Write index.html, then report.pdf when a Chromium is available (else one line saying how to get it). */
export async function writeReport(ctx: StageContext<unknown>, html: string): Promise<void> {
  const htmlPath = ctx.writeText("index.html", html);
  ctx.log(`HTML report: ${htmlPath}`);
  const pdf = await printPdf(htmlPath, join(ctx.dir, "report.pdf"));
  ctx.log(pdf.ok ? `PDF report: ${pdf.path}` : pdf.message);
}

export interface ExperimentReport {
  title: string;
  /** The experiment's description and anything the kind adds; the findings' tally is appended. */
  summary: string;
  /** "What was run": paragraphs computed from the config (and deviations from the original). */
  methods: string[];
  metrics: MetricsTable;
  /** The training artifact whose provenance the report shows. */
  trained: Artifact;
  seeds: number[];
  config: JsonValue;
}

/** "Shows — claim measured" lines of the findings section. */
export function findingLines(manifest: FigureManifest): string[] {
  return manifest.findings.map((f) => `${f.holds === null ? "Not tested" : f.holds ? "Shows" : "Does not show"} — ${f.claim} ${f.text}`);
}

export async function writeExperimentReport(ctx: StageContext<unknown>, report: ExperimentReport): Promise<void> {
  const manifest = readManifest(ctx);
  const figure = (f: FigureManifest["figures"][number]): ReportFigure => ({
    svg: ctx.readText("plots", f.file),
    title: f.title,
    caption: f.caption,
    id: f.id,
    ...(f.group ? { group: f.group } : {}),
    ...(f.frames ? { frames: f.frames.map((k) => ({ svg: ctx.readText("plots", k.file), label: k.label })) } : {}),
  });
  const figureSections: ReportSection[] = manifest.sections.map((s) => ({
    heading: s.heading,
    id: s.id,
    paragraphs: s.paragraphs,
    figures: manifest.figures.filter((f) => f.section === s.id).map(figure),
  }));
  const tested = manifest.findings.filter((f) => f.holds !== null);
  const shown = tested.filter((f) => f.holds === true);
  const sections: ReportSection[] = [];
  if (manifest.findings.length) sections.push({ heading: "Findings in this run", id: "findings", paragraphs: findingLines(manifest) });
  sections.push({ heading: "What was run", id: "methods", paragraphs: report.methods }, ...figureSections);
  const tally = manifest.findings.length
    ? ` In this run ${shown.length} of ${tested.length} tested findings of the original show (profile ${ctx.profile}). ${manifest.findings.map((f) => `${f.holds === null ? "–" : f.holds ? "✓" : "✗"} ${f.claim}`).join(" ")}`
    : "";
  const html = buildReportHtml({
    title: report.title,
    summary: `${report.summary}${tally}`,
    sections,
    config: report.config,
    metrics: report.metrics,
    provenance: reportProvenance(ctx, report.trained, report.seeds),
  });
  await writeReport(ctx, html);
}
