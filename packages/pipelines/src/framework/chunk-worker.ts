/** Worker-thread entry: trains one chunk of SAEs (train-chunk.ts) and posts the result back. */
import { parentPort, workerData } from "node:worker_threads";
import { loadTrainSaesModule, trainChunk, type ChunkJob } from "./train-chunk.ts";
import { typedArrayBuffers, type ChunkMessage } from "./workers.ts";

const job = workerData as ChunkJob;
const steps = job.saes[0]?.steps ?? 0;
let last = 0;
const result = await trainChunk(job, await loadTrainSaesModule(job.kind), (step) => {
  if (step - last >= 25 || step === steps - 1) {
    last = step;
    parentPort?.postMessage({ type: "progress", step: step + 1 } satisfies ChunkMessage<never>);
  }
});
parentPort?.postMessage({ type: "done", result }, typedArrayBuffers(result));
