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
 * - Concurrency: two Nx commands may run at once (the same experiment started twice), and a
 *   stage may be importing dist/ while another command bundles. So Nx does not cache or restore
 *   dist/ (restoring deletes the folder under a running stage); this script is its own cache:
 *   it hashes its inputs and returns at once when dist/.inputs-hash matches, and otherwise
 *   builds in memory and writes each file by rename (a reader sees the old file or the new one,
 *   never half of one), under a lock so two builds do not interleave. Chunk files the new build
 *   no longer has are removed only once they are an hour old, so a stage that started on the
 *   old bundle can still load its lazy chunks.
 * - Every output file sits in dist/ itself, so `new URL("./chunk-worker.mjs", import.meta.url)`
 *   (workers.ts) resolves from whichever chunk holds that code. A kind's own worker script
 *   (`kinds/<kind>/<name>-worker.ts`, started as `new URL("./<name>-worker.mjs", import.meta.url)`)
 *   is found here and becomes dist/<name>-worker.mjs, so adding one needs no line in this file.
 */
import { createHash } from "node:crypto";
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmSync, statSync, unlinkSync, writeFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { build, version as esbuildVersion } from "esbuild";

const here = dirname(fileURLToPath(import.meta.url));
const workspace = join(here, "../..");
const dist = join(here, "dist");
const manifest = JSON.parse(readFileSync(join(workspace, "package.json"), "utf8"));
const npmPackages = Object.keys({ ...manifest.dependencies, ...manifest.optionalDependencies });
const optionalBackends = ["@tensorflow/tfjs-node", "@tensorflow/tfjs-node-gpu"];
/** What the bundle is built from (also the Nx target's inputs, for `nx graph`). */
const SOURCES = ["packages/core/src", "packages/generators/src", "packages/report/src", "packages/pipelines/src", "packages/pipelines/nx"];
const HASH_FILE = join(dist, ".inputs-hash");
const STALE_CHUNK_MS = 60 * 60 * 1000;

function filesUnder(dir) {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath ?? e.path, e.name))
    .sort();
}

function inputsHash() {
  const hash = createHash("sha256").update(`esbuild ${esbuildVersion}\n`);
  for (const file of [join(here, "bundle.mjs"), join(workspace, "package.json"), ...SOURCES.flatMap((d) => filesUnder(join(workspace, d)))]) {
    hash.update(`${relative(workspace, file)}\n`).update(readFileSync(file));
  }
  return hash.digest("hex");
}

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

/** Hold dist/.lock while `work` runs; another bundler waits for it (a lock older than 2 minutes is a crashed build's). */
async function withLock(work) {
  mkdirSync(dist, { recursive: true });
  const lock = join(dist, ".lock");
  for (;;) {
    try {
      closeSync(openSync(lock, "wx"));
      break;
    } catch (e) {
      if (e.code !== "EEXIST") throw e;
      if (Date.now() - statSync(lock, { throwIfNoEntry: false })?.mtimeMs > 120_000) rmSync(lock, { force: true });
      else await new Promise((r) => setTimeout(r, 100));
    }
  }
  try {
    return await work();
  } finally {
    rmSync(lock, { force: true });
  }
}

function writeAtomically(file, contents) {
  const tmp = `${file}.tmp-${process.pid}`;
  writeFileSync(tmp, contents);
  renameSync(tmp, file);
}

const hash = inputsHash();
const current = () => (existsSync(HASH_FILE) ? readFileSync(HASH_FILE, "utf8") : "");
if (current() === hash) process.exit(0);

await withLock(async () => {
  if (current() === hash) return; // another command built it while this one waited
  const result = await build({
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
    write: false,
  });
  const written = new Set();
  // chunks first, entry points last: a reader that sees the new cli.mjs finds every chunk it imports
  const entryFirst = (f) => (/\/chunk-[^/]+$/.test(f.path) ? 0 : 1);
  for (const file of [...result.outputFiles].sort((a, b) => entryFirst(a) - entryFirst(b))) {
    written.add(file.path);
    if (existsSync(file.path) && readFileSync(file.path).equals(Buffer.from(file.contents))) continue;
    writeAtomically(file.path, file.contents);
  }
  const now = Date.now();
  for (const name of readdirSync(dist)) {
    const file = join(dist, name);
    if (!/^chunk-.*\.mjs(\.map)?$/.test(name) || written.has(file)) continue;
    if (now - statSync(file).mtimeMs > STALE_CHUNK_MS) unlinkSync(file);
  }
  writeAtomically(HASH_FILE, hash);
});
