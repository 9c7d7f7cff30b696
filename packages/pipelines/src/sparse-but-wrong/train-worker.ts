/** Worker-thread entry: trains one chunk of the instance axis and posts the result back. */
import { parentPort, workerData } from "node:worker_threads";
import { trainChunk, type ChunkJob } from "./train-grid.ts";

const job = workerData as ChunkJob;
let last = 0;
const result = trainChunk(job, (step) => {
  if (step - last >= 25 || step === job.steps - 1) {
    last = step;
    parentPort?.postMessage({ type: "progress", step: step + 1 });
  }
});
parentPort?.postMessage({ type: "done", result }, [
  result.params.wEnc.buffer,
  result.params.bEnc.buffer,
  result.params.wDec.buffer,
  result.params.bDec.buffer,
  result.logThreshold.buffer,
] as ArrayBuffer[]);
