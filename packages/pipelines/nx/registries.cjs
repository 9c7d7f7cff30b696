/**
 * Reading a registry file (`name: () => import("./folder/file.ts")` lines) without running it:
 * name → workspace path of the entry module. The plugin uses this to find an experiment's kind
 * folder and the architecture and recipe modules its config names.
 */
const { readFileSync } = require("node:fs");
const { dirname, join, relative, resolve } = require("node:path");

const ENTRY = /["']?([\w.-]+)["']?\s*:\s*\(\)\s*=>\s*import\(\s*["']([^"']+)["']\s*\)/g;

function readRegistry(root, file) {
  const text = readFileSync(join(root, file), "utf8");
  const entries = new Map();
  for (const m of text.matchAll(ENTRY)) entries.set(m[1], relative(root, resolve(dirname(join(root, file)), m[2])));
  return entries;
}

/** Every string under a key named `key` anywhere in `value` (how configs name architectures and recipes). */
function namesUnder(value, key, out = new Set()) {
  if (Array.isArray(value)) for (const v of value) namesUnder(v, key, out);
  else if (value && typeof value === "object") {
    for (const [k, v] of Object.entries(value)) {
      if (k === key && typeof v === "string") out.add(v);
      else namesUnder(v, key, out);
    }
  }
  return out;
}

module.exports = { readRegistry, namesUnder };
