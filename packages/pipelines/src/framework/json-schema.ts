/**
 * The JSON Schema file of each kind (packages/pipelines/schemas/<kind>.schema.json), generated
 * from the same TypeBox declaration the validator uses; every experiment file points at its
 * kind's with "$schema", so editors complete and check fields. A profile's overrides are the
 * same fields, none of them required. `npm run schemas` rewrites the files; a test fails when a
 * committed file is stale.
 */
import { join } from "node:path";
import type { TSchema } from "@sinclair/typebox";
import { KINDS } from "../kinds/registry.ts";
import type { KindDeclaration } from "./kind.ts";

type Node = Record<string, unknown>;

/** A copy of `schema` in which no field is required, at any depth (what a profile may override). */
export function optionalEverywhere(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(optionalEverywhere);
  if (typeof schema !== "object" || schema === null) return schema;
  const out: Node = {};
  for (const [k, v] of Object.entries(schema)) if (k !== "required") out[k] = optionalEverywhere(v);
  return out;
}

/** Plain JSON (TypeBox's symbols and undefined values dropped), keys in declaration order. */
function plain(schema: TSchema): Node {
  return JSON.parse(JSON.stringify(schema)) as Node;
}

export function kindJsonSchema(kind: KindDeclaration): Node {
  const config = plain(kind.config);
  const properties = config.properties as Node;
  const sections = Object.fromEntries(Object.entries(properties).filter(([k]) => !["name", "kind"].includes(k)));
  const overrides = optionalEverywhere({ type: "object", additionalProperties: false, properties: sections });
  return {
    $schema: "http://json-schema.org/draft-07/schema#",
    title: `Experiment config of kind "${kind.name}" — ${kind.title}`,
    ...config,
    properties: {
      $schema: { type: "string", description: "This file: the kind's JSON Schema, for editors" },
      ...properties,
      profiles: {
        type: "object",
        additionalProperties: false,
        description: "Overrides per profile (Nx configuration); objects merge key by key, arrays are replaced",
        properties: { smoke: overrides, default: overrides, paper: overrides },
      },
    },
  };
}

export function schemaFile(workspaceRoot: string, kindName: string): string {
  return join(workspaceRoot, "packages/pipelines/schemas", `${kindName}.schema.json`);
}

export async function kindSchemas(): Promise<Array<{ kind: string; text: string }>> {
  const out: Array<{ kind: string; text: string }> = [];
  for (const [name, load] of Object.entries(KINDS)) {
    const kind = (await load()).kind as KindDeclaration;
    out.push({ kind: name, text: JSON.stringify(kindJsonSchema(kind), null, 2) + "\n" });
  }
  return out;
}
