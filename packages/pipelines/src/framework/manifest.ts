/**
 * The figure manifest a plots stage writes (plots/figures.json) and the report stage and the
 * reproduction index read back, validated: the figures with their captions and report sections,
 * the paper's findings as measured in the run, and which catalogue figures the run reproduces.
 */
import { Type, type Static } from "@sinclair/typebox";
import { oneOf, schemaProblems, strictObject } from "@toy-sae/core/schema/index";
import { CATALOGUE } from "./catalogue.ts";
import type { StageContext } from "./context.ts";

const FindingSchema = strictObject({
  id: Type.String({ minLength: 1 }),
  /** The original's claim, in words. */
  claim: Type.String(),
  /** Whether it shows in this run; null when the run has nothing to test it on. */
  holds: Type.Union([Type.Boolean(), Type.Null()]),
  /** What this run measured. */
  text: Type.String(),
});

const FigureSchema = strictObject({
  id: Type.String({ pattern: "^[a-z0-9][a-z0-9-]*$" }),
  title: Type.String(),
  caption: Type.String(),
  file: Type.String({ pattern: "^[a-z0-9][a-z0-9-]*\\.svg$" }),
  /** Id of the report section it belongs to. */
  section: Type.String(),
  /** Figures a reader compares share a group: consecutive ones sit side by side in the report. */
  group: Type.Optional(Type.String({ minLength: 1 })),
  /** The artifacts it was drawn from. */
  source: Type.Array(Type.String()),
  /** Frames of an animation (the HTML steps through them; `file` holds their small multiples for print). */
  frames: Type.Optional(Type.Array(strictObject({ file: Type.String({ pattern: "^[a-z0-9][a-z0-9-]*\\.svg$" }), label: Type.String() }), { minItems: 1 })),
});

const SectionSchema = strictObject({ id: Type.String({ pattern: "^[a-z0-9][a-z0-9-]*$" }), heading: Type.String(), paragraphs: Type.Array(Type.String()) });

const ReproductionSchema = strictObject({
  /** Catalogue number (framework/catalogue.ts). */
  figure: Type.Integer({ minimum: 1, maximum: CATALOGUE.length }),
  /** Ids of the figures in this report that draw it (the first is the thumbnail). */
  figures: Type.Array(Type.String(), { minItems: 1 }),
  /** Ids of the findings that decide its status. */
  findings: Type.Array(Type.String()),
  status: oneOf(["shows", "does-not-show"]),
});

const ManifestSchema = strictObject({
  experiment: Type.String(),
  kind: Type.String(),
  profile: Type.String(),
  configHash: Type.String(),
  sections: Type.Array(SectionSchema),
  figures: Type.Array(FigureSchema),
  findings: Type.Array(FindingSchema),
  reproduces: Type.Array(ReproductionSchema),
});

export type Finding = Static<typeof FindingSchema>;
export type FigureEntry = Static<typeof FigureSchema>;
export type ManifestSection = Static<typeof SectionSchema>;
export type Reproduction = Static<typeof ReproductionSchema>;
export type FigureManifest = Static<typeof ManifestSchema>;

/** Problems of a manifest beyond its schema: references that must resolve. */
function crossProblems(m: FigureManifest): string[] {
  const problems: string[] = [];
  const ids = m.figures.map((f) => f.id);
  const sections = m.sections.map((s) => s.id);
  const findings = m.findings.map((f) => f.id);
  for (const [k, id] of ids.entries()) if (ids.indexOf(id) !== k) problems.push(`figures[${k}].id: "${id}" appears twice`);
  for (const [k, f] of m.figures.entries()) if (!sections.includes(f.section)) problems.push(`figures[${k}].section: "${f.section}" is not a section id`);
  m.reproduces.forEach((r, k) => {
    for (const id of r.figures) if (!ids.includes(id)) problems.push(`reproduces[${k}].figures: "${id}" is not a figure id`);
    for (const id of r.findings) if (!findings.includes(id)) problems.push(`reproduces[${k}].findings: "${id}" is not a finding id`);
  });
  return problems;
}

/** A reproduction entry whose status follows its findings: shows iff every tested one holds and at least one was tested. */
export function reproduction(figure: number, figures: string[], findings: readonly Finding[]): Reproduction {
  const tested = findings.filter((f) => f.holds !== null);
  const shows = tested.length > 0 && tested.every((f) => f.holds === true);
  return { figure, figures, findings: findings.map((f) => f.id), status: shows ? "shows" : "does-not-show" };
}

/** Collects a plots stage's figures and writes them with the manifest. */
export class FigureWriter {
  readonly figures: FigureEntry[] = [];
  readonly findings: Finding[] = [];
  readonly sections: ManifestSection[] = [];
  readonly reproduces: Reproduction[] = [];

  constructor(private readonly ctx: StageContext<unknown>) {}

  section(id: string, heading: string, paragraphs: string[] = []): void {
    this.sections.push({ id, heading, paragraphs });
  }

  /** `frames`: an animation's frames (e.g. snapshots over training); `svg` is then its static form (small multiples). */
  add(entry: Omit<FigureEntry, "file" | "frames">, svg: string, frames?: ReadonlyArray<{ svg: string; label: string }>): void {
    const file = `${entry.id}.svg`;
    this.ctx.writeText(file, svg);
    const frameFiles = frames?.map((f, k) => {
      const name = `${entry.id}-frame-${k}.svg`;
      this.ctx.writeText(name, f.svg);
      return { file: name, label: f.label };
    });
    // an absent group stays absent (not `"group": undefined`) in figures.json
    const { group, ...rest } = entry;
    this.figures.push({ ...rest, ...(group ? { group } : {}), file, ...(frameFiles?.length ? { frames: frameFiles } : {}) });
  }

  finding(f: Finding): Finding {
    this.findings.push(f);
    return f;
  }

  /** Record that this run draws catalogue figure `figure`; only with findings that decide whether it shows. */
  reproduce(figure: number, figureIds: string[], findings: readonly Finding[]): void {
    const present = figureIds.filter((id) => this.figures.some((f) => f.id === id));
    if (present.length && findings.length) this.reproduces.push(reproduction(figure, present, findings));
  }

  write(meta: { kind: string; configHash: string }): FigureManifest {
    const manifest: FigureManifest = {
      experiment: this.ctx.experiment,
      kind: meta.kind,
      profile: this.ctx.profile,
      configHash: meta.configHash,
      sections: this.sections.filter((s) => this.figures.some((f) => f.section === s.id) || s.paragraphs.length > 0),
      figures: this.figures,
      findings: this.findings,
      reproduces: this.reproduces,
    };
    const problems = [...schemaProblems(ManifestSchema, manifest), ...crossProblems(manifest)];
    if (problems.length) throw new Error(`plots: the figure manifest is invalid:\n  - ${problems.join("\n  - ")}`);
    this.ctx.writeText("figures.json", JSON.stringify(manifest, null, 2) + "\n");
    this.ctx.log(`${this.figures.length} figures, ${this.findings.length} findings (${this.findings.filter((f) => f.holds === true).length} show)`);
    return manifest;
  }
}

/** Parse and validate a manifest; `source` names the file in errors. */
export function parseManifest(text: string, source: string): FigureManifest {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new Error(`${source}: not valid JSON (${(e as Error).message}); rerun the plots stage`);
  }
  const problems = schemaProblems(ManifestSchema, value);
  if (!problems.length) problems.push(...crossProblems(value as FigureManifest));
  if (problems.length) throw new Error(`${source}: not a valid figure manifest; rerun the plots stage:\n  - ${problems.join("\n  - ")}`);
  return value as FigureManifest;
}

export function readManifest(ctx: StageContext<unknown>): FigureManifest {
  return parseManifest(ctx.readText("plots", "figures.json"), ctx.pathOf("plots", "figures.json"));
}
