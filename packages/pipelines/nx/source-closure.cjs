/**
 * The files a stage runs: the transitive closure of static imports from its entry files,
 * resolved inside the workspace (relative paths and @toy-sae/<package>/<path> specifiers), plus
 * files a module loads as `new URL("./x", import.meta.url)` (worker entries). Type-only imports
 * are left out (erased at run time); dynamic import() is not followed — that is how registries
 * and kinds load plug-ins lazily. Registry files (`registry.ts`) are left out too: the plugin
 * hashes only the entries an experiment names (see registries.cjs).
 *
 * Bare package imports are collected as external dependencies (their versions come from the lock file).
 */
const { existsSync, readFileSync } = require("node:fs");
const { dirname, join, relative, resolve } = require("node:path");

const STATIC_IMPORT = /(?:^|[\n;])\s*(import|export)\s+(type\s+)?(?:[\w*${}\s,]*?\sfrom\s+)?["']([^"']+)["']/g;
const WORKER_URL = /new\s+URL\(\s*["'](\.[^"']+)["']\s*,\s*import\.meta\.url\s*\)/g;
const PACKAGES = { core: "packages/core/src", generators: "packages/generators/src", pipelines: "packages/pipelines/src", report: "packages/report/src" };

function isRegistry(file) {
  return /\/registry\.ts$/.test(file);
}

/** The workspace file a specifier in `fromFile` names, or { external } for an npm package, or null (node built-in). */
function resolveSpecifier(root, fromFile, spec) {
  if (spec.startsWith("node:")) return null;
  if (spec.startsWith(".")) return { file: relative(root, resolve(dirname(join(root, fromFile)), spec)) };
  const m = /^@toy-sae\/(\w+)(?:\/(.+))?$/.exec(spec);
  if (m) {
    const base = PACKAGES[m[1]];
    if (!base) throw new Error(`${fromFile}: unknown workspace package ${spec}`);
    return { file: `${base}/${m[2] ?? "index"}.ts` };
  }
  const parts = spec.split("/");
  return { external: spec.startsWith("@") ? parts.slice(0, 2).join("/") : parts[0] };
}

/** Strip comments so imports inside them are not followed (strings are left alone: good enough for import syntax). */
function withoutComments(text) {
  return text.replace(/\/\*[\s\S]*?\*\//g, "").replace(/(^|[^:"'`])\/\/.*$/gm, "$1");
}

/** Closure of `entries` (workspace-relative paths): { files: Set, externals: Set }. `cache` maps file → its direct deps. */
function sourceClosure(root, entries, cache = new Map()) {
  const files = new Set();
  const externals = new Set();
  const stack = [...entries];
  while (stack.length) {
    const file = stack.pop();
    if (files.has(file) || isRegistry(file)) continue;
    if (!existsSync(join(root, file))) throw new Error(`source closure: ${file} does not exist (imported by a stage's sources)`);
    files.add(file);
    let deps = cache.get(file);
    if (!deps) {
      const text = withoutComments(readFileSync(join(root, file), "utf8"));
      deps = [];
      for (const m of text.matchAll(STATIC_IMPORT)) if (!m[2]) deps.push(resolveSpecifier(root, file, m[3]));
      for (const m of text.matchAll(WORKER_URL)) deps.push(resolveSpecifier(root, file, m[1]));
      cache.set(file, deps);
    }
    for (const d of deps) {
      if (!d) continue;
      if (d.external) externals.add(d.external);
      else stack.push(d.file);
    }
  }
  return { files, externals };
}

module.exports = { sourceClosure, isRegistry };
