/**
 * Splitting a grid's instance axis over worker threads: `runChunkInWorker` trains one chunk
 * (train-chunk.ts) in a worker (chunk-worker.mjs) and resolves with its result. Every instance
 * sees the same data and initialisation whatever the split, so the thread count never changes
 * the numbers.
 */
import { Worker } from "node:worker_threads";

/** Split `items` into at most `parts` contiguous, nearly equal slices (never an empty one). */
export function splitEvenly<T>(items: T[], parts: number): T[][] {
  const n = Math.max(1, Math.min(parts, items.length));
  return Array.from({ length: n }, (_, k) => items.slice(Math.floor((k * items.length) / n), Math.floor(((k + 1) * items.length) / n)));
}

/** Runs `tasks` with at most `limit` in flight; results keep the tasks' order. */
export async function pool<T>(tasks: Array<() => Promise<T>>, limit: number): Promise<T[]> {
  const results = new Array<T>(tasks.length);
  // one iterator shared by the lanes: each free lane takes the next task
  const queue = tasks.entries();
  const lane = async () => {
    for (const [k, task] of queue) results[k] = await task();
  };
  await Promise.all(Array.from({ length: Math.min(limit, tasks.length) }, lane));
  return results;
}

export type ChunkMessage<R> = { type: "progress"; step: number } | { type: "done"; result: R };

/**
 * Run `trainChunk(job)` in a worker thread, or another job in the worker script `script` (which
 * posts ChunkMessages the same way; e.g. a kind's toy-model trainer).
 */
export function runChunkInWorker<J, R>(job: J, onProgress: (step: number) => void, script?: URL): Promise<R> {
  return new Promise((resolve, reject) => {
    // chunk-worker.mjs registers tsx in the worker (workers do not inherit the loader hook).
    const worker = new Worker(script ?? new URL("./chunk-worker.mjs", import.meta.url), { workerData: job });
    worker.on("message", (m: ChunkMessage<R>) => {
      if (m.type === "progress") onProgress(m.step);
      else resolve(m.result);
    });
    worker.on("error", reject);
    worker.on("exit", (code) => {
      if (code !== 0) reject(new Error(`training worker exited with code ${code}`));
    });
  });
}

/** The ArrayBuffers behind every typed array in a result (a few levels deep), to transfer instead of copy. */
export function typedArrayBuffers(value: unknown, depth = 3, out = new Set<ArrayBuffer>()): ArrayBuffer[] {
  if (ArrayBuffer.isView(value)) {
    if (value.buffer instanceof ArrayBuffer) out.add(value.buffer);
  } else if (depth > 0 && typeof value === "object" && value !== null) {
    for (const v of Object.values(value)) typedArrayBuffers(v, depth - 1, out);
  }
  return [...out];
}
