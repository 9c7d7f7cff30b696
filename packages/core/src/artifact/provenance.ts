/**
 * Provenance carried in every artifact's schema metadata, so any figure or number can be traced
 * back to the config, seeds, package versions and tensor backend that produced it.
 *
 * No timestamp on purpose: an artifact's bytes must depend only on its inputs, so a re-run on the
 * same inputs gives the same file (Nx cache hits and byte-level diffs stay meaningful). The git
 * commit and dirty flag (`source`) keep that: they change only when the code does.
 */
import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { dirname, join, parse } from "node:path";
import { fileURLToPath } from "node:url";

/**
 * The source tree a file was made from: `git rev-parse HEAD`, and whether `git status` showed
 * uncommitted changes. "unknown" outside a git checkout (or where git is missing).
 */
export interface SourceState {
  commit: string;
  dirty: boolean | "unknown";
}

/** A JSON value, as configs and seed records are. */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

export interface Provenance {
  /** Experiment name, e.g. "lr-l1-grid". */
  experiment: string;
  /** Pipeline stage, e.g. "train-saes". */
  stage: string;
  /** Nx configuration / profile: "smoke", "default", "paper". */
  profile: string;
  /** `configHash` of the config fields this stage read. */
  configHash: string;
  /** Every seed the stage used (stored as JSON). */
  seeds: JsonValue;
  /** Package name → version, e.g. from `packageVersions()` (stored as JSON). */
  versions: Record<string, string>;
  /** Tensor backend actually used: "tensorflow", "wasm", "cpu", or a hand-fused kernel name. */
  backend: string;
  /** What wrote the file, e.g. "pipelines/train-saes". */
  createdBy: string;
  /** The code's git state; absent in files written before it was recorded. */
  source?: SourceState;
}

/** Metadata keys are the field names; `seeds` and `versions` are JSON strings. */
export function provenanceMetadata(p: Provenance): Record<string, string> {
  return {
    experiment: p.experiment,
    stage: p.stage,
    profile: p.profile,
    configHash: p.configHash,
    seeds: canonicalJson(p.seeds),
    versions: canonicalJson(p.versions),
    backend: p.backend,
    createdBy: p.createdBy,
    ...(p.source ? { gitCommit: p.source.commit, gitDirty: String(p.source.dirty) } : {}),
  };
}

const PROVENANCE_KEYS = ["experiment", "stage", "profile", "configHash", "seeds", "versions", "backend", "createdBy"] as const;

/**
 * The inverse of `provenanceMetadata`. `source` names the file in errors, so a report built from
 * an artifact without provenance says which one.
 */
export function readProvenance(metadata: Readonly<Record<string, string>>, source: string): Provenance {
  const missing = PROVENANCE_KEYS.filter((k) => metadata[k] === undefined);
  if (missing.length > 0) throw new Error(`${source}: provenance metadata missing ${missing.join(", ")}`);
  const get = (key: (typeof PROVENANCE_KEYS)[number]): string => {
    const value = metadata[key];
    if (value === undefined) throw new Error(`${source}: provenance metadata missing ${key}`);
    return value;
  };
  const parse = (key: "seeds" | "versions"): unknown => {
    const text = get(key);
    try {
      return JSON.parse(text);
    } catch (err) {
      throw new Error(`${source}: provenance metadata "${key}" is not JSON (${(err as Error).message})`);
    }
  };
  const versions = parse("versions");
  if (typeof versions !== "object" || versions === null || Array.isArray(versions) || !Object.values(versions).every((v) => typeof v === "string")) {
    throw new Error(`${source}: provenance metadata "versions" must be a JSON object of strings`);
  }
  return {
    experiment: get("experiment"),
    stage: get("stage"),
    profile: get("profile"),
    configHash: get("configHash"),
    seeds: parse("seeds") as JsonValue,
    versions: versions as Record<string, string>,
    backend: get("backend"),
    createdBy: get("createdBy"),
    ...(metadata.gitCommit === undefined ? {} : { source: { commit: metadata.gitCommit, dirty: parseDirty(metadata.gitDirty, source) } }),
  };
}

function parseDirty(value: string | undefined, source: string): SourceState["dirty"] {
  if (value === "true") return true;
  if (value === "false") return false;
  if (value === "unknown") return "unknown";
  throw new Error(`${source}: provenance metadata "gitDirty" must be true, false or unknown, got ${JSON.stringify(value)}`);
}

/**
 * JSON with object keys sorted at every level, so equal configs serialise equally whatever
 * order their keys were written in. Arrays keep their order (it is meaningful). Object entries
 * whose value is `undefined` are dropped, as JSON.stringify does. Non-finite numbers, bigints,
 * functions, symbols, class instances (Map, Date, typed arrays, …) throw with the path to the
 * value: JSON.stringify would turn NaN into null and hash it equal to a real null.
 */
export function canonicalJson(value: unknown): string {
  return serialise(value, "$");
}

function serialise(value: unknown, path: string): string {
  if (value === null) return "null";
  switch (typeof value) {
    case "boolean":
      return value ? "true" : "false";
    case "string":
      return JSON.stringify(value);
    case "number":
      if (!Number.isFinite(value)) throw new Error(`canonicalJson: ${path} is ${value}, which JSON cannot hold`);
      return JSON.stringify(value); // -0 → "0", the same as JSON.parse gives back
    case "object": {
      if (Array.isArray(value)) {
        return `[${value.map((v, i) => (v === undefined ? "null" : serialise(v, `${path}[${i}]`))).join(",")}]`;
      }
      const proto: unknown = Object.getPrototypeOf(value);
      if (proto !== Object.prototype && proto !== null) {
        throw new Error(`canonicalJson: ${path} is a ${value.constructor?.name ?? "non-plain object"}, not a plain object`);
      }
      const obj = value as Record<string, unknown>;
      const keys = Object.keys(obj)
        .filter((k) => obj[k] !== undefined)
        .sort();
      return `{${keys.map((k) => `${JSON.stringify(k)}:${serialise(obj[k], `${path}.${k}`)}`).join(",")}}`;
    }
    default:
      throw new Error(`canonicalJson: ${path} is a ${typeof value}, which JSON cannot hold`);
  }
}

/** sha256 (hex) of `canonicalJson(value)`: stable across key order, changes when any value does. */
export function configHash(value: unknown): string {
  return createHash("sha256").update(canonicalJson(value), "utf8").digest("hex");
}

/** Packages whose versions decide the numbers an artifact holds. */
export const RECORDED_PACKAGES = ["@tensorflow/tfjs-core", "@tensorflow/tfjs-backend-cpu", "@tensorflow/tfjs-backend-wasm", "apache-arrow"] as const;

const HERE = dirname(fileURLToPath(import.meta.url));

/**
 * Find `node_modules/<name>/package.json` the way Node resolves a bare import: in each ancestor
 * folder from `fromDir` up to the filesystem root. Reading the file directly (not
 * `require.resolve(name + "/package.json")`) works for packages whose `exports` hide package.json.
 */
function findInstalledPackageJson(name: string, fromDir: string): string | null {
  let dir = fromDir;
  const root = parse(dir).root;
  for (;;) {
    const candidate = join(dir, "node_modules", name, "package.json");
    if (existsSync(candidate)) return candidate;
    if (dir === root) return null;
    dir = dirname(dir);
  }
}

function versionIn(file: string): string | null {
  const parsed: unknown = JSON.parse(readFileSync(file, "utf8"));
  if (typeof parsed === "object" && parsed !== null && "version" in parsed && typeof parsed.version === "string") {
    return parsed.version;
  }
  return null;
}

/**
 * Versions of node, this project (`@toy-sae/core`), the recorded packages and any `extra` ones,
 * read from the installed package.json files (no network). Packages that are not installed
 * (an optional backend) are left out rather than recorded with a made-up version.
 */
export function packageVersions(extra: readonly string[] = [], fromDir: string = HERE): Record<string, string> {
  const versions: Record<string, string> = { node: process.version };
  // through node_modules (the workspace link), so a bundled copy of this code finds it too
  const ownFile = findInstalledPackageJson("@toy-sae/core", fromDir);
  const own = ownFile === null ? null : versionIn(ownFile);
  if (own !== null) versions["@toy-sae/core"] = own;
  for (const name of [...RECORDED_PACKAGES, ...extra]) {
    const file = findInstalledPackageJson(name, fromDir);
    const v = file === null ? null : versionIn(file);
    if (v !== null) versions[name] = v;
  }
  return versions;
}
