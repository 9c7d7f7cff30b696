/**
 * Validation against a TypeBox schema with this project's error style: one line per problem,
 * `<field path>: got <value>, expected <what>` (unknown fields: `<path>: unknown field; expected
 * one of …`). TypeBox schemas are plain JSON Schema, so one declaration gives the TypeScript type
 * (`Static<typeof S>`), this validator and the JSON Schema file editors read.
 */
import { Kind, type TSchema } from "@sinclair/typebox";
import { Value } from "@sinclair/typebox/value";

/** A JSON-schema node as TypeBox builds it (the fields `expectation` reads). */
interface SchemaNode {
  type?: string;
  const?: unknown;
  anyOf?: SchemaNode[];
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  minItems?: number;
  maxItems?: number;
  pattern?: string;
  properties?: Record<string, SchemaNode>;
  items?: SchemaNode;
  additionalProperties?: boolean | SchemaNode;
  patternProperties?: Record<string, SchemaNode>;
  expected?: string;
}

/** How a value is shown in an error: JSON, shortened. */
export function showValue(value: unknown): string {
  const text = JSON.stringify(value);
  if (text === undefined) return String(value);
  return text.length > 60 ? text.slice(0, 57) + "..." : text;
}

/** What a schema node accepts, in words ("an integer ≥ 1", "one of "fused", "tfjs""). */
export function expectation(node: SchemaNode): string {
  if (node.expected) return node.expected;
  if (node.anyOf) {
    if (node.anyOf.every((n) => n.const !== undefined)) return `one of ${node.anyOf.map((n) => JSON.stringify(n.const)).join(", ")}`;
    return node.anyOf.map(expectation).join(", or ");
  }
  if (node.const !== undefined) return JSON.stringify(node.const);
  const bounds = [
    node.minimum !== undefined ? `≥ ${node.minimum}` : "",
    node.exclusiveMinimum !== undefined ? `> ${node.exclusiveMinimum}` : "",
    node.maximum !== undefined ? `≤ ${node.maximum}` : "",
    node.exclusiveMaximum !== undefined ? `< ${node.exclusiveMaximum}` : "",
  ].filter(Boolean);
  const withBounds = (what: string) => (bounds.length ? `${what} ${bounds.join(" and ")}` : what);
  switch (node.type) {
    case "number":
      return withBounds("a finite number");
    case "integer":
      return withBounds("an integer");
    case "string":
      return node.pattern ? `a string matching /${node.pattern}/` : "a string";
    case "boolean":
      return "true or false";
    case "array": {
      const n = [node.minItems !== undefined ? `at least ${node.minItems}` : "", node.maxItems !== undefined ? `at most ${node.maxItems}` : ""].filter(Boolean);
      return `an array${n.length ? ` of ${n.join(" and ")} items` : ""}${node.items ? ` of ${expectation(node.items)}` : ""}`;
    }
    case "object":
      return node.properties ? `an object with fields ${Object.keys(node.properties).join(", ")}` : "an object";
    default:
      return "a valid value";
  }
}

/** JSON pointer ("/sae/lr/0") → field path ("sae.lr[0]"), under an optional prefix. */
export function fieldPath(pointer: string, prefix = ""): string {
  let out = prefix;
  for (const raw of pointer.split("/").slice(1)) {
    const part = raw.replace(/~1/g, "/").replace(/~0/g, "~");
    out = /^\d+$/.test(part) ? `${out}[${part}]` : out ? `${out}.${part}` : part;
  }
  return out || "(root)";
}

/** The schema node of the object holding `pointer`'s last segment (for the unknown-field message). */
function parentNode(schema: SchemaNode, pointer: string): SchemaNode | undefined {
  let node: SchemaNode | undefined = schema;
  for (const raw of pointer.split("/").slice(1, -1)) {
    if (!node) return undefined;
    node = /^\d+$/.test(raw) && node.items ? node.items : node.properties?.[raw];
  }
  return node;
}

/** Finite numbers only: JSON cannot carry NaN/Infinity, but a value built in code can. */
function nonFinite(value: unknown, pointer: string, out: Array<{ pointer: string; value: unknown }>): void {
  if (typeof value === "number" && !Number.isFinite(value)) out.push({ pointer, value });
  else if (Array.isArray(value)) for (const [i, v] of value.entries()) nonFinite(v, `${pointer}/${i}`, out);
  else if (typeof value === "object" && value !== null) for (const [k, v] of Object.entries(value)) nonFinite(v, `${pointer}/${k}`, out);
}

/**
 * Every problem of `value` against `schema`, one line each, paths under `prefix`. At most one
 * line per field (the first TypeBox reports), so a wrong type is not also reported as out of range.
 */
export function schemaProblems(schema: TSchema, value: unknown, prefix = ""): string[] {
  const seen = new Set<string>();
  const problems: string[] = [];
  const bad: Array<{ pointer: string; value: unknown }> = [];
  nonFinite(value, "", bad);
  for (const b of bad) {
    seen.add(b.pointer);
    problems.push(`${fieldPath(b.pointer, prefix)}: got ${String(b.value)}, expected a finite number`);
  }
  for (const e of Value.Errors(schema, value)) {
    if ([...seen].some((p) => e.path === p || e.path.startsWith(p + "/"))) continue;
    seen.add(e.path);
    const path = fieldPath(e.path, prefix);
    if (e.message === "Unexpected property") {
      const parent = parentNode(schema as SchemaNode, e.path);
      const known = parent?.properties ? Object.keys(parent.properties).join(", ") : "";
      problems.push(`${path}: unknown field${known ? `; expected one of ${known}` : ""}`);
    } else if (e.value === undefined) {
      problems.push(`${path}: missing; expected ${expectation(e.schema as SchemaNode)}`);
    } else {
      problems.push(`${path}: got ${showValue(e.value)}, expected ${expectation(e.schema as SchemaNode)}`);
    }
  }
  return problems;
}

/** `value` with every omitted field that has a default filled in (a copy; `value` is not changed). */
export function withDefaults<T>(schema: TSchema, value: unknown): T {
  return Value.Default(schema, Value.Clone(value)) as T;
}

/** True for a TypeBox schema (a plain object carrying TypeBox's Kind symbol). */
export function isTypeBoxSchema(value: unknown): value is TSchema {
  return typeof value === "object" && value !== null && Kind in value;
}
