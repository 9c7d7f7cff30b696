/** Worker-thread entry: runs one toy-model job (toy-jobs.ts) and posts the result back. */
import { parentPort, workerData } from "node:worker_threads";
import { typedArrayBuffers, type ChunkMessage } from "../../framework/workers.ts";
import { jobSteps, runToyJob, type ToyJob } from "./toy-jobs.ts";

const job = workerData as ToyJob;
const steps = jobSteps(job);
let last = 0;
const result = runToyJob(job, (step) => {
  if (step - last >= 50 || step === steps) {
    last = step;
    parentPort?.postMessage({ type: "progress", step } satisfies ChunkMessage<never>);
  }
});
parentPort?.postMessage({ type: "done", result }, typedArrayBuffers(result));
