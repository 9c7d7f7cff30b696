/**
 * `nx run pipelines:bench`: one JSON line per workload with instance_samples_per_s, and the
 * ratio to the PyTorch peer (../shared/bench/torch_peer.py) measured in the same run on the
 * same machine when /usr/bin/python3 has torch.
 *   node --import tsx packages/pipelines/src/bench/run.ts [--steps N] [--threads T] [--no-peer] [workload …]
 */
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { availableParallelism } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { Worker } from "node:worker_threads";
import { WORKLOADS, type WorkloadResult } from "./workloads.ts";

const HERE = dirname(fileURLToPath(import.meta.url));
const PEER = resolve(HERE, "../../../../../shared/bench/torch_peer.py");

function runWorker(workload: string, instances: number[], total: number, steps: number): Promise<WorkloadResult> {
  return new Promise((res, rej) => {
    const w = new Worker(new URL("./worker.mjs", import.meta.url), { workerData: { workload, instances, total, steps } });
    w.once("message", res);
    w.once("error", rej);
  });
}

function peer(workload: string, steps: number): Record<string, unknown> | string {
  if (!existsSync(PEER)) return `peer not found at ${PEER}`;
  const python = existsSync("/usr/bin/python3") ? "/usr/bin/python3" : "python3";
  const r = spawnSync(python, [PEER, "--steps", String(steps), workload], { encoding: "utf8" });
  if (r.status !== 0) return `peer failed: ${(r.stderr || "").trim().split("\n").at(-1)} (Debian: apt-get install -y python3-torch)`;
  return JSON.parse(r.stdout.trim().split("\n").at(-1) ?? "{}") as Record<string, unknown>;
}

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { steps: { type: "string", default: "300" }, threads: { type: "string" }, "no-peer": { type: "boolean", default: false } },
  });
  const steps = Number(values.steps);
  const threads = Number(values.threads ?? Math.min(2, availableParallelism()));
  const names = positionals.length ? positionals : Object.keys(WORKLOADS);
  for (const name of names) {
    const w = WORKLOADS[name];
    if (!w) throw new Error(`unknown workload "${name}"; expected one of ${Object.keys(WORKLOADS).join(", ")}`);
    const all = Array.from({ length: w.instances }, (_, i) => i);
    const parts = Array.from({ length: Math.min(threads, w.instances) }, (_, k) =>
      all.slice(Math.floor((k * all.length) / threads), Math.floor(((k + 1) * all.length) / threads)),
    );
    const results = await Promise.all(parts.map((p) => runWorker(name, p, w.instances, steps)));
    const seconds = Math.max(...results.map((r) => r.seconds));
    const ours = (w.instances * 1024 * steps) / seconds;
    const line: Record<string, unknown> = {
      workload: name,
      engine: "toy-sae-lab fused-cpu",
      node: process.version,
      threads: parts.length,
      steps,
      seconds: Number(seconds.toFixed(3)),
      instance_samples_per_s: Number(ours.toFixed(1)),
    };
    if (!values["no-peer"]) {
      const p = peer(name, steps);
      if (typeof p === "string") line.peer = p;
      else {
        line.peer = p;
        line.ratio_to_peer = Number((ours / Number(p.instance_samples_per_s)).toFixed(3));
      }
    }
    console.log(JSON.stringify(line));
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`bench: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
