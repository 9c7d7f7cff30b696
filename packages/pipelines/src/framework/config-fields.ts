/**
 * The part of a config one stage may read. A stage declares its fields ("data", "sae",
 * "!sae.threads"); the config stage writes exactly that part to `config/<stage>.json` (the
 * stage's cache input), and the stage gets it behind a guard that throws on any other field, so
 * a stage cannot depend on what its cache key does not cover.
 */
import type { JsonValue } from "@toy-sae/core/artifact/provenance";

type JsonObject = { [key: string]: JsonValue };

function isObject(v: JsonValue | undefined): v is JsonObject {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function cloneJson<T extends JsonValue>(v: T): T {
  return JSON.parse(JSON.stringify(v)) as T;
}

/** `config` restricted to `fields` (dot paths; "!path" removes one). */
export function pickFields(config: JsonObject, fields: readonly string[]): JsonObject {
  const out: JsonObject = {};
  for (const field of fields.filter((f) => !f.startsWith("!"))) {
    const parts = field.split(".");
    let from: JsonValue | undefined = config;
    let to: JsonObject = out;
    for (const [k, part] of parts.entries()) {
      if (!isObject(from)) break;
      const value: JsonValue | undefined = from[part];
      if (value === undefined) break;
      if (k === parts.length - 1) to[part] = cloneJson(value);
      else {
        const next = to[part];
        if (isObject(next)) to = next;
        else {
          const created: JsonObject = {};
          to[part] = created;
          to = created;
        }
      }
      from = value;
    }
  }
  for (const field of fields.filter((f) => f.startsWith("!"))) {
    const parts = field.slice(1).split(".");
    const last = parts.pop() ?? "";
    let at: JsonValue | undefined = out;
    for (const part of parts) {
      if (!isObject(at)) break;
      at = at[part];
    }
    if (isObject(at)) delete at[last];
  }
  return out;
}

/** True when `path` (dot path) lies inside what `fields` declare. */
export function declaresField(fields: readonly string[], path: string): boolean {
  const inside = (f: string) => path === f || path.startsWith(f + ".") || f.startsWith(path + ".");
  return fields.some((f) => !f.startsWith("!") && inside(f)) && !fields.some((f) => f.startsWith("!") && (path === f.slice(1) || path.startsWith(f.slice(1) + ".")));
}

/**
 * A read-only view of `picked` that throws when the stage reads a field it did not declare
 * (a top-level section, or a path it excluded). Optional fields that are simply absent still
 * read as undefined.
 */
export function guardConfig<C>(picked: JsonObject, fields: readonly string[], knownSections: readonly string[], where: string): C {
  const wrap = (value: JsonValue, path: string): JsonValue => {
    if (typeof value !== "object" || value === null) return value;
    return new Proxy(value, {
      get(target, key, receiver) {
        if (typeof key === "symbol") return Reflect.get(target, key, receiver);
        const sub = path ? `${path}.${key}` : key;
        const known = path === "" ? knownSections.includes(key) : true;
        if (!Array.isArray(target) && known && !(key in target) && !declaresField(fields, sub) && (path === "" || fields.some((f) => f === `!${sub}`))) {
          throw new Error(`${where} read config field "${sub}", which it does not declare (it declares ${fields.join(", ")}); add it to the stage's fields so the cache sees it`);
        }
        const v = Reflect.get(target, key, receiver) as JsonValue;
        return Array.isArray(target) && !/^\d+$/.test(key) ? v : wrap(v, Array.isArray(target) ? `${path}[${key}]` : sub);
      },
      set() {
        throw new Error(`${where}: the config is read-only`);
      },
    });
  };
  return wrap(picked, "") as C;
}
