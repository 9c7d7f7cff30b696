/**
 * Faults that used to end in exit 0 with wrong numbers (issue 9), each provoked in a temporary
 * workspace on toy-l0-small's smoke profile: a config edited while its chain runs, a damaged
 * artifact, a damaged Nx cache entry, a stage killed with SIGKILL, the same experiment started
 * twice at once.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";

// each case runs Nx (sometimes twice at once) on a 2-core machine
const SLOW = { timeout: 300_000 };
import { spawn, spawnSync } from "node:child_process";
import { existsSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { readArtifact, readFloatColumn } from "@toy-sae/core/artifact/arrow";
import { taskStatus, tempWorkspace, type TempWorkspace } from "../workspace.ts";

let ws: TempWorkspace;
const out = () => join(ws.root, "artifacts/toy-l0-small-smoke");
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Every file under `dir`, recursively. */
function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? filesUnder(p) : [p];
  });
}

/** Flip one byte in the middle of a file (same length). */
function flipByte(file: string): void {
  const bytes = readFileSync(file);
  const at = Math.floor(bytes.length / 2);
  bytes[at] ^= 0xff;
  writeFileSync(file, bytes);
}

async function until(what: string, ok: () => boolean, timeoutMs = 120_000): Promise<void> {
  const start = Date.now();
  while (!ok()) {
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

beforeAll(() => {
  ws = tempWorkspace();
  const r = ws.nx(["run", "pipelines:toy-l0-small:smoke"]);
  if (r.status !== 0) console.error(r.output.slice(-3000));
  expect(r.status).toBe(0);
});
afterAll(() => ws?.dispose());

describe("faults", () => {
  it("a config edited while its chain runs: the run keeps the config it started with, the next run recomputes", SLOW, async () => {
    const setLr = (lr: number) => ws.editConfig("toy-l0-small", (c) => ((c.sae as Record<string, unknown>).lr = lr));
    setLr(1e-3);
    const chain = ws.nxAsync(["run", "pipelines:toy-l0-small:smoke"]);
    const snapshot = join(out(), "config/train-saes.json");
    await until("the config stage", () => existsSync(snapshot) && readFileSync(snapshot, "utf8").includes('"lr": 0.001'));
    setLr(2e-3); // while generate / train-model / train-saes run
    const first = await chain;
    expect(first.status).toBe(0);
    const lrs = async () => new Set(readFloatColumn(await readArtifact(join(out(), "train-saes/saes.arrow")), "lr"));
    expect(await lrs()).toEqual(new Set([1e-3]));
    const second = ws.nx(["run", "pipelines:toy-l0-small:smoke"]);
    expect(second.status).toBe(0);
    expect(taskStatus(second.output, "toy-l0-small:train-saes:smoke")).toBe("ran");
    expect(await lrs()).toEqual(new Set([2e-3]));
  });

  it("the config stage refuses a file that changed after the run's cache keys were computed, and touches nothing", SLOW, () => {
    const before = readFileSync(join(out(), "config/generate.json"), "utf8");
    const r = spawnSync(
      process.execPath,
      ["--import", "tsx", "packages/pipelines/src/framework/cli.ts", "config", "--experiment", "toy-l0-small", "--profile", "smoke", "--out", "artifacts/toy-l0-small-smoke"],
      {
        cwd: ws.root,
        env: { ...process.env, TOY_SAE_EXPERIMENT_SHAS: JSON.stringify({ "toy-l0-small": "0".repeat(64) }) },
        encoding: "utf8",
      },
    );
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/toy-l0-small\.json changed after this run started .* nothing was written/);
    expect(readFileSync(join(out(), "config/generate.json"), "utf8")).toBe(before);
  });

  it("a byte changed inside an upstream artifact fails the reading stage, naming the file and how to rebuild it", SLOW, () => {
    flipByte(join(out(), "generate/spec.arrow"));
    // the stage alone (Nx would first rebuild generate, which is what the message tells a user to do)
    const r = ws.cli(["train-model", "--experiment", "toy-l0-small", "--profile", "smoke"]);
    expect(r.status).not.toBe(0);
    expect(r.output).toContain("generate/spec.arrow");
    expect(r.output).toContain("rebuild it with: npx nx run toy-l0-small:generate:smoke --skip-nx-cache");
    expect(ws.nx(["run", "toy-l0-small:generate:smoke", "--skip-nx-cache"]).status).toBe(0);
  });

  it("a damaged Nx cache entry is caught by the first stage that reads it, which says how to clear the cache", SLOW, () => {
    const specHash = readFileSync(join(out(), "generate/spec.arrow"));
    const cached = filesUnder(join(ws.root, ".nx/cache")).filter((f) => f.endsWith("toy-l0-small-smoke/generate/spec.arrow") && readFileSync(f).equals(specHash));
    expect(cached.length).toBeGreaterThan(0);
    for (const f of cached) flipByte(f);
    rmSync(join(out(), "generate"), { recursive: true, force: true });
    // a train-model field changes, so train-model runs on the generate output restored from the (damaged) cache
    ws.editConfig("toy-l0-small", (c) => {
      const variants = (c.model as { variants: Array<Record<string, unknown>> }).variants;
      variants[1].steps = 5;
    });
    const r = ws.nx(["run", "pipelines:toy-l0-small:smoke"]);
    expect(r.status).not.toBe(0);
    expect(taskStatus(r.output, "toy-l0-small:generate:smoke")).toBe("cached");
    expect(r.output).toMatch(/spec\.arrow: (content does not match its checksum|not a readable Arrow file)/);
    expect(r.output).toContain("npx nx reset");
    expect(ws.nx(["reset"]).status).toBe(0);
    expect(ws.nx(["run", "pipelines:toy-l0-small:smoke"]).status).toBe(0);
  });

  it("a stage killed with SIGKILL leaves nothing that a rerun reads or caches", SLOW, async () => {
    ws.editConfig("toy-l0-small", (c) => ((c.profiles as Record<string, { sae: Record<string, unknown> }>).smoke.sae.samples = 409_600));
    expect(ws.nx(["run", "toy-l0-small:config:smoke"]).status).toBe(0);
    const stage = spawn(
      process.execPath,
      ["--import", "tsx", "packages/pipelines/src/framework/cli.ts", "train-saes", "--experiment", "toy-l0-small", "--profile", "smoke", "--out", "artifacts/toy-l0-small-smoke"],
      {
        cwd: ws.root,
        detached: true,
        stdio: "ignore",
      },
    );
    await until("train-saes to start", () => existsSync(join(out(), ".lock")) && !existsSync(join(out(), "train-saes/saes.arrow")), 30_000);
    await sleep(2500);
    process.kill(-(stage.pid as number), "SIGKILL"); // the stage and its worker threads
    await sleep(300);
    const r = ws.nx(["run", "pipelines:toy-l0-small:smoke"]);
    if (r.status !== 0) console.error(r.output.slice(-3000));
    expect(r.status).toBe(0);
    expect(taskStatus(r.output, "toy-l0-small:train-saes:smoke")).toBe("ran");
    const temporaries = [...filesUnder(join(ws.root, "artifacts")), ...filesUnder(join(ws.root, ".nx/cache"))].filter((f) => /\.tmp-\d+-[0-9a-f]+$/.test(f));
    expect(temporaries).toEqual([]);
  });

  it("the same experiment started twice at once: both succeed with the outputs of a single run", SLOW, async () => {
    ws.editConfig("toy-l0-small", (c) => ((c.profiles as Record<string, { sae: Record<string, unknown> }>).smoke.sae.samples = 153_600));
    const [a, b] = await Promise.all([ws.nxAsync(["run", "pipelines:toy-l0-small:smoke"]), ws.nxAsync(["run", "pipelines:toy-l0-small:smoke"])]);
    if (a.status !== 0) console.error(a.output.slice(-2000));
    if (b.status !== 0) console.error(b.output.slice(-2000));
    expect(a.status).toBe(0);
    expect(b.status).toBe(0);
    const once = readFileSync(join(out(), "metrics/metrics.arrow"));
    expect(ws.nx(["run", "pipelines:toy-l0-small:smoke", "--skip-nx-cache"]).status).toBe(0);
    expect(readFileSync(join(out(), "metrics/metrics.arrow")).equals(once)).toBe(true);
  });

  it("two stages of one experiment at once serialise on the experiment's lock, and the second says it waits", SLOW, async () => {
    const stage = () =>
      new Promise<{ status: number; output: string }>((resolve) => {
        const child = spawn(process.execPath, ["--import", "tsx", "packages/pipelines/src/framework/cli.ts", "metrics", "--experiment", "toy-l0-small", "--profile", "smoke"], {
          cwd: ws.root,
        });
        let output = "";
        child.stderr.on("data", (d: Buffer) => (output += d.toString()));
        child.on("close", (code) => resolve({ status: code ?? -1, output }));
      });
    const [a, b] = await Promise.all([stage(), stage()]);
    expect(a.status).toBe(0);
    expect(b.status).toBe(0);
    expect(`${a.output}\n${b.output}`).toMatch(/toy-l0-small-smoke: waiting for PID \d+ .* to finish with it/);
  });
});
