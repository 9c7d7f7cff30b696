/**
 * A run's config: the union of what its stages read (config/<stage>.json, written by the config
 * stage for the profile run), its hash, and the field-by-field difference of two runs' configs.
 *
 * The union rather than the experiment file: it is the config resolved for the profile, and it
 * leaves out what no stage reads (sae.threads), which never changes a number, so a thread-count
 * edit is not a new run.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { configHash, type JsonValue } from "@toy-sae/core/artifact/provenance";
import { STAGES } from "./stages.ts";

type JsonObject = { [key: string]: JsonValue };

function isObject(v: JsonValue | undefined): v is JsonObject {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** `b` merged into `a`: objects field by field, anything else from `b` (stages' picks of one config agree). */
function merge(a: JsonValue | undefined, b: JsonValue): JsonValue {
  if (!isObject(a) || !isObject(b)) return b;
  const out: JsonObject = { ...a };
  for (const [k, v] of Object.entries(b)) out[k] = merge(out[k], v);
  return out;
}

export interface RunConfig {
  kind: string;
  config: JsonObject;
  /** `configHash(config)`: the run's config hash. */
  hash: string;
}

/** The config of the run whose artifact folder is `root` (artifacts/<name>[-<profile>] or a kept run). */
export function readRunConfig(root: string): RunConfig {
  let config: JsonValue = {};
  let kind = "";
  for (const stage of STAGES) {
    const path = join(root, "config", `${stage}.json`);
    if (!existsSync(path)) throw new Error(`${path} is missing: the run's config stage did not complete`);
    const snapshot = JSON.parse(readFileSync(path, "utf8")) as { kind: string; config: JsonObject };
    kind = snapshot.kind;
    config = merge(config, snapshot.config);
  }
  const merged = config as JsonObject;
  return { kind, config: merged, hash: configHash(merged) };
}

/** Every leaf of a config by its path: "sae.lr[1]" → 0.002. Empty objects and arrays are leaves. */
export function flattenConfig(value: JsonValue, path = "", out = new Map<string, JsonValue>()): Map<string, JsonValue> {
  if (Array.isArray(value) && value.length) for (const [i, v] of value.entries()) flattenConfig(v, `${path}[${i}]`, out);
  else if (isObject(value) && Object.keys(value).length) for (const [k, v] of Object.entries(value)) flattenConfig(v, path ? `${path}.${k}` : k, out);
  else out.set(path, value);
  return out;
}

export interface ConfigChange {
  path: string;
  /** undefined: the field is absent in that run. */
  a: JsonValue | undefined;
  b: JsonValue | undefined;
}

/** The fields whose values differ between two configs, in the order they appear (a's, then fields only b has). */
export function configChanges(a: JsonValue, b: JsonValue): ConfigChange[] {
  const fa = flattenConfig(a);
  const fb = flattenConfig(b);
  const paths = [...new Set([...fa.keys(), ...fb.keys()])];
  return paths.filter((p) => JSON.stringify(fa.get(p)) !== JSON.stringify(fb.get(p))).map((path) => ({ path, a: fa.get(path), b: fb.get(path) }));
}
