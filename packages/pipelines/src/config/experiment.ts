/**
 * Loading an experiment config: parse, validate the base config and each profile's
 * overrides, merge the chosen profile over the base, validate the result.
 *
 * A config file is `{ name, kind, description, seed, <sections>…, profiles: { smoke: {…}, paper: {…} } }`.
 * A profile overrides any subset of the sections; the `default` profile is the base itself
 * (a `profiles.default` entry, if present, still applies).
 */
import { readFileSync } from "node:fs";
import { basename } from "node:path";
import { ConfigError, check, type Schema } from "./schema.ts";

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

export const PROFILES = ["smoke", "default", "paper"] as const;
export type Profile = (typeof PROFILES)[number];

export function isProfile(value: string): value is Profile {
  return (PROFILES as readonly string[]).includes(value);
}

function isObject(v: Json | undefined): v is JsonObject {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** Deep merge: objects merge key by key, everything else (arrays included) is replaced. */
export function mergeDeep(base: JsonObject, over: JsonObject): JsonObject {
  const out: JsonObject = { ...base };
  for (const [k, v] of Object.entries(over)) {
    const b = out[k];
    out[k] = isObject(b) && isObject(v) ? mergeDeep(b, v) : v;
  }
  return out;
}

export function readJsonFile(file: string): JsonObject {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (e) {
    throw new ConfigError(file, [`cannot read the file: ${(e as Error).message}`]);
  }
  let value: Json;
  try {
    value = JSON.parse(text) as Json;
  } catch (e) {
    throw new ConfigError(file, [`not valid JSON: ${(e as Error).message}`]);
  }
  if (!isObject(value)) throw new ConfigError(file, ["(root): expected a JSON object"]);
  return value;
}

/**
 * Validate `raw` against `schema` (the experiment kind's schema, without `profiles`) and
 * return the config resolved for `profile`. Throws a ConfigError listing every problem.
 */
export function resolveProfile<T>(file: string, raw: JsonObject, schema: Schema, profile: Profile): T {
  const { profiles, ...base } = raw;
  const problems = check(schema, base, "");
  const expectedName = basename(file, ".json");
  if (typeof base.name === "string" && base.name !== expectedName) {
    problems.push(`name: got ${JSON.stringify(base.name)}, expected ${JSON.stringify(expectedName)} (the file name)`);
  }
  let overrides: JsonObject = {};
  if (profiles !== undefined) {
    if (!isObject(profiles)) {
      problems.push(`profiles: got ${JSON.stringify(profiles)}, expected an object keyed by ${PROFILES.join(", ")}`);
    } else {
      for (const [name, value] of Object.entries(profiles)) {
        if (!isProfile(name)) {
          problems.push(`profiles.${name}: unknown profile; expected one of ${PROFILES.join(", ")}`);
          continue;
        }
        problems.push(...check(schema, value, `profiles.${name}`, true));
        if (isObject(value) && ("name" in value || "kind" in value)) {
          problems.push(`profiles.${name}: a profile cannot change name or kind`);
        }
      }
      const chosen = profiles[profile];
      if (isObject(chosen)) overrides = chosen;
    }
  }
  if (problems.length) throw new ConfigError(file, problems);
  const merged = mergeDeep(base, overrides);
  const after = check(schema, merged, `(profile ${profile})`);
  if (after.length) throw new ConfigError(file, after);
  return merged as unknown as T;
}
