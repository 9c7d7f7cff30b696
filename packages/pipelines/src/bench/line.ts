/**
 * The bench's JSON line for one workload, built from best-of-N measurements of ours and of
 * the PyTorch peer at each thread count. Pure (no timing, no I/O) so its format can be tested.
 *
 * Fields kept from the first bench (readers parse them): workload, engine, node, threads,
 * steps, seconds, instance_samples_per_s, peer (the peer's own JSON line — now the one of its
 * fastest thread count — or why there is none) and ratio_to_peer (ours / that peer).
 * Added: repeats, peer_threads_<T> (the peer's best instance-samples/s at T threads),
 * peer_best_threads, and the 1-minute load average at the start and end of the workload
 * (the machine is shared: a ratio measured under load says so).
 */

/** One run of the peer: its JSON line, or why it did not run. */
export type PeerRun = Record<string, unknown> | string;

export interface OursRun {
  seconds: number;
  instanceSamplesPerS: number;
}

export interface BenchLineInput {
  workload: string;
  node: string;
  threads: number;
  steps: number;
  /** Our runs, one per repeat. */
  ours: readonly OursRun[];
  /** Peer runs by thread count, one per repeat (empty map: --no-peer). */
  peer: ReadonlyMap<number, readonly PeerRun[]>;
  loadStart: number;
  loadEnd: number;
}

export type BenchLine = Record<string, string | number | Record<string, unknown> | number[]>;

function peerRate(r: PeerRun): number {
  return typeof r === "string" ? Number.NaN : Number(r.instance_samples_per_s);
}

/** The fastest of the runs (NaN-free), or the first failure's message when none ran. */
function bestPeer(runs: readonly PeerRun[]): PeerRun {
  let best: PeerRun | null = null;
  for (const r of runs) if (typeof r !== "string" && (best === null || peerRate(r) > peerRate(best))) best = r;
  return best ?? runs[0] ?? "peer not run";
}

export function benchLine(o: BenchLineInput): BenchLine {
  const [first, ...rest] = o.ours;
  if (!first) throw new Error(`benchLine: no runs of ${o.workload}`);
  let ours = first;
  for (const r of rest) if (r.instanceSamplesPerS > ours.instanceSamplesPerS) ours = r;
  const line: BenchLine = {
    workload: o.workload,
    engine: "toy-sae-lab fused-cpu",
    node: o.node,
    threads: o.threads,
    steps: o.steps,
    repeats: o.ours.length,
    seconds: Number(ours.seconds.toFixed(3)),
    instance_samples_per_s: Number(ours.instanceSamplesPerS.toFixed(1)),
  };
  if (o.peer.size > 0) {
    let best: PeerRun = "peer not run";
    let bestThreads = 0;
    for (const [threads, runs] of o.peer) {
      const b = bestPeer(runs);
      line[`peer_threads_${threads}`] = typeof b === "string" ? b : peerRate(b);
      if (typeof b !== "string" && (typeof best === "string" || peerRate(b) > peerRate(best))) {
        best = b;
        bestThreads = threads;
      }
      if (typeof best === "string" && typeof b === "string") best = b;
    }
    line.peer = best;
    if (typeof best !== "string") {
      line.peer_best_threads = bestThreads;
      line.ratio_to_peer = Number((ours.instanceSamplesPerS / peerRate(best)).toFixed(3));
    }
  }
  line.load_1m = [Number(o.loadStart.toFixed(2)), Number(o.loadEnd.toFixed(2))];
  return line;
}
