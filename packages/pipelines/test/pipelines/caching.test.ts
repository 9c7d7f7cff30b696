/**
 * Precise cache inputs (issue 6, point 4), in a temporary workspace where lr-l1-grid and
 * toy-l0-small have run once on the smoke profile: a stage reruns exactly when what it reads
 * changed — its config fields (under the profile it runs), the upstream files it declares, the
 * files it runs — and adding an architecture, a kind or an experiment invalidates nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { taskStatus, tempWorkspace, type TempWorkspace } from "../workspace.ts";

const STAGES = ["config", "generate", "train-model", "train-saes", "metrics", "plots", "report"];
let ws: TempWorkspace;

function run(experiment: string): Record<string, "cached" | "ran" | "absent"> {
  const r = ws.nx(["run", `pipelines:${experiment}:smoke`]);
  if (r.status !== 0) console.error(r.output.slice(-3000));
  expect(r.status).toBe(0);
  return Object.fromEntries(STAGES.map((s) => [s, taskStatus(r.output, `${experiment}:${s}:smoke`)]));
}

function expectStatus(got: Record<string, string>, ran: readonly string[]): void {
  for (const s of STAGES) expect(got[s], s).toBe(ran.includes(s) ? "ran" : "cached");
}

function append(file: string, text: string): void {
  const path = join(ws.root, file);
  writeFileSync(path, readFileSync(path, "utf8") + text);
}

beforeAll(() => {
  ws = tempWorkspace();
  expectStatus(run("lr-l1-grid"), STAGES);
  expectStatus(run("toy-l0-small"), STAGES);
});
afterAll(() => ws?.dispose());

describe("cache inputs", () => {
  it("replays every stage from the cache when nothing changed", () => {
    expectStatus(run("lr-l1-grid"), []);
  });

  it("reruns train-saes onward, not generate or train-model, after a learning-rate edit", () => {
    ws.editConfig("lr-l1-grid", (c) => {
      (c.profiles as Record<string, Record<string, Record<string, unknown>>>).smoke.sae.lr = [1e-3, 2e-3];
    });
    expectStatus(run("lr-l1-grid"), ["config", "train-saes", "metrics", "plots", "report"]);
  });

  it("reruns plots and report only after a change to the figure code", () => {
    append("packages/report/src/index.ts", "\n// touched by the caching test\n");
    expectStatus(run("lr-l1-grid"), ["plots", "report"]);
    expectStatus(run("toy-l0-small"), ["plots", "report"]);
  });

  it("reruns only plots onward after a plots edit, and only metrics onward after a metrics edit", () => {
    ws.editConfig("toy-l0-small", (c) => {
      const smoke = (c.profiles as Record<string, { plots: { heatmaps: unknown[] } }>).smoke;
      smoke.plots.heatmaps = smoke.plots.heatmaps.slice(1);
    });
    expectStatus(run("toy-l0-small"), ["config", "plots", "report"]);
    ws.editConfig("toy-l0-small", (c) => {
      (c.metrics as { mixingLatents: number[] }).mixingLatents = [1, 2, 3, 4];
    });
    expectStatus(run("toy-l0-small"), ["config", "metrics", "plots", "report"]);
  });

  it("adding an architecture folder, a recipe, a kind folder and their registry lines leaves every cached stage valid", () => {
    mkdirSync(join(ws.root, "packages/core/src/sae/made-up"), { recursive: true });
    writeFileSync(join(ws.root, "packages/core/src/sae/made-up/index.ts"), "export const architecture = null;\n");
    const registry = join(ws.root, "packages/core/src/sae/registry.ts");
    writeFileSync(
      registry,
      readFileSync(registry, "utf8").replace(
        '  topk: () => import("./topk/index.ts"),',
        '  topk: () => import("./topk/index.ts"),\n  "made-up": () => import("./made-up/index.ts"),',
      ),
    );
    mkdirSync(join(ws.root, "packages/pipelines/src/kinds/made-up"), { recursive: true });
    writeFileSync(join(ws.root, "packages/pipelines/src/kinds/made-up/kind.ts"), "export const kind = null;\n");
    const kinds = join(ws.root, "packages/pipelines/src/kinds/registry.ts");
    writeFileSync(
      kinds,
      readFileSync(kinds, "utf8").replace(
        '  "sparse-but-wrong": () => import("./sparse-but-wrong/kind.ts"),',
        '  "sparse-but-wrong": () => import("./sparse-but-wrong/kind.ts"),\n  "made-up": () => import("./made-up/kind.ts"),',
      ),
    );
    expectStatus(run("lr-l1-grid"), []);
    expectStatus(run("toy-l0-small"), []);
  });

  it("adding an experiment file leaves the other experiments' stages cached", () => {
    const copy = JSON.parse(readFileSync(join(ws.root, "packages/pipelines/experiments/lr-l1-grid.json"), "utf8")) as Record<string, unknown>;
    writeFileSync(join(ws.root, "packages/pipelines/experiments/another-grid.json"), JSON.stringify({ ...copy, name: "another-grid" }, null, 2));
    expectStatus(run("lr-l1-grid"), []);
    rmSync(join(ws.root, "packages/pipelines/experiments/another-grid.json"));
  });

  it("a thread-count edit reruns only the config stage", () => {
    ws.editConfig("lr-l1-grid", (c) => {
      (c.sae as Record<string, unknown>).threads = 1;
    });
    expectStatus(run("lr-l1-grid"), ["config"]);
  });

  it("a paper-only training length reruns the config stage and the report, whose provenance states the paper profile's time, and nothing that trains", () => {
    const lengthRow = () => readFileSync(join(ws.root, "artifacts/lr-l1-grid-smoke/report/index.html"), "utf8").match(/<th scope="row">Length<\/th><td>([^<]*)</)?.[1];
    const before = lengthRow();
    ws.editConfig("lr-l1-grid", (c) => {
      (c.profiles as Record<string, Record<string, Record<string, unknown>>>).paper.sae.samples = 64_000_000;
    });
    expectStatus(run("lr-l1-grid"), ["config", "report"]);
    // half the paper profile's samples: a larger share of the original, and a shorter paper time
    expect(lengthRow()).toMatch(/% of the original&#39;s estimated work/);
    expect(lengthRow()).not.toBe(before);
  });

  it("editing the BatchTopK kernel reruns train-saes onward of the sparse-but-wrong pipeline, and nothing of lr-l1-grid", () => {
    append("packages/core/src/sae/batchtopk/kernel.ts", "\n// touched by the caching test\n");
    expectStatus(run("toy-l0-small"), ["train-saes", "metrics", "plots", "report"]);
    expectStatus(run("lr-l1-grid"), []);
  });

  it("a new evaluation size reruns generate, metrics, plots and report, not the training stages", () => {
    ws.editConfig("toy-l0-small", (c) => {
      (c.profiles as Record<string, Record<string, Record<string, unknown>>>).smoke.data.evalSamples = 3000;
    });
    expectStatus(run("toy-l0-small"), ["config", "generate", "metrics", "plots", "report"]);
  });

  it("overrides under profiles.default reach the stage snapshots, which are the stages' config inputs", () => {
    const snapshot = () => readFileSync(join(ws.root, "artifacts/lr-l1-grid/config/train-saes.json"), "utf8");
    expect(ws.nx(["run", "lr-l1-grid:config"]).status).toBe(0);
    const before = snapshot();
    ws.editConfig("lr-l1-grid", (c) => {
      (c.profiles as Record<string, unknown>).default = { sae: { lr: [1e-3] } };
    });
    expect(ws.nx(["run", "lr-l1-grid:config"]).status).toBe(0);
    const after = JSON.parse(snapshot()) as { config: { sae: { lr: number[]; threads?: number } } };
    expect(snapshot()).not.toBe(before);
    expect(after.config.sae.lr).toEqual([1e-3]);
    // the thread count never changes numbers, so no snapshot carries it
    expect(after.config.sae.threads).toBeUndefined();
  });

  it("takes a stage's sources from what it imports: the training worker is an input of train-saes only, report code of plots and report only", () => {
    const shown = ws.nx(["show", "project", "lr-l1-grid", "--json"]);
    expect(shown.status).toBe(0);
    const targets = (JSON.parse(shown.output.slice(shown.output.indexOf("{"), shown.output.lastIndexOf("}") + 1)) as { targets: Record<string, { inputs: unknown[] }> }).targets;
    const has = (stage: string, file: string) => targets[stage].inputs.includes(`{workspaceRoot}/${file}`);
    for (const worker of ["packages/pipelines/src/framework/chunk-worker.mjs", "packages/pipelines/src/framework/chunk-worker.ts"]) {
      expect(has("train-saes", worker), worker).toBe(true);
      expect(has("generate", worker), worker).toBe(false);
    }
    expect(has("train-saes", "packages/core/src/sae/relu-l1/kernel.ts")).toBe(true);
    expect(has("train-saes", "packages/core/src/sae/batchtopk/kernel.ts")).toBe(false);
    expect(has("plots", "packages/report/src/index.ts")).toBe(true);
    expect(has("train-saes", "packages/report/src/index.ts")).toBe(false);
    // registries are not inputs; the entries an experiment names are
    expect(targets["train-saes"].inputs.some((i) => typeof i === "string" && i.endsWith("/registry.ts"))).toBe(false);
  });

  it("rejects an experiment file named like another experiment's stage target", () => {
    writeFileSync(join(ws.root, "packages/pipelines/experiments/lr-l1-grid-train-model.json"), "{}");
    const r = ws.nx(["show", "projects"]);
    expect(r.status).not.toBe(0);
    expect(r.output).toContain('"lr-l1-grid-train-model" ends in "-train-model", which reads as a stage target of experiment "lr-l1-grid"');
    rmSync(join(ws.root, "packages/pipelines/experiments/lr-l1-grid-train-model.json"));
  });
});
