/**
 * Nx plugin: every experiment config packages/pipelines/experiments/<name>.json becomes an Nx
 * project <name> with one cached target per stage,
 *
 *   config → generate → train-model → train-saes → metrics → plots → report
 *
 * and the pipelines project gets `<name>` (the whole chain, ending with the report, then the run
 * recorded: record-run.ts) and `reproduce` (every experiment, then the reproduction index). One
 * project per experiment, since Nx hashes a project's whole target configuration: adding an
 * experiment must not touch another's.
 *
 * Recording a run is never cached: it must happen even when Nx replays every stage from the
 * cache, and it writes outside the stages' outputs (artifacts/runs/), so it has nothing to cache.
 *
 * A stage's inputs are exactly what it reads:
 * - its part of the config, as the config stage wrote it (config/<stage>.json), so a field edit
 *   reruns only the stages that read that field — under every profile, and an edit during a run
 *   cannot reach a stage whose cache key was computed before it;
 * - the upstream files it declares (the kind's `reads`), not every upstream output;
 * - the files it runs: the static-import closure of the stage CLI, its kind declaration and its
 *   stage module, plus the architecture and recipe modules its config fields name (registries
 *   themselves are not inputs, so adding an architecture or a kind invalidates nothing);
 * - the npm packages those files import, and TOY_SAE_BACKEND;
 * - for the report (and the reproduction index), which Chromium would print the PDF
 *   (nx/chromium.cjs: its path and version, or "absent"), so a report cached without its PDF is
 *   not replayed once a browser is installed.
 * The stages' declarations come from each kind folder's stages.json (found through
 * kinds/registry.ts); the plugin runs no TypeScript, so it costs Nx milliseconds.
 * Profiles are Nx configurations (smoke, paper); the default profile writes artifacts/<name>/,
 * the others artifacts/<name>-<profile>/.
 */
const { createHash } = require("node:crypto");
const { readFileSync, readdirSync } = require("node:fs");
const { basename, join } = require("node:path");
const { experimentNameProblem } = require("./nx/experiment-names.cjs");
const { sourceClosure } = require("./nx/source-closure.cjs");
const { namesUnder, readRegistry } = require("./nx/registries.cjs");

const PROJECT_ROOT = "packages/pipelines";
const EXPERIMENTS = `${PROJECT_ROOT}/experiments`;
const CLI = `${PROJECT_ROOT}/src/framework/cli.ts`;
// What the stages run: the CLI bundled by pipelines:bundle (bundle.mjs), which every stage depends on.
const BUNDLED_CLI = `${PROJECT_ROOT}/dist/cli.mjs`;
const BUNDLE = { projects: ["pipelines"], target: "bundle" };
const PROFILES = ["smoke", "paper"];
const STAGES = ["generate", "train-model", "train-saes", "metrics", "plots", "report"];
/** Stage modules the framework runs itself, besides the kind's own <stage>.ts. */
// Files a stage loads with a dynamic import (the closure follows static imports only): the backend
// (started when a stage's code loads tfjs) and, for train-saes, the trainer and its autodiff step.
const BACKEND_ENTRY = "packages/core/src/backend.ts";
const FRAMEWORK_STAGE_ENTRIES = { "train-saes": [`${PROJECT_ROOT}/src/framework/train-saes.ts`, "packages/core/src/train/tfjs-engine.ts"] };
/** A runtime input: the Chromium the PDF would be printed with (why a cache input: nx/chromium.cjs). */
const CHROMIUM = { runtime: `node ${PROJECT_ROOT}/nx/chromium.cjs` };
const REGISTRIES = {
  kind: `${PROJECT_ROOT}/src/kinds/registry.ts`,
  architecture: "packages/core/src/sae/registry.ts",
  recipe: "packages/core/src/train/recipes/registry.ts",
};

function readJson(root, file) {
  try {
    return JSON.parse(readFileSync(join(root, file), "utf8").replace(/^\uFEFF/, ""));
  } catch {
    return null; // the config stage reports the parse error with the file name
  }
}

/** The value at a dot path in the config and in each profile's overrides. */
function valuesAt(raw, path) {
  const get = (obj) => path.split(".").reduce((v, k) => (v && typeof v === "object" ? v[k] : undefined), obj);
  const profiles = raw && typeof raw.profiles === "object" && raw.profiles !== null ? Object.values(raw.profiles) : [];
  return [raw, ...profiles].map(get).filter((v) => v !== undefined);
}

function createPlugin(root) {
  const cache = new Map();
  const registries = Object.fromEntries(Object.entries(REGISTRIES).map(([k, f]) => [k, readRegistry(root, f)]));
  const kinds = new Map();
  const kindOf = (name) => {
    if (!kinds.has(name)) {
      const entry = registries.kind.get(name);
      const stagesFile = entry ? entry.replace(/kind\.ts$/, "stages.json") : null;
      const stages = stagesFile ? readJson(root, stagesFile) : null;
      // without it every stage would hash no upstream file and no architecture: stale results
      if (entry && !stages) throw new Error(`kind "${name}": ${stagesFile} is missing or not JSON; every kind declares its stages' fields and reads there (docs/ARCHITECTURE.md)`);
      kinds.set(name, entry ? { entry, stages } : null);
    }
    return kinds.get(name);
  };
  const closureInputs = (entries) => {
    const { files, externals } = sourceClosure(root, entries, cache);
    return {
      files: [...files].sort().map((f) => `{workspaceRoot}/${f}`),
      externals: [...externals].filter((e) => e !== "tsx").sort(),
    };
  };

  /** Architecture and recipe modules named under a stage's fields (under every profile). */
  const pluginEntries = (raw, fields) => {
    const out = [];
    for (const field of fields.filter((f) => !f.startsWith("!"))) {
      for (const value of valuesAt(raw, field)) {
        for (const [key, registry] of [
          ["architecture", registries.architecture],
          ["recipe", registries.recipe],
        ]) {
          for (const name of namesUnder(field.endsWith(key) ? { [key]: value } : value, key)) {
            const entry = registry.get(name);
            if (entry) out.push(entry); // an unknown name fails the config stage with the known ones listed
          }
        }
      }
    }
    return out;
  };

  return (file) => {
    const name = basename(file, ".json");
    const raw = readJson(root, file);
    const problem = experimentNameProblem(name);
    if (problem) throw new Error(`${file}: ${problem}`);
    const kind = raw && typeof raw.kind === "string" ? kindOf(raw.kind) : null;
    const configurations = (extra = () => ({})) => Object.fromEntries(PROFILES.map((p) => [p, { profile: p, out: `artifacts/${name}-${p}`, ...extra(p) }]));
    const stageTarget = (stage, inputs, dependsOn) => ({
      executor: "nx:run-commands",
      cache: true,
      dependsOn: [BUNDLE, ...dependsOn],
      inputs,
      outputs: [`{options.out}/${stage}`],
      options: { command: `node ${BUNDLED_CLI} ${stage} --experiment ${name}`, profile: "default", out: `artifacts/${name}` },
      configurations: configurations(),
      metadata: { description: `${stage} stage of ${name} (${file})` },
    });
    const env = [{ env: "TOY_SAE_BACKEND" }];
    const targets = {};
    // config: validates the file (a bad kind is reported there, with the registered ones)
    const configEntries = [CLI, ...(kind ? [kind.entry] : [])];
    const configClosure = closureInputs(configEntries);
    targets.config = stageTarget("config", [`{workspaceRoot}/${file}`, ...configClosure.files, { externalDependencies: configClosure.externals }, ...env], []);
    let previous = "config";
    for (const stage of STAGES) {
      const declaration = kind?.stages ? kind.stages[stage] : { fields: [], reads: [] };
      const folder = kind ? kind.entry.replace(/\/kind\.ts$/, "") : null;
      const entries = [
        CLI,
        ...(kind ? [kind.entry, `${folder}/${stage}.ts`] : []),
        BACKEND_ENTRY,
        ...(FRAMEWORK_STAGE_ENTRIES[stage] ?? []),
        ...pluginEntries(raw, declaration.fields),
      ];
      const closure = closureInputs(entries);
      targets[stage] = stageTarget(
        stage,
        [
          { dependentTasksOutputFiles: `**/config/${stage}.json`, transitive: true },
          ...declaration.reads.map((r) => ({ dependentTasksOutputFiles: `**/${r}`, transitive: true })),
          ...closure.files,
          { externalDependencies: closure.externals },
          ...env,
          ...(stage === "report" ? [CHROMIUM] : []),
        ],
        [previous],
      );
      previous = stage;
    }
    return {
      projects: { [`${EXPERIMENTS}/${name}`]: { name, root: `${EXPERIMENTS}/${name}`, projectType: "application", tags: ["experiment"], targets } },
      aggregate: {
        executor: "nx:run-commands",
        cache: false,
        dependsOn: [BUNDLE, { projects: [name], target: "report", params: "forward" }],
        options: { command: `node ${BUNDLED_CLI} record-run --experiment ${name}`, profile: "default", out: `artifacts/${name}` },
        configurations: configurations(),
        metadata: {
          description: `The whole ${name} pipeline, ending with its HTML/PDF report; the run is kept in artifacts/runs/${name}/ and recorded in artifacts/runs/runs.jsonl`,
        },
      },
    };
  };
}

exports.createNodes = [
  `${EXPERIMENTS}/*.json`,
  (files, _options, context) => {
    const root = context.workspaceRoot;
    const experiment = createPlugin(root);
    const results = files.map((file) => [file, experiment(file)]);
    const names = files.map((f) => basename(f, ".json"));
    const reproduceClosure = sourceClosure(root, [CLI, `${PROJECT_ROOT}/src/framework/reproduce.ts`]);
    const pipelinesTargets = Object.fromEntries(results.map(([file, r]) => [basename(file, ".json"), r.aggregate]));
    pipelinesTargets.reproduce = {
      executor: "nx:run-commands",
      cache: true,
      // through each experiment's chain target, so every run is recorded (not a cache input: it writes no outputs)
      dependsOn: [BUNDLE, ...names.map((n) => ({ target: n, params: "forward" }))],
      inputs: [
        { dependentTasksOutputFiles: "**/plots/*", transitive: true },
        ...[...reproduceClosure.files].sort().map((f) => `{workspaceRoot}/${f}`),
        { externalDependencies: [...reproduceClosure.externals].filter((e) => e !== "tsx").sort() },
        CHROMIUM,
      ],
      outputs: ["{options.index}.html", "{options.index}.json", "{options.index}.pdf"],
      options: { command: `node ${BUNDLED_CLI} reproduce`, profile: "default", index: "artifacts/index" },
      configurations: Object.fromEntries(PROFILES.map((p) => [p, { profile: p, index: `artifacts/index-${p}` }])),
      metadata: { description: "Every experiment (from cache where nothing changed), then the reproduction index artifacts/index.html" },
    };
    // the pipelines project's targets ride on the first file's result (Nx merges projects by root)
    return results.map(([file, r], k) => [file, { projects: k === 0 ? { ...r.projects, [PROJECT_ROOT]: { targets: pipelinesTargets } } : r.projects }]);
  },
];

/**
 * Before any task runs, the sha256 of every experiment file, for the config stage to compare
 * with what it reads: an edit after Nx computed this run's cache keys fails the stage instead of
 * storing the edited config's results under the old key. Not a cache input (it is an env var
 * no target declares).
 */
exports.preTasksExecution = async (_options, context) => {
  // when this Nx command started: the run recorder tells stages that ran from stages Nx replayed
  process.env.TOY_SAE_INVOCATION_STARTED = new Date().toISOString();
  const dir = join(context.workspaceRoot, EXPERIMENTS);
  const shas = {};
  for (const f of readdirSync(dir).filter((f) => f.endsWith(".json")))
    shas[basename(f, ".json")] = createHash("sha256")
      .update(readFileSync(join(dir, f)))
      .digest("hex");
  process.env.TOY_SAE_EXPERIMENT_SHAS = JSON.stringify(shas);
};
