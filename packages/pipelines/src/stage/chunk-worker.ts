/** Worker-thread entry: loads a kind's train-grid module, trains one chunk, posts the result back. */
import { parentPort, workerData } from "node:worker_threads";
import { typedArrayBuffers, type ChunkMessage } from "./workers.ts";

interface ChunkModule {
  trainChunk(job: { steps: number }, onStep: (step: number) => void): unknown;
}

const { module, job } = workerData as { module: string; job: { steps: number } };
const { trainChunk } = (await import(module)) as ChunkModule;
let last = 0;
const result = trainChunk(job, (step) => {
  if (step - last >= 25 || step === job.steps - 1) {
    last = step;
    parentPort?.postMessage({ type: "progress", step: step + 1 } satisfies ChunkMessage<never>);
  }
});
parentPort?.postMessage({ type: "done", result }, typedArrayBuffers(result));
