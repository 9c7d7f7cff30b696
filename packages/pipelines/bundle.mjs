/**
 * Bundle the stage CLI and its training worker into packages/pipelines/dist (the `pipelines:bundle`
 * target, which every stage depends on). Running compiled JavaScript instead of loading the
 * TypeScript loader in each stage process and each worker thread takes the fixed cost of a stage
 * from seconds to a fraction of one.
 *
 * - Workspace packages (@toy-sae/*) are bundled; npm packages stay external (they ship JavaScript,
 *   and some find their own files at run time: the wasm backend's .wasm, jsdom's assets).
 * - Code splitting keeps the registries' dynamic imports lazy: a stage loads only its kind's
 *   modules, and only stages that differentiate load tfjs.
 * - Every output file sits in dist/ itself, so `new URL("./chunk-worker.mjs", import.meta.url)`
 *   (workers.ts) resolves from whichever chunk holds that code. A kind's own worker script
 *   (`kinds/<kind>/<name>-worker.ts`, started as `new URL("./<name>-worker.mjs", import.meta.url)`)
 *   is found here and becomes dist/<name>-worker.mjs, so adding one needs no line in this file.
 */
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const here = dirname(fileURLToPath(import.meta.url));
const workspace = join(here, "../..");
const manifest = JSON.parse(readFileSync(join(workspace, "package.json"), "utf8"));
const npmPackages = Object.keys({ ...manifest.dependencies, ...manifest.optionalDependencies });
const optionalBackends = ["@tensorflow/tfjs-node", "@tensorflow/tfjs-node-gpu"];

/** Worker scripts of the kinds: entry name (the file name without .ts) → path. */
function kindWorkers() {
  const kinds = join(here, "src/kinds");
  const entries = {};
  for (const kind of readdirSync(kinds, { withFileTypes: true }).filter((d) => d.isDirectory())) {
    for (const file of readdirSync(join(kinds, kind.name)).filter((f) => f.endsWith("-worker.ts"))) {
      const name = file.slice(0, -3);
      if (name === "chunk-worker" || entries[name]) throw new Error(`bundle: two worker scripts are named ${file} (kinds/${kind.name}); name them apart, they share dist/`);
      entries[name] = `packages/pipelines/src/kinds/${kind.name}/${file}`;
    }
  }
  return entries;
}

await build({
  absWorkingDir: workspace,
  entryPoints: {
    cli: "packages/pipelines/src/framework/cli.ts",
    "chunk-worker": "packages/pipelines/src/framework/chunk-worker.ts",
    ...kindWorkers(),
  },
  outdir: "packages/pipelines/dist",
  outExtension: { ".js": ".mjs" },
  chunkNames: "chunk-[hash]",
  bundle: true,
  splitting: true,
  format: "esm",
  platform: "node",
  target: "node20",
  external: [...npmPackages, ...npmPackages.map((name) => `${name}/*`), ...optionalBackends],
  // bundled CommonJS (experiment-names.cjs) calls require
  banner: { js: 'import { createRequire as __createRequire } from "node:module"; const require = __createRequire(import.meta.url);' },
  sourcemap: "linked",
  logLevel: "warning",
});
