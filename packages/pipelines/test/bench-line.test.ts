/**
 * The bench's JSON lines (`nx run pipelines:bench`): their format, which other tools read, and
 * the choice of the best repeat and of the peer's faster thread count. Not its speed: timing
 * belongs in the bench itself, never in a test.
 */
import { spawnSync } from "node:child_process";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { benchLine, type BenchLineInput, type PeerRun } from "../src/bench/line.ts";

const peerLine = (rate: number, threads: number): PeerRun => ({ workload: "l0-small", engine: "pytorch-cpu-eager", threads, instance_samples_per_s: rate });

function input(over: Partial<BenchLineInput> = {}): BenchLineInput {
  return {
    workload: "l0-small",
    node: "v20.20.2",
    threads: 2,
    steps: 300,
    ours: [
      { seconds: 2, instanceSamplesPerS: 8_448_000 },
      { seconds: 1.6, instanceSamplesPerS: 10_560_000 },
      { seconds: 1.8, instanceSamplesPerS: 9_386_666.66 },
    ],
    peer: new Map([
      [1, [peerLine(1_600_000, 1), peerLine(1_650_000, 1)]],
      [2, [peerLine(1_900_000, 2), peerLine(1_800_000, 2)]],
    ]),
    loadStart: 1.234,
    loadEnd: 1.5,
    ...over,
  };
}

describe("bench JSON line", () => {
  it("keeps our best repeat, the peer's best per thread count, and divides by the faster", () => {
    const line = benchLine(input());
    expect(line).toEqual({
      workload: "l0-small",
      engine: "toy-sae-lab fused-cpu",
      node: "v20.20.2",
      threads: 2,
      steps: 300,
      repeats: 3,
      seconds: 1.6,
      instance_samples_per_s: 10_560_000,
      peer_threads_1: 1_650_000,
      peer_threads_2: 1_900_000,
      peer: peerLine(1_900_000, 2),
      peer_best_threads: 2,
      ratio_to_peer: 5.558, // 10.56 M / 1.9 M, to three decimals
      load_1m: [1.23, 1.5],
    });
    // one JSON line: every value survives a round trip
    expect(JSON.parse(JSON.stringify(line))).toEqual(line);
  });

  it("takes the 1-thread peer when it is the faster", () => {
    const line = benchLine(
      input({
        peer: new Map([
          [1, [peerLine(2_000_000, 1)]],
          [2, [peerLine(1_000_000, 2)]],
        ]),
      }),
    );
    expect(line.peer_best_threads).toBe(1);
    expect(line.ratio_to_peer).toBe(5.28);
  });

  it("ignores a failed peer run when another repeat ran, and says why when none did", () => {
    const mixed = benchLine(input({ peer: new Map([[1, ["peer failed: killed", peerLine(1_000_000, 1)]]]) }));
    expect(mixed.peer_threads_1).toBe(1_000_000);
    expect(mixed.ratio_to_peer).toBe(10.56);

    const failed = benchLine(input({ peer: new Map([[1, ["peer failed: No module named 'torch' (Debian: apt-get install -y python3-torch)"]]]) }));
    expect(failed.peer_threads_1).toMatch(/No module named 'torch'/);
    expect(failed.peer).toMatch(/No module named 'torch'/);
    expect(failed).not.toHaveProperty("ratio_to_peer");
    expect(failed).not.toHaveProperty("peer_best_threads");
  });

  it("has no peer fields with --no-peer", () => {
    const line = benchLine(input({ peer: new Map() }));
    for (const key of ["peer", "peer_threads_1", "peer_threads_2", "peer_best_threads", "ratio_to_peer"]) expect(line).not.toHaveProperty(key);
    expect(line.instance_samples_per_s).toBe(10_560_000);
  });

  it("refuses a workload that never ran", () => {
    expect(() => benchLine(input({ ours: [] }))).toThrow(/no runs of l0-small/);
  });
});

/** The workspace root, where the bench driver runs. */
const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../../..");

describe("bench driver", () => {
  it("prints one parseable line per workload it is given", () => {
    const r = spawnSync(process.execPath, ["--import", "tsx", "packages/pipelines/src/bench/run.ts", "--steps", "2", "--repeats", "1", "--no-peer", "composed-grid", "l0-small"], {
      cwd: ROOT,
      encoding: "utf8",
    });
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    const lines = r.stdout
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.map((l) => l.workload)).toEqual(["composed-grid", "l0-small"]);
    for (const l of lines) {
      expect(l).toMatchObject({ engine: "toy-sae-lab fused-cpu", steps: 2, repeats: 1 });
      expect(l.instance_samples_per_s).toBeGreaterThan(0);
      expect(l).not.toHaveProperty("ratio_to_peer");
    }
  });

  it("names the known workloads when given an unknown one", () => {
    const r = spawnSync(process.execPath, ["--import", "tsx", "packages/pipelines/src/bench/run.ts", "--no-peer", "l0-huge"], { cwd: ROOT, encoding: "utf8" });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/unknown workload "l0-huge"; expected one of composed-grid, l0-small, l0-main/);
  });
});
