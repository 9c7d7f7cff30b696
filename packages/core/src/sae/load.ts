/** Looking architectures up by name, and resolving the options a config gives them. */
import { schemaProblems, withDefaults } from "../schema/index.ts";
import type { AnyArchitecture } from "./architecture.ts";
import { ARCHITECTURES } from "./registry.ts";

export function architectureNames(): string[] {
  return Object.keys(ARCHITECTURES);
}

export function isArchitectureName(name: string): name is keyof typeof ARCHITECTURES {
  return Object.hasOwn(ARCHITECTURES, name);
}

/** "unknown architecture …; known: …" — the line a config validator reports for a bad name. */
export function unknownArchitecture(path: string, name: unknown): string {
  return `${path}: got ${JSON.stringify(name)}, expected one of the registered architectures (${architectureNames().join(", ")})`;
}

export async function loadArchitecture(name: string): Promise<AnyArchitecture> {
  if (!isArchitectureName(name)) throw new Error(unknownArchitecture("architecture", name));
  return (await ARCHITECTURES[name]()).architecture;
}

/**
 * The architecture's options with defaults filled in, or the problems of `raw` (one line each,
 * paths under `path`). `raw` is what a config wrote (undefined: all defaults).
 */
export function resolveArchitectureOptions<O extends object>(arch: AnyArchitecture, raw: unknown, path: string): { options: O; problems: string[] } {
  const options = withDefaults<O>(arch.options, raw ?? {});
  return { options, problems: schemaProblems(arch.options, options, path) };
}
