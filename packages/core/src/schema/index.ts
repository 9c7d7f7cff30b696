/**
 * Declaring options and configs: TypeBox (JSON Schema builders with static types) plus this
 * project's conventions. Objects are strict (unknown fields are errors, not silently ignored).
 */
import { Type, type TLiteral, type TObject, type TProperties, type TUnion, type ObjectOptions } from "@sinclair/typebox";

export { Type, type Static, type TSchema, type TObject } from "@sinclair/typebox";
export { schemaProblems, withDefaults, expectation, fieldPath, showValue } from "./validate.ts";

/** An object schema that rejects fields it does not declare. */
export function strictObject<P extends TProperties>(properties: P, options: ObjectOptions = {}): TObject<P> {
  return Type.Object(properties, { additionalProperties: false, ...options });
}

/** A string enum as a union of literals (JSON Schema `anyOf` of `const`s, which editors complete). */
export function oneOf<const V extends readonly [string, ...string[]]>(values: V, options: { description?: string; default?: V[number] } = {}): TUnion<TLiteral<V[number]>[]> {
  return Type.Union(
    values.map((v) => Type.Literal(v)),
    options,
  ) as TUnion<TLiteral<V[number]>[]>;
}
