import { arrowGridFigure } from "../src/figures/arrow-grid.ts";
import { heatmapFigure } from "../src/figures/heatmap.ts";
import type { ReportDocument } from "../src/report-document.ts";

/** A small but complete report, with hostile text where users can put text. */
export function exampleReport(): ReportDocument {
  const grid = arrowGridFigure({
    rows: [1e-4, 1e-3],
    cols: [0.1, 1],
    trueFeatures: [
      { x: 1, y: 0, set: 0, label: "x1" },
      { x: 0, y: 1, set: 1, label: "y1" },
    ],
    cells: [
      { row: 0, col: 0, best: [[0.7, 0.7]] },
      { row: 1, col: 1, best: [[0, 1]], diverged: true },
    ],
  });
  const heatmap = heatmapFigure(
    [
      { x: 0.1, y: 1e-4, value: 0.2 },
      { x: 1, y: 1e-4, value: 0.4 },
      { x: 0.1, y: 1e-3, value: 0.3 },
      { x: 1, y: 1e-3, value: Number.NaN, diverged: true },
    ],
    { colorLabel: "loss" },
  );
  return {
    title: "Composed features <2-d> & friends",
    summary: "The lowest-loss SAE learns x_i + y_j, not the true features.",
    sections: [
      {
        heading: "Grid of decoders",
        paragraphs: ["Rows are learning rates.", 'A <script>alert("x")</script> is only text here.'],
        figures: [{ svg: grid, caption: "Arrow grid: black = lowest loss." }],
      },
      {
        heading: "Loss heatmap",
        paragraphs: ["Grey cells diverged."],
        figures: [
          { svg: heatmap, caption: "Loss over lr × λ." },
          { svg: grid, caption: "The same grid again, to check ids stay unique." },
        ],
      },
    ],
    config: { experiment: "composed-2d", lr: [1e-4, 1e-3], note: "</code><b>not bold</b>" },
    metrics: {
      columns: ["lr", { key: "l1", label: "λ" }, { key: "loss", digits: 3 }, "name"],
      rows: [
        { lr: 1e-4, l1: 0.1, loss: 0.123456, name: "a", diverged: false },
        { lr: 1e-3, l1: 1, loss: Number.NaN, name: "b", diverged: true },
      ],
    },
    provenance: {
      experiment: "composed-2d",
      configHash: "cafe1234",
      seeds: [0, 1, 2],
      packageVersions: { "@toy-sae/core": "0.1.0", "@tensorflow/tfjs-core": "4.22.0" },
      backend: "cpu",
      stageTimings: [
        { stage: "train-saes", seconds: 125.4 },
        { stage: "generate", seconds: 0.5, cached: true },
      ],
      generatedAt: "2025-06-01T12:00:00.000Z",
      source: { commit: "0a1b2c3d4e5f60718293a4b5c6d7e8f901234567", dirty: true },
    },
  };
}
