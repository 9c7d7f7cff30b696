/**
 * Renders one example of every figure, an example HTML report and its PDF to
 * a preview folder (default /tmp/report-preview), so a person can look at
 * them: `npx tsx packages/report/scripts/preview.ts [outDir]`.
 * The data are made up but shaped like the pipelines' outputs.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import {
  arrowGridFigure,
  barFigure,
  buildReportHtml,
  heatmapFigure,
  lineBandFigure,
  scatterFigure,
  schematicFigure,
  tmsTrainingFigure,
  writePdf,
  formatScientific,
  type HeatmapCell,
  type LinePoint,
  type TrueFeature,
  type Vec2,
} from "../src/index.ts";

const outDir = process.argv[2] ?? "/tmp/report-preview";
mkdirSync(outDir, { recursive: true });

// A small deterministic PRNG so the preview is the same every run.
let state = 12345;
const random = () => {
  state = (state * 1664525 + 1013904223) % 2 ** 32;
  return state / 2 ** 32;
};
const gauss = () => Math.sqrt(-2 * Math.log(random() + 1e-12)) * Math.cos(2 * Math.PI * random());

const unit = (angle: number): Vec2 => [Math.cos(angle), Math.sin(angle)];
const trueFeatures: TrueFeature[] = [
  { x: 0.98, y: 0.1, set: 0, label: "x1" },
  { x: -0.95, y: 0.2, set: 0, label: "x2" },
  { x: 0.1, y: 1.0, set: 1, label: "y1" },
  { x: -0.05, y: -0.97, set: 1, label: "y2" },
];
const rows = [3e-5, 1e-4, 3e-4, 1e-3, 3e-3];
const cols = [1e-2, 3e-2, 1e-1, 3e-1, 1];
const cells = rows.flatMap((_, row) =>
  cols.map((_, col) => {
    const twist = (row - col) * 0.12;
    const best = [0, 1, 2, 3].map((k) => unit(Math.PI / 4 + (k * Math.PI) / 2 + twist));
    const mono = (row + col) % 3 === 0 ? [0, 1, 2, 3].map((k) => unit((k * Math.PI) / 2 + 0.3 + twist / 3)) : undefined;
    return { row, col, best, mono, diverged: row === 4 && col === 0 };
  }),
);

const figures: Record<string, string> = {};
figures["arrow-grid"] = arrowGridFigure({ rows, cols, trueFeatures, cells, title: "Correlated amplitudes (f = 1)" });
figures.schematic = schematicFigure({
  trueFeatures,
  instances: [0.021, 0.013, 0.034, 0.018, Number.NaN].map((loss, i) => ({
    loss,
    rows: [0, 1, 2, 3].map((k) => unit(Math.PI / 4 + (k * Math.PI) / 2 + i * 0.2)),
  })),
});
figures["tms-training"] = tmsTrainingFigure({
  loss: Array.from({ length: 60 }, (_, i) => ({ step: i * 200, loss: 0.2 * Math.exp(-i / 12) + 0.004 + 0.002 * random() })),
  features: [0, 1, 2, 3, 4].map((k) => {
    const [x, y] = unit((2 * Math.PI * k) / 5);
    return { x: 1.3 * x, y: 1.3 * y, label: `x${k + 1}` };
  }),
  title: "TMS, 5 features in 2 dimensions",
});

const gridCells: HeatmapCell[] = rows.flatMap((lr, i) =>
  cols.map((lambda, j) => ({ x: lambda, y: lr, value: 0.02 * (1 + i) * (1 + 2 * j) * (1 + 0.2 * random()), diverged: i === 4 && j === 0 })),
);
figures["heatmap-loss"] = heatmapFigure(gridCells, {
  xLabel: "λ (L1 coefficient)",
  yLabel: "learning rate",
  xTickFormat: (k) => String(k),
  yTickFormat: (k) => formatScientific(Number(k), 2),
  logColor: true,
  colorLabel: "loss",
  title: "Loss over the lr × λ grid",
});
const cos: HeatmapCell[] = [];
for (let latent = 0; latent < 12; latent++)
  for (let feature = 0; feature < 12; feature++)
    cos.push({ x: feature, y: latent, value: latent === feature ? 0.9 - 0.05 * random() : 0.25 * gauss() * (Math.abs(latent - feature) < 2 ? 1 : 0.3) });
figures["heatmap-cos"] = heatmapFigure(cos, {
  xLabel: "True feature",
  yLabel: "SAE Latent",
  reverseY: true,
  colorLabel: "cosine similarity",
  title: "SAE L0 = True L0",
});
const corr: HeatmapCell[] = [];
for (let i = 0; i < 50; i++) for (let j = 0; j < 50; j++) corr.push({ x: i, y: j, value: i === j ? 1 : Math.max(-1, Math.min(1, 0.2 * gauss() * Math.exp(-Math.abs(i - j) / 8))) });
figures["heatmap-corr"] = heatmapFigure(corr, { tickEvery: 10, colorLabel: "correlation", title: "Feature correlation matrix" });

const sweep: LinePoint[] = [];
for (let seed = 0; seed < 5; seed++)
  for (let k = 1; k <= 25; k++) {
    sweep.push({ x: k, y: 0.4 * Math.exp(-((k - 11) ** 2) / 30) + 0.05 + 0.03 * gauss(), series: "n = 12" });
    sweep.push({ x: k, y: 0.3 * Math.exp(-((k - 11) ** 2) / 50) + 0.08 + 0.03 * gauss(), series: "n = 20" });
  }
figures["line-band"] = lineBandFigure(sweep, {
  xLabel: "SAE L0 (k)",
  yLabel: "decoder projection s_n^dec",
  referenceX: { value: 11, label: "true L0 = 11" },
  title: "Decoder projection vs SAE L0",
});
figures.bar = barFigure(
  Array.from({ length: 50 }, (_, i) => ({ label: i, value: 0.345 - (0.335 * i) / 49 })),
  { xLabel: "feature i", yLabel: "P_i", tickEvery: 10, title: "Feature firing probabilities P_i" },
);
figures.scatter = scatterFigure(
  [0.05, 0.07, 0.09, 0.1, 0.3, 0.5, 0.75].map((c, i) => ({ x: c, y: [27.66, 22.27, 18.15, 17.63, 12.95, 11.61, 10.99][i], series: "JumpReLU" })),
  { xLabel: "L0 coefficient", yLabel: "SAE L0", logX: true, connect: true, referenceY: { value: 10.96, label: "true L0" }, title: "SAE L0 vs L0 coefficient" },
);

for (const [name, svg] of Object.entries(figures)) writeFileSync(join(outDir, `${name}.svg`), svg);

const html = buildReportHtml({
  title: "Composed features: lr × λ grid <preview>",
  summary: "Every cell's lowest-loss SAE learns the composed directions x_i + y_j instead of the true features & the failure persists across learning rates.",
  sections: [
    {
      heading: "The grid",
      paragraphs: ["Rows are learning rates, columns the L1 coefficient λ.", "Black arrows: decoder rows of the lowest-loss instance."],
      figures: [
        { svg: figures["arrow-grid"], caption: "Decoder rows over the lr × λ grid." },
        { svg: figures.schematic, caption: "True features and the five instances of one cell." },
        { svg: figures["heatmap-loss"], caption: "Loss per cell; grey = diverged." },
      ],
    },
    {
      heading: "Sparse but wrong",
      paragraphs: ["Decoder cosine similarity with the true features."],
      figures: [
        { svg: figures["heatmap-cos"], caption: "SAE L0 = True L0." },
        { svg: figures["heatmap-corr"], caption: "Correlation matrix." },
        { svg: figures["line-band"], caption: "Mean ± 1 sd over 5 seeds." },
        { svg: figures.bar, caption: "Firing probabilities." },
        { svg: figures.scatter, caption: "JumpReLU sweep." },
        { svg: figures["tms-training"], caption: "TMS training." },
      ],
    },
  ],
  config: { experiment: "composed-2d", grid: { lr: rows, l1: cols }, seeds: [0, 1, 2, 3, 4] },
  metrics: {
    columns: ["lr", "l1", { key: "loss", digits: 3 }, "mono", "diverged"],
    rows: gridCells
      .slice(16, 24)
      .map((c, i) => ({ lr: Number(c.y), l1: Number(c.x), loss: c.diverged ? Number.NaN : c.value, mono: 0.5 + 0.05 * i, diverged: c.diverged ?? false })),
  },
  provenance: {
    experiment: "composed-2d",
    configHash: "3f2a9c0d1e",
    seeds: [0, 1, 2, 3, 4],
    packageVersions: { "@toy-sae/core": "0.1.0", "@tensorflow/tfjs-core": "4.22.0" },
    backend: "cpu",
    stageTimings: [
      { stage: "generate", seconds: 0.41, cached: true },
      { stage: "train-saes", seconds: 312.7 },
    ],
    generatedAt: "2025-01-01T00:00:00.000Z",
  },
});
const htmlPath = join(outDir, "report.html");
writeFileSync(htmlPath, html);
const pdf = await writePdf(htmlPath, join(outDir, "report.pdf"));
console.log(pdf.ok ? `wrote ${pdf.path}` : pdf.message);
console.log(`wrote ${Object.keys(figures).length} figures and report.html to ${outDir}`);
