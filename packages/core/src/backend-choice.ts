/**
 * Which tfjs backend a run uses, decided without loading tfjs (importing it costs a stage about
 * half a second, and most stages never run a tfjs op): the flag, else TOY_SAE_BACKEND, else the
 * first of tensorflow (@tensorflow/tfjs-node-gpu or -node, when installed), wasm, cpu whose
 * package is installed. `backend.ts` initialises it when a stage needs tfjs.
 */
import { createRequire } from "node:module";

export type BackendName = "tensorflow" | "wasm" | "cpu";
export const BACKEND_ORDER: readonly BackendName[] = ["tensorflow", "wasm", "cpu"];

export interface BackendChoice {
  name: BackendName;
  /** The npm package that provides it, e.g. "@tensorflow/tfjs-backend-wasm". */
  source: string;
  /** Lines explaining why better backends were skipped. */
  skipped: string[];
  /** True when the flag or TOY_SAE_BACKEND named it (then it must start, no fallback). */
  explicit: boolean;
}

const PACKAGES: Record<BackendName, readonly string[]> = {
  tensorflow: ["@tensorflow/tfjs-node-gpu", "@tensorflow/tfjs-node"],
  wasm: ["@tensorflow/tfjs-backend-wasm"],
  cpu: ["@tensorflow/tfjs-backend-cpu"],
};

const requireHere = createRequire(import.meta.url);

function installed(pkg: string): boolean {
  try {
    requireHere.resolve(pkg);
    return true;
  } catch {
    return false;
  }
}

export function parseBackend(value: string, origin: string): BackendName {
  if ((BACKEND_ORDER as readonly string[]).includes(value)) return value as BackendName;
  throw new Error(`${origin}: unknown backend "${value}"; expected one of ${BACKEND_ORDER.join(", ")}`);
}

export function chooseBackend(requested?: string): BackendChoice {
  const fromEnv = process.env.TOY_SAE_BACKEND;
  const explicit = requested ?? (fromEnv && fromEnv.length > 0 ? fromEnv : undefined);
  const order = explicit ? [parseBackend(explicit, requested ? "--backend" : "TOY_SAE_BACKEND")] : BACKEND_ORDER;
  const skipped: string[] = [];
  for (const name of order) {
    const source = PACKAGES[name].find(installed);
    if (source) return { name, source, skipped, explicit: explicit !== undefined };
    skipped.push(
      name === "tensorflow"
        ? "tensorflow: @tensorflow/tfjs-node-gpu / @tensorflow/tfjs-node not installed (they download libtensorflow at install; see README)"
        : `${name}: ${PACKAGES[name].join(" / ")} not installed`,
    );
  }
  throw new Error(`no tfjs backend is installed: ${skipped.join("; ")}`);
}
