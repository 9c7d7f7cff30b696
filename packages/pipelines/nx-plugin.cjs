/**
 * Nx plugin: one chain of cached targets per experiment config in
 * packages/pipelines/experiments/<name>.json:
 *
 *   <name>-generate → <name>-train-model → <name>-train-saes → <name>-metrics → <name>-plots → <name>-report
 *   <name> (runs the whole chain)
 *
 * Each stage's inputs are exactly what it reads: the config fields it uses (Nx `json` input with
 * `fields`, including each profile's overrides of those fields), the sources it runs, and the
 * upstream stages' Arrow outputs. So a learning-rate edit reruns train-saes → report only, and a
 * plot-code edit reruns plots → report only. Profiles are Nx configurations (smoke, paper); the
 * default profile writes artifacts/<name>/, the others artifacts/<name>-<profile>/.
 */
const { readFileSync } = require("node:fs");
const { basename } = require("node:path");

const PROJECT_ROOT = "packages/pipelines";
const PROFILES = ["smoke", "paper"];

/** Kind → source folder under packages/pipelines/src. */
const KIND_FOLDERS = { "composed-grid": "composed", "sparse-but-wrong": "sparse-but-wrong" };

/** The config sections each stage reads. */
const STAGES = [
  { name: "generate", sections: ["name", "kind", "seed", "data"] },
  { name: "train-model", sections: ["seed", "model"] },
  { name: "train-saes", sections: ["seed", "sae"] },
  { name: "metrics", sections: ["metrics"] },
  { name: "plots", sections: ["plots"], figures: true },
  { name: "report", sections: null, figures: true },
];

function readKind(file) {
  try {
    return JSON.parse(readFileSync(file, "utf8")).kind;
  } catch {
    return undefined; // the stage CLI reports the parse error with the file name
  }
}

function stageTargets(name, kind, configFile) {
  const folder = KIND_FOLDERS[kind] ?? "composed";
  const targets = {};
  let previous = null;
  for (const stage of STAGES) {
    const fields = stage.sections
      ? stage.sections.flatMap((s) => [s, ...PROFILES.map((p) => `profiles.${p}.${s}`)])
      : null;
    const inputs = [
      fields ? { json: `{projectRoot}/experiments/${name}.json`, fields } : `{projectRoot}/experiments/${name}.json`,
      "engine",
      `{projectRoot}/src/${folder}/config.ts`,
      `{projectRoot}/src/${folder}/common.ts`,
      `{projectRoot}/src/${folder}/${stage.name}.ts`,
      // helpers a stage splits off into <stage>-<part>.ts (e.g. metrics-eval.ts)
      `{projectRoot}/src/${folder}/${stage.name}-*.ts`,
      ...(stage.name === "train-saes" ? [`{projectRoot}/src/${folder}/train-*.ts`] : []),
      ...(stage.figures ? ["figures", `{projectRoot}/src/${folder}/narrative.ts`] : []),
      { externalDependencies: ["@tensorflow/tfjs-core", "apache-arrow"] },
      { env: "TOY_SAE_BACKEND" },
    ];
    if (previous) inputs.push({ dependentTasksOutputFiles: "**/*.{arrow,svg,json}", transitive: true });
    targets[`${name}-${stage.name}`] = {
      executor: "nx:run-commands",
      cache: true,
      dependsOn: previous ? [`${name}-${previous}`] : [],
      inputs,
      outputs: [`{options.out}/${stage.name}`],
      options: {
        command: `node --import tsx packages/pipelines/src/cli.ts ${stage.name} --experiment ${name}`,
        profile: "default",
        out: `artifacts/${name}`,
      },
      configurations: Object.fromEntries(PROFILES.map((p) => [p, { profile: p, out: `artifacts/${name}-${p}` }])),
      metadata: { description: `${stage.name} stage of ${name} (${configFile})` },
    };
    previous = stage.name;
  }
  targets[name] = {
    executor: "nx:noop",
    dependsOn: [`${name}-report`],
    configurations: Object.fromEntries(PROFILES.map((p) => [p, {}])),
    metadata: { description: `The whole ${name} pipeline, ending with its HTML/PDF report` },
  };
  return targets;
}

exports.createNodes = [
  `${PROJECT_ROOT}/experiments/*.json`,
  (files) =>
    files.map((file) => {
      const name = basename(file, ".json");
      return [file, { projects: { [PROJECT_ROOT]: { targets: stageTargets(name, readKind(file), file) } } }];
    }),
];
