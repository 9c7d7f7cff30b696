/** Bench worker: runs one workload on a slice of the instance axis. */
import { parentPort, workerData } from "node:worker_threads";
import { WORKLOADS } from "./workloads.ts";

const { workload, instances, total, steps } = workerData as { workload: string; instances: number[]; total: number; steps: number };
const w = WORKLOADS[workload];
if (!w) throw new Error(`bench worker: unknown workload "${workload}" (known: ${Object.keys(WORKLOADS).join(", ")})`);
parentPort?.postMessage(w.run(instances, total, steps));
