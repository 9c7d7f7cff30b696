/**
 * The kinds registry and what every kind declares: each kind loads, declares every stage with
 * fields that exist in its config and reads of earlier stages only, draws catalogue figures,
 * and its committed JSON Schema file is what its declaration generates; every experiment file
 * points at its kind's schema.
 */
import { describe, expect, it } from "vitest";
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { CATALOGUE } from "../src/framework/catalogue.ts";
import { kindSchemas, schemaFile } from "../src/framework/json-schema.ts";
import type { KindDeclaration } from "../src/framework/kind.ts";
import { STAGES } from "../src/framework/stages.ts";
import { KINDS } from "../src/kinds/registry.ts";
import { REPO } from "./workspace.ts";

const kinds = async () => Promise.all(Object.entries(KINDS).map(async ([name, load]) => ({ name, kind: (await load()).kind as KindDeclaration })));

describe("experiment kinds", () => {
  it("each registered kind is named as registered and declares every stage consistently", async () => {
    for (const { name, kind } of await kinds()) {
      expect(kind.name).toBe(name);
      const sections = Object.keys(kind.config.properties);
      STAGES.forEach((stage, k) => {
        const d = kind.stages[stage];
        for (const f of d.fields) expect(sections, `${name} ${stage} field ${f}`).toContain(f.replace(/^!/, "").split(".")[0]);
        for (const r of d.reads) expect(STAGES.slice(0, k), `${name} ${stage} reads ${r}`).toContain(r.split("/")[0]);
      });
      for (const n of kind.figures) expect(CATALOGUE.map((c) => c.figure)).toContain(n);
    }
  });

  it("each kind's stages come from its stages.json, which the Nx plugin reads for the cache inputs", async () => {
    for (const { name, kind } of await kinds()) {
      const file = join(REPO, "packages/pipelines/src/kinds", name === "composed-grid" ? "composed" : name, "stages.json");
      expect(JSON.parse(readFileSync(file, "utf8")), `${name}: ${file}`).toEqual(kind.stages);
    }
  });

  it("commits each kind's JSON Schema as generated from its declaration (npm run schemas)", async () => {
    for (const { kind, text } of await kindSchemas()) expect(readFileSync(schemaFile(REPO, kind), "utf8"), `${kind}: run npm run schemas`).toBe(text);
  });

  it("every experiment file references its kind's schema", () => {
    const dir = join(REPO, "packages/pipelines/experiments");
    for (const f of readdirSync(dir).filter((f) => f.endsWith(".json"))) {
      const raw = JSON.parse(readFileSync(join(dir, f), "utf8")) as { $schema?: string; kind: string };
      expect(raw.$schema, f).toBe(`../schemas/${raw.kind}.schema.json`);
    }
  });
});
