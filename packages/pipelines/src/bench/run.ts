/**
 * `nx run pipelines:bench`: one JSON line per workload (format: ./line.ts) with our
 * instance_samples_per_s and the ratio to the PyTorch peer (../shared/bench/torch_peer.py)
 * measured in the same run on the same machine when /usr/bin/python3 has torch.
 *
 * The peer runs at 1 and at 2 threads (on these small shapes 1 thread is often faster) and
 * the ratio is to the faster. Every measurement is repeated (`--repeats`, default 3) and the
 * best kept; the repeats interleave ours and the peer's so a burst of load from other
 * processes on this shared machine falls on both sides alike.
 *   node --import tsx packages/pipelines/src/bench/run.ts [--steps N] [--threads T] [--repeats R]
 *        [--peer-threads 1,2] [--no-peer] [workload …]
 */
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { availableParallelism, loadavg } from "node:os";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { Worker } from "node:worker_threads";
import { benchLine, type OursRun, type PeerRun } from "./line.ts";
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

function peer(workload: string, steps: number, threads: number): PeerRun {
  if (!existsSync(PEER)) return `peer not found at ${PEER}`;
  const python = existsSync("/usr/bin/python3") ? "/usr/bin/python3" : "python3";
  const r = spawnSync(python, [PEER, "--steps", String(steps), "--threads", String(threads), workload], { encoding: "utf8" });
  if (r.status !== 0) return `peer failed: ${(r.stderr || "").trim().split("\n").at(-1)} (Debian: apt-get install -y python3-torch)`;
  return JSON.parse(r.stdout.trim().split("\n").at(-1) ?? "{}") as Record<string, unknown>;
}

async function ours(name: string, instances: number, threads: number, steps: number): Promise<OursRun> {
  const all = Array.from({ length: instances }, (_, i) => i);
  const parts = Array.from({ length: Math.min(threads, instances) }, (_, k) => all.slice(Math.floor((k * all.length) / threads), Math.floor(((k + 1) * all.length) / threads)));
  const results = await Promise.all(parts.map((p) => runWorker(name, p, instances, steps)));
  const seconds = Math.max(...results.map((r) => r.seconds));
  return { seconds, instanceSamplesPerS: (instances * 1024 * steps) / seconds };
}

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      steps: { type: "string", default: "300" },
      threads: { type: "string" },
      repeats: { type: "string", default: "3" },
      "peer-threads": { type: "string", default: "1,2" },
      "no-peer": { type: "boolean", default: false },
    },
  });
  const steps = Number(values.steps);
  const repeats = Math.max(1, Number(values.repeats));
  const threads = Number(values.threads ?? Math.min(2, availableParallelism()));
  const peerThreads = values["no-peer"] ? [] : values["peer-threads"].split(",").map(Number);
  const names = positionals.length ? positionals : Object.keys(WORKLOADS);
  for (const name of names) {
    const w = WORKLOADS[name];
    if (!w) throw new Error(`unknown workload "${name}"; expected one of ${Object.keys(WORKLOADS).join(", ")}`);
    const loadStart = load1m();
    const oursRuns: OursRun[] = [];
    const peerRuns = new Map<number, PeerRun[]>(peerThreads.map((t) => [t, []]));
    for (let r = 0; r < repeats; r++) {
      oursRuns.push(await ours(name, w.instances, threads, steps));
      for (const t of peerThreads) peerRuns.get(t)?.push(peer(name, steps, t));
    }
    const line = benchLine({
      workload: name,
      node: process.version,
      threads: Math.min(threads, w.instances),
      steps,
      ours: oursRuns,
      peer: peerRuns,
      loadStart,
      loadEnd: load1m(),
    });
    console.log(JSON.stringify(line));
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`bench: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});

/** The 1-minute load average (NaN where the platform reports none). */
function load1m(): number {
  return loadavg()[0] ?? Number.NaN;
}
