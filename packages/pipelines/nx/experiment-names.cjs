/**
 * Which file names can be experiments. A name is an Nx project, an artifacts folder and a
 * pipelines target, so it is kept simple and must not collide with other targets; shared by the
 * Nx plugin and the config stage (framework/experiment-config.ts).
 */
const EXPERIMENT_NAME = /^[a-z0-9][a-z0-9-]*$/;
/** Names an experiment cannot take: targets of the pipelines project and other projects. */
// "runs": artifacts/runs/ holds the run registry and every kept run
const RESERVED_NAMES = ["bench", "test", "reproduce", "compare", "runs", "typecheck", "lint", "index", "core", "generators", "pipelines", "report"];
const STAGE_NAMES = ["config", "generate", "train-model", "train-saes", "metrics", "plots", "report"];

/** Why `name` cannot be an experiment name, or null. */
function experimentNameProblem(name) {
  if (!EXPERIMENT_NAME.test(name)) return `the file name "${name}" must be lower-case letters, digits and dashes (it names an Nx project and an artifacts folder)`;
  if (RESERVED_NAMES.includes(name)) return `"${name}" is reserved (a target or project of its own); rename the file`;
  const stage = STAGE_NAMES.find((s) => name.endsWith(`-${s}`));
  if (stage) return `"${name}" ends in "-${stage}", which reads as a stage target of experiment "${name.slice(0, -stage.length - 1)}"; rename the file`;
  return null;
}

module.exports = { experimentNameProblem, RESERVED_NAMES };
