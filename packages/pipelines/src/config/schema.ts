/**
 * A small schema language for experiment configs. Validation collects every problem and
 * reports each as `<file>: <field path>: got <value>, expected <what>`; unknown fields are
 * errors, not silently ignored.
 */

export type Schema =
  | { type: "number"; min?: number; max?: number; exclusiveMin?: number; description?: string }
  | { type: "integer"; min?: number; max?: number; description?: string }
  | { type: "string"; pattern?: RegExp; description?: string }
  | { type: "boolean"; description?: string }
  | { type: "enum"; values: readonly string[]; description?: string }
  | { type: "array"; items: Schema; minItems?: number; maxItems?: number; description?: string }
  | { type: "object"; fields: Record<string, Schema>; optional?: readonly string[]; description?: string }
  | { type: "record"; values: Schema; description?: string };

export const num = (o: { min?: number; max?: number; exclusiveMin?: number } = {}): Schema => ({ type: "number", ...o });
export const int = (o: { min?: number; max?: number } = {}): Schema => ({ type: "integer", ...o });
export const str = (o: { pattern?: RegExp } = {}): Schema => ({ type: "string", ...o });
export const bool = (): Schema => ({ type: "boolean" });
export const oneOf = (values: readonly string[]): Schema => ({ type: "enum", values });
export const arrayOf = (items: Schema, o: { minItems?: number; maxItems?: number } = {}): Schema => ({ type: "array", items, ...o });
export const object = (fields: Record<string, Schema>, optional: readonly string[] = []): Schema => ({ type: "object", fields, optional });
export const recordOf = (values: Schema): Schema => ({ type: "record", values });

export class ConfigError extends Error {
  constructor(
    readonly file: string,
    readonly problems: string[],
  ) {
    super(`invalid experiment config ${file}:\n  - ${problems.join("\n  - ")}`);
    this.name = "ConfigError";
  }
}

function show(value: unknown): string {
  const text = JSON.stringify(value);
  if (text === undefined) return String(value);
  return text.length > 60 ? text.slice(0, 57) + "..." : text;
}

function expectation(s: Schema): string {
  switch (s.type) {
    case "number": {
      const bounds = [
        s.min !== undefined ? `≥ ${s.min}` : "",
        s.exclusiveMin !== undefined ? `> ${s.exclusiveMin}` : "",
        s.max !== undefined ? `≤ ${s.max}` : "",
      ].filter(Boolean);
      return `a finite number${bounds.length ? " " + bounds.join(" and ") : ""}`;
    }
    case "integer": {
      const bounds = [s.min !== undefined ? `≥ ${s.min}` : "", s.max !== undefined ? `≤ ${s.max}` : ""].filter(Boolean);
      return `an integer${bounds.length ? " " + bounds.join(" and ") : ""}`;
    }
    case "string":
      return s.pattern ? `a string matching ${s.pattern}` : "a string";
    case "boolean":
      return "true or false";
    case "enum":
      return `one of ${s.values.map((v) => JSON.stringify(v)).join(", ")}`;
    case "array":
      return `an array${s.minItems !== undefined ? ` of at least ${s.minItems} items` : ""}${s.maxItems !== undefined ? ` of at most ${s.maxItems} items` : ""}`;
    case "object":
      return `an object with fields ${Object.keys(s.fields).join(", ")}`;
    case "record":
      return "an object";
  }
}

/** Every problem of `value` against `schema`, as "path: got …, expected …" lines. */
export function check(schema: Schema, value: unknown, path: string, partial = false): string[] {
  const at = path || "(root)";
  const bad = (): string[] => [`${at}: got ${show(value)}, expected ${expectation(schema)}`];
  switch (schema.type) {
    case "number":
      if (typeof value !== "number" || !Number.isFinite(value)) return bad();
      if (schema.min !== undefined && value < schema.min) return bad();
      if (schema.max !== undefined && value > schema.max) return bad();
      if (schema.exclusiveMin !== undefined && value <= schema.exclusiveMin) return bad();
      return [];
    case "integer":
      if (typeof value !== "number" || !Number.isInteger(value)) return bad();
      if (schema.min !== undefined && value < schema.min) return bad();
      if (schema.max !== undefined && value > schema.max) return bad();
      return [];
    case "string":
      if (typeof value !== "string" || (schema.pattern && !schema.pattern.test(value))) return bad();
      return [];
    case "boolean":
      return typeof value === "boolean" ? [] : bad();
    case "enum":
      return typeof value === "string" && schema.values.includes(value) ? [] : bad();
    case "array": {
      if (!Array.isArray(value)) return bad();
      if (schema.minItems !== undefined && value.length < schema.minItems) return bad();
      if (schema.maxItems !== undefined && value.length > schema.maxItems) return bad();
      return value.flatMap((item, i) => check(schema.items, item, `${path}[${i}]`, partial));
    }
    case "record": {
      if (typeof value !== "object" || value === null || Array.isArray(value)) return bad();
      return Object.entries(value).flatMap(([k, v]) => check(schema.values, v, path ? `${path}.${k}` : k, partial));
    }
    case "object": {
      if (typeof value !== "object" || value === null || Array.isArray(value)) return bad();
      const problems: string[] = [];
      const record = value as Record<string, unknown>;
      for (const key of Object.keys(record)) {
        if (!(key in schema.fields)) {
          problems.push(`${path ? path + "." : ""}${key}: unknown field; expected one of ${Object.keys(schema.fields).join(", ")}`);
        }
      }
      for (const [key, fieldSchema] of Object.entries(schema.fields)) {
        const sub = path ? `${path}.${key}` : key;
        if (!(key in record)) {
          if (!partial && !(schema.optional ?? []).includes(key)) problems.push(`${sub}: missing; expected ${expectation(fieldSchema)}`);
          continue;
        }
        problems.push(...check(fieldSchema, record[key], sub, partial));
      }
      return problems;
    }
  }
}
