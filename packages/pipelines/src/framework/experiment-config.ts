/**
 * Loading an experiment config: parse, find its kind, validate the base config and every
 * profile merged over it (TypeBox schema of the kind, then the kind's cross-field rules), and
 * return the config resolved for one profile. Every problem is reported at once, one line each,
 * as `<file>: <field path>: got <value>, expected <what>`.
 *
 * A config file is `{ $schema?, name, kind, description, seed, <sections>…, profiles?: { smoke,
 * default, paper } }`; a profile overrides any subset of the sections (objects merge key by key,
 * arrays are replaced).
 */
import { readFileSync } from "node:fs";
import { basename } from "node:path";
import type { JsonValue } from "@toy-sae/core/artifact/provenance";
import { schemaProblems, type TObject } from "@toy-sae/core/schema/index";
import { architectureNames, loadArchitecture } from "@toy-sae/core/sae/load";
import { recipeNames } from "@toy-sae/core/train/recipes/load";
import type { ExperimentConfigBase, KindDeclaration, Registered } from "./kind.ts";
import { KINDS } from "../kinds/registry.ts";
import { PROFILES, isProfile, type Profile } from "./stages.ts";
import { experimentNameProblem } from "../../nx/experiment-names.cjs";
import { ConfigError } from "./config-error.ts";
import { parseJsonStrict } from "./strict-json.ts";

export type JsonObject = { [key: string]: JsonValue };

export { ConfigError };

function isObject(v: JsonValue | undefined): v is JsonObject {
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
  // strict: duplicate keys, numbers that do not fit a double (1e999) and the like are errors, quoted as written
  const { value } = parseJsonStrict(text, file);
  if (!isObject(value)) throw new ConfigError(file, ["(root): expected a JSON object"]);
  return value;
}

export function kindNames(): string[] {
  return Object.keys(KINDS);
}

export async function kindOf(file: string, raw: JsonObject): Promise<KindDeclaration> {
  const name = raw.kind;
  if (typeof name !== "string" || !Object.hasOwn(KINDS, name)) {
    throw new ConfigError(file, [
      `kind: got ${JSON.stringify(name)}, expected one of the registered kinds (${kindNames()
        .map((k) => JSON.stringify(k))
        .join(", ")})`,
    ]);
  }
  return (await KINDS[name as keyof typeof KINDS]()).kind as KindDeclaration;
}

/** The registered architectures (their hyperparameters and options schemas) and recipes, for cross-field validation. */
export async function registered(): Promise<Registered> {
  const architectures = new Map<string, { hyper: readonly string[]; options: TObject }>();
  for (const name of architectureNames()) {
    const arch = await loadArchitecture(name);
    architectures.set(name, { hyper: arch.hyper, options: arch.options });
  }
  return { architectures, recipes: new Set(recipeNames()) };
}

/** "got …, expected one of the registered architectures (…)": how a config names an unknown one. */
export function unknownName(path: string, what: "architecture" | "recipe", name: unknown, known: Iterable<string>): string {
  return `${path}: got ${JSON.stringify(name)}, expected one of the registered ${what}s (${[...known].join(", ")})`;
}

/** The base config merged with one profile's overrides (no validation). */
export function mergeProfile(raw: JsonObject, profile: Profile): JsonObject {
  const { profiles, $schema: _schema, ...base } = raw;
  const over = isObject(profiles) && isObject(profiles[profile]) ? profiles[profile] : {};
  return mergeDeep(base, over);
}

/**
 * Validate the file for every profile and return the config resolved for `profile`. Problems of
 * a profile other than the base are prefixed "(profile smoke)".
 */
export function resolveProfile<C extends ExperimentConfigBase>(file: string, raw: JsonObject, kind: KindDeclaration, profile: Profile, known: Registered): C {
  const problems: string[] = [];
  const expectedName = basename(file, ".json");
  const nameProblem = experimentNameProblem(expectedName);
  if (nameProblem) problems.push(nameProblem);
  if (raw.name !== undefined && raw.name !== expectedName) problems.push(`name: got ${JSON.stringify(raw.name)}, expected ${JSON.stringify(expectedName)} (the file name)`);
  if (raw.$schema !== undefined && typeof raw.$schema !== "string") problems.push(`$schema: got ${JSON.stringify(raw.$schema)}, expected the path of the kind's JSON Schema file`);
  const profiles = raw.profiles;
  if (profiles !== undefined && !isObject(profiles)) problems.push(`profiles: got ${JSON.stringify(profiles)}, expected an object keyed by ${PROFILES.join(", ")}`);
  if (isObject(profiles)) {
    for (const [name, value] of Object.entries(profiles)) {
      if (!isProfile(name)) problems.push(`profiles.${name}: unknown profile; expected one of ${PROFILES.join(", ")}`);
      else if (!isObject(value)) problems.push(`profiles.${name}: got ${JSON.stringify(value)}, expected an object of overrides`);
      else if ("name" in value || "kind" in value) problems.push(`profiles.${name}: a profile cannot change name or kind`);
    }
  }
  if (problems.some((p) => p.startsWith("profiles"))) throw new ConfigError(file, problems);
  // every profile must be valid, not only the one asked for: a paper-only mistake is found by a smoke run
  const checked = new Map<Profile, C>();
  const baseProblems = new Set<string>();
  for (const p of ["default", ...PROFILES.filter((q) => q !== "default")] as const) {
    if (p !== "default" && p !== profile && !(isObject(profiles) && p in profiles)) continue;
    const merged = mergeProfile(raw, p);
    const found = schemaProblems(kind.config, merged);
    if (!found.length) found.push(...(kind.validate?.(merged as unknown as ExperimentConfigBase, known) ?? []));
    // a problem of the base config shows once, not again under every profile
    if (p === "default") for (const line of found) baseProblems.add(line);
    const prefix = p === "default" ? "" : `(profile ${p}) `;
    problems.push(...found.filter((line) => p === "default" || !baseProblems.has(line)).map((line) => prefix + line));
    checked.set(p, merged as unknown as C);
  }
  if (problems.length) throw new ConfigError(file, problems);
  const resolved = checked.get(profile);
  if (!resolved) throw new Error(`resolveProfile: profile ${profile} was not resolved`);
  return resolved;
}
