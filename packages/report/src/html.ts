import { REPORT_CSS } from "./html/css.ts";
import { escapeHtml, slug } from "./html/escape.ts";
import { prettyJson } from "./html/json.ts";
import { assertInlineSvg } from "./html/svg-guard.ts";
import { scopeSvgIds } from "./html/svg-ids.ts";
import { metricsTableHtml, provenanceTableHtml } from "./html/tables.ts";
import type { ReportDocument, ReportFigure, ReportFrame, ReportSection } from "./report-document.ts";

/**
 * One self-contained HTML page: inline CSS, inline SVG figures, no URLs, so it
 * opens offline, can be mailed as one file, and prints to the same PDF
 * anywhere. No scripts either, except one small inline script when a figure
 * has frames (FRAMES_SCRIPT: a range input steps through them).
 *
 * Navigation: a table of contents (sections, and under each its titled
 * figures) whose links work on screen and, as PDF links, in print; headings
 * h1 (report) › h2 (sections) › h3 (titled figures) become the PDF outline.
 */

/** A figure as placed in the page: its number and anchor. */
interface PlacedFigure {
  figure: ReportFigure;
  number: number;
  id: string;
}

export function buildReportHtml(report: ReportDocument): string {
  const sectionId = uniqueIdTaker(RESERVED_IDS);
  let figureNumber = 0;
  const animated = report.sections.some((s) => (s.figures ?? []).some((f) => f.frames?.length));
  const placed = report.sections.map((section, i) => ({
    section,
    id: sectionId(section.id ?? `section-${i + 1}-${slug(section.heading)}`),
    figures: (section.figures ?? []).map((figure): PlacedFigure => {
      const number = ++figureNumber;
      return { figure, number, id: figure.id ?? `figure-${number}` };
    }),
  }));
  const sections = placed.map((p) => sectionHtml(p.section, p.id, p.figures)).join("\n");

  const extra: Array<{ id: string; heading: string; html: string }> = [];
  if (report.metrics) extra.push({ id: "metrics", heading: "Metrics", html: metricsTableHtml(report.metrics) });
  extra.push({
    id: "config",
    heading: "Configuration",
    html: `<pre class="config"><code>${escapeHtml(prettyJson(report.config))}</code></pre>`,
  });
  extra.push({ id: "provenance", heading: "Provenance", html: provenanceTableHtml(report.provenance) });

  const toc = [...placed.map((p) => tocEntry(p.id, p.section.heading, p.figures)), ...extra.map((e) => tocEntry(e.id, e.heading, []))].join("");

  const meta = [
    report.provenance.experiment ? `experiment ${escapeHtml(report.provenance.experiment)}` : "",
    `config <code>${escapeHtml(report.provenance.configHash)}</code>`,
    `backend ${escapeHtml(report.provenance.backend)}`,
    `generated ${escapeHtml(report.provenance.generatedAt)}`,
  ]
    .filter(Boolean)
    .join(" · ");

  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="@toy-sae/report">
<title>${escapeHtml(report.title)}</title>
<style>${REPORT_CSS}</style>
</head>
<body>
<header>
<h1>${escapeHtml(report.title)}</h1>
<p class="meta">${meta}</p>
<p class="summary">${escapeHtml(report.summary)}</p>
<nav class="toc" aria-label="Contents"><ol>${toc}</ol></nav>
</header>
<main>
${sections}
${extra.map((e) => `<section id="${e.id}">\n<h2>${escapeHtml(e.heading)}</h2>\n${e.html}\n</section>`).join("\n")}
</main>
${animated ? `<script>${FRAMES_SCRIPT}</script>\n` : ""}</body>
</html>
`;
}

function tocEntry(id: string, heading: string, figures: readonly PlacedFigure[]): string {
  const titled = figures.filter((f) => f.figure.title);
  const sub = titled.length
    ? `<ol class="toc-figures">${titled.map((f) => `<li><a href="#${escapeHtml(f.id)}">Figure ${f.number}. ${escapeHtml(f.figure.title ?? "")}</a></li>`).join("")}</ol>`
    : "";
  return `<li><a href="#${escapeHtml(id)}">${escapeHtml(heading)}</a>${sub}</li>`;
}

function sectionHtml(section: ReportSection, id: string, figures: readonly PlacedFigure[]): string {
  const paragraphs = (section.paragraphs ?? []).map((p) => `<p>${escapeHtml(p)}</p>`).join("\n");
  return `<section id="${escapeHtml(id)}">\n<h2>${escapeHtml(section.heading)}</h2>\n${paragraphs}\n${groupedFiguresHtml(figures, id)}\n</section>`;
}

/** Consecutive figures of one group go into one row; the others stand alone. */
function groupedFiguresHtml(figures: readonly PlacedFigure[], sectionId: string): string {
  const out: string[] = [];
  for (let i = 0; i < figures.length; ) {
    const group = figures[i]?.figure.group;
    let j = i + 1;
    while (group !== undefined && figures[j]?.figure.group === group) j++;
    const html = figures.slice(i, j).map((f) => figureHtml(f, sectionId));
    out.push(j - i > 1 ? `<div class="figure-row">\n${html.join("\n")}\n</div>` : html.join("\n"));
    i = j;
  }
  return out.join("\n");
}

function figureHtml({ figure, number, id }: PlacedFigure, sectionId: string): string {
  assertInlineSvg(figure.svg, `figure ${number} ("${figure.caption.slice(0, 60)}") in section ${sectionId}`);
  const svg = scopeSvgIds(figure.svg.trim(), `f${number}`);
  const label = `<span class="figure-number">Figure ${number}.</span>`;
  const heading = figure.title ? `<h3 class="figure-title">${label} ${escapeHtml(figure.title)}</h3>\n` : "";
  const caption = figure.title ? escapeHtml(figure.caption) : `${label} ${escapeHtml(figure.caption)}`;
  const [firstFrame, ...laterFrames] = figure.frames ?? [];
  if (firstFrame) return framesFigureHtml([firstFrame, ...laterFrames], id, number, svg, sectionId, heading, caption);
  return `<figure id="${escapeHtml(id)}">
${heading}<div class="figure-body">${svg}</div>
<figcaption>${caption}</figcaption>
</figure>`;
}

/**
 * A figure with frames: the static figure (small multiples; what print and a page without
 * scripts show) and a hidden player that FRAMES_SCRIPT reveals: one frame at a time, chosen
 * with a range input.
 */
function framesFigureHtml(frames: readonly [ReportFrame, ...ReportFrame[]], id: string, number: number, svg: string, sectionId: string, heading: string, caption: string): string {
  const frameHtml = frames
    .map((frame, k) => {
      assertInlineSvg(frame.svg, `frame ${k + 1} of figure ${number} in section ${sectionId}`);
      return `<div class="frame" data-label="${escapeHtml(frame.label)}"${k === 0 ? "" : " hidden"}>${scopeSvgIds(frame.svg.trim(), `f${number}-k${k}`)}</div>`;
    })
    .join("\n");
  return `<figure id="${escapeHtml(id)}" class="has-frames">
${heading}<div class="figure-body frames-static">${svg}</div>
<div class="frames-player" hidden>
<label class="frames-control">${escapeHtml(`${frames.length} frames`)} <input type="range" min="0" max="${frames.length - 1}" step="1" value="0" aria-label="${escapeHtml(`Frame of figure ${number}`)}"> <output>${escapeHtml(frames[0].label)}</output></label>
<div class="figure-body frames">${frameHtml}</div>
</div>
<figcaption>${caption}</figcaption>
</figure>`;
}

/** Reveals each frames player and steps its frames with the range input (no network, no other effect). */
export const FRAMES_SCRIPT = `
document.querySelectorAll("figure.has-frames").forEach(function (figure) {
  var player = figure.querySelector(".frames-player");
  var input = player.querySelector("input");
  var output = player.querySelector("output");
  var frames = player.querySelectorAll(".frame");
  function show(k) {
    frames.forEach(function (frame, i) { frame.hidden = i !== k; });
    output.textContent = frames[k].getAttribute("data-label");
  }
  input.addEventListener("input", function () { show(Number(input.value)); });
  player.hidden = false;
  figure.classList.add("frames-live");
  show(Number(input.value));
});
`;

/** Ids of the sections every report ends with. */
const RESERVED_IDS: ReadonlySet<string> = new Set(["metrics", "config", "provenance"]);

/** Ids must be unique for the table of contents to work: the returned function suffixes repeats and reserved ids. */
function uniqueIdTaker(reserved: ReadonlySet<string>): (id: string) => string {
  const taken = new Set(reserved);
  return (id) => {
    let candidate = id;
    for (let n = 2; taken.has(candidate); n++) candidate = `${id}-${n}`;
    taken.add(candidate);
    return candidate;
  };
}
