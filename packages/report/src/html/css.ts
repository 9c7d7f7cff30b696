/**
 * The report's stylesheet, inlined into the page. System fonts only (no web
 * fonts: the page must open offline); print rules keep figures and table
 * rows whole on A4 pages.
 */
export const REPORT_CSS = `
:root { color-scheme: light; --ink: #1a1a1a; --muted: #5f6368; --rule: #d0d4d9; --alert: #b3261e; --alert-bg: #fde0dd; }
* { box-sizing: border-box; }
html { font-size: 15px; }
body {
  margin: 0 auto; padding: 24px 28px 48px; max-width: 980px;
  font-family: "DejaVu Sans", "Liberation Sans", Arial, Helvetica, sans-serif;
  line-height: 1.5; color: var(--ink); background: white;
}
h1 { font-size: 1.7rem; margin: 0 0 .4rem; }
h2 { font-size: 1.3rem; margin: 2rem 0 .6rem; padding-bottom: .2rem; border-bottom: 1px solid var(--rule); }
p { margin: .5rem 0; }
.summary { font-size: 1.05rem; }
.meta { color: var(--muted); font-size: .85rem; }
nav.toc > ol { margin: .3rem 0; padding-left: 1.4rem; columns: 2; font-size: .9rem; }
nav.toc li { break-inside: avoid; }
nav.toc ol.toc-figures { margin: .1rem 0 .3rem; padding-left: 1.1rem; font-size: .8rem; list-style: none; }
nav.toc a { color: inherit; }
figure { margin: 1.2rem 0; break-inside: avoid; page-break-inside: avoid; }
h3.figure-title { font-size: .95rem; margin: 0 0 .4rem; }
/* Figures a reader compares share a row: equal columns that shrink their SVGs to fit, wrapping
   only on a narrow screen. */
.figure-row { display: flex; flex-wrap: wrap; gap: 14px; align-items: flex-start; margin: 1.2rem 0; }
.figure-row > figure { flex: 1 1 0; min-width: min(100%, 180px); margin: 0; }
/* Only the figure's outermost svg: nested panels keep their own sizes. */
figure > .figure-body > svg { display: block; max-width: 100%; height: auto; margin: 0 auto; }
figcaption { color: var(--muted); font-size: .85rem; margin-top: .4rem; }
figcaption .figure-number { font-weight: bold; color: var(--ink); }
pre.config {
  background: #f6f8fa; border: 1px solid var(--rule); border-radius: 4px; padding: .7rem .9rem;
  font-family: "DejaVu Sans Mono", "Liberation Mono", monospace; font-size: .78rem; line-height: 1.35;
  white-space: pre-wrap; overflow-wrap: anywhere;
}
table { border-collapse: collapse; margin: .6rem 0; font-size: .82rem; }
th, td { padding: .25rem .6rem; border-bottom: 1px solid var(--rule); text-align: left; vertical-align: top; }
th { background: #f1f3f4; font-weight: bold; }
.sr-only { position: absolute; width: 1px; height: 1px; overflow: hidden; clip-path: inset(50%); white-space: nowrap; }
th.num { text-align: right; }
/* Headers break only where tables.ts puts a <wbr> (after "_"); numbers never break. */
table.metrics th { hyphens: none; }
figure.frames-live > .frames-static { display: none; }
.frames-control { display: block; font-size: .85rem; color: var(--muted); margin-bottom: .3rem; }
.frames-control input { vertical-align: middle; width: 50%; }
.frames > .frame > svg { display: block; max-width: 100%; height: auto; margin: 0 auto; }
td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
tr.diverged td { background: var(--alert-bg); color: var(--alert); }
.badge { display: inline-block; padding: 0 .35rem; border-radius: 3px; background: var(--alert); color: white; font-size: .72rem; font-weight: bold; }
.table-note { color: var(--muted); font-size: .8rem; }
.table-wrap { overflow-x: auto; }
@page { size: A4; margin: 14mm 12mm 16mm; }
@media print {
  html { font-size: 11pt; }
  body { max-width: none; padding: 0; }
  h2 { break-after: avoid; page-break-after: avoid; }
  h2 + p { break-before: avoid; }
  /* A paragraph introducing a figure stays with it. */
  p:has(+ figure) { break-after: avoid; page-break-after: avoid; }
  tr, figure, .provenance { break-inside: avoid; page-break-inside: avoid; }
  thead { display: table-header-group; }
  /* A wide table must fit the page, not run off its edge (print has no scrollbar): smaller
     type and tighter cells, headers wrapping after underscores. */
  .table-wrap { overflow: visible; }
  table.metrics { font-size: 7.5pt; max-width: 100%; }
  table.metrics th, table.metrics td { padding: .12rem .3rem; }
  /* Keep a tall figure on one page: at most the A4 content height. */
  figure > .figure-body > svg { max-height: 250mm; width: auto; }
  h3.figure-title { break-after: avoid; page-break-after: avoid; }
  .figure-row { break-inside: avoid; page-break-inside: avoid; }
  /* The contents print too (their links are PDF links); figures are in the PDF outline. */
  nav.toc ol.toc-figures { display: none; }
  /* Animated figures print as their small multiples. */
  .frames-player { display: none !important; }
  figure.frames-live > .frames-static { display: block; }
}
`;
