/** What every kind's report stage does the same way: provenance from the artifacts, then HTML + PDF. */
import { join } from "node:path";
import type { Artifact } from "@toy-sae/core/artifact/arrow";
import { writePdf, type Provenance } from "@toy-sae/report";
import { readTiming, STAGES, type StageContext } from "./context.ts";

/** Provenance of a report: config hash, versions and backend of the training artifact, stage timings. */
export function reportProvenance(ctx: StageContext<unknown>, trained: Artifact, seeds: number[]): Provenance {
  const stageTimings = STAGES.flatMap((s) => {
    const t = s === "report" ? null : readTiming(ctx.root, s);
    return t ? [{ stage: s, seconds: t.seconds }] : [];
  });
  return {
    configHash: trained.metadata["configHash"] ?? "",
    seeds,
    packageVersions: JSON.parse(trained.metadata["versions"] ?? "{}") as Record<string, string>,
    backend: `${trained.metadata["backend"]} (training engine: ${trained.metadata["engine"] ?? "?"})`,
    stageTimings,
    generatedAt: new Date().toISOString(),
    experiment: `${ctx.experiment} (profile ${ctx.profile})`,
  };
}

/** Write index.html, then report.pdf when a Chromium is available (else one line saying how to get it). */
export async function writeReport(ctx: StageContext<unknown>, html: string): Promise<void> {
  const htmlPath = ctx.writeText("index.html", html);
  ctx.log(`HTML report: ${htmlPath}`);
  const pdf = await writePdf(htmlPath, join(ctx.dir, "report.pdf"));
  ctx.log(pdf.ok ? `PDF report: ${pdf.path}` : pdf.message);
}
