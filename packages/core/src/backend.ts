/**
 * Tensor backend selection. tfjs is the reference engine (autodiff for every model and
 * loss); the hand-fused kernels are checked against it. Best first:
 *   tensorflow (from @tensorflow/tfjs-node-gpu or @tensorflow/tfjs-node, when the user installed one),
 *   wasm (@tensorflow/tfjs-backend-wasm), cpu (@tensorflow/tfjs-backend-cpu).
 * Override with `--backend NAME` on a stage CLI or the TOY_SAE_BACKEND environment variable.
 */
import * as tf from "@tensorflow/tfjs-core";
// tfjs-core ships its gradient functions separately; the @tensorflow/tfjs bundle registers them
// (its node build shares our tfjs-core instance).
import "@tensorflow/tfjs";

import { BACKEND_ORDER, parseBackend, type BackendName } from "./backend-choice.ts";

export { BACKEND_ORDER, type BackendName };

export interface BackendInfo {
  name: BackendName;
  /** The npm package that provided it, e.g. "@tensorflow/tfjs-node-gpu". */
  source: string;
  /** Lines explaining why better backends were skipped (empty when the first choice worked). */
  skipped: string[];
}

let active: BackendInfo | null = null;

async function tryTensorflow(): Promise<string | null> {
  for (const pkg of ["@tensorflow/tfjs-node-gpu", "@tensorflow/tfjs-node"]) {
    try {
      await import(pkg);
      if (tf.findBackend("tensorflow")) return pkg;
    } catch {
      // not installed: these packages download libtensorflow at install time, so they are optional
    }
  }
  return null;
}

async function register(name: BackendName): Promise<string | null> {
  if (name === "tensorflow") return tryTensorflow();
  if (name === "wasm") {
    try {
      await import("@tensorflow/tfjs-backend-wasm");
      return "@tensorflow/tfjs-backend-wasm";
    } catch {
      return null;
    }
  }
  await import("@tensorflow/tfjs-backend-cpu");
  return "@tensorflow/tfjs-backend-cpu";
}

/**
 * Pick and initialise the backend. `requested` (flag) wins over TOY_SAE_BACKEND, which wins
 * over the default order. A requested backend that cannot start is an error, not a silent fallback.
 */
export async function selectBackend(requested?: string): Promise<BackendInfo> {
  const fromEnv = process.env.TOY_SAE_BACKEND;
  const explicit = requested ?? (fromEnv && fromEnv.length > 0 ? fromEnv : undefined);
  const order = explicit ? [parseBackend(explicit, requested ? "--backend" : "TOY_SAE_BACKEND")] : BACKEND_ORDER;
  const skipped: string[] = [];
  for (const name of order) {
    const source = await register(name);
    if (source && (await tf.setBackend(name))) {
      await tf.ready();
      active = { name, source, skipped };
      return active;
    }
    skipped.push(
      name === "tensorflow"
        ? "tensorflow: @tensorflow/tfjs-node-gpu / @tensorflow/tfjs-node not installed (they download libtensorflow at install; see README)"
        : `${name}: could not be initialised`,
    );
  }
  throw new Error(`backend ${explicit} could not be initialised: ${skipped.join("; ")}`);
}

/** The backend chosen by `selectBackend`, or the cpu backend started on demand (tests). */
export async function activeBackend(): Promise<BackendInfo> {
  return active ?? selectBackend();
}

export { tf };
