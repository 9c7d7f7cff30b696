import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, readFile, rm, utimes, writeFile } from "node:fs/promises";
import { hostname, tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { LOCK_FILE_NAME, OutputLockBusyError, acquireOutputLock, takeOverStaleLock, type LockHolder } from "../src/framework/output-lock.ts";

const HERE = dirname(fileURLToPath(import.meta.url));
const REPO = resolve(HERE, "../../..");
const FIXTURE = join(HERE, "fixtures", "hold-output-lock.ts");

let folder: string;
beforeEach(async () => {
  folder = join(await mkdtemp(join(tmpdir(), "toy-sae-lock-")), "artifacts", "exp");
});
afterEach(async () => {
  await rm(join(folder, "..", ".."), { recursive: true, force: true });
});

const lockFile = () => join(folder, LOCK_FILE_NAME);
const readHolder = async (): Promise<LockHolder> => JSON.parse(await readFile(lockFile(), "utf8")) as LockHolder;

/** Settles to "pending" if `p` has not settled within `ms`. */
async function stateAfter<T>(p: Promise<T>, ms: number): Promise<"pending" | "settled"> {
  return Promise.race([
    p.then(
      () => "settled" as const,
      () => "settled" as const,
    ),
    new Promise<"pending">((r) => setTimeout(() => r("pending"), ms)),
  ]);
}

interface Child {
  proc: ChildProcess;
  lines: string[];
  /** Resolves when the child has printed a line starting with `prefix`. */
  waitFor(prefix: string): Promise<void>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

function startChild(...args: string[]): Child {
  const proc = spawn(process.execPath, ["--import", "tsx", FIXTURE, folder, ...args], { cwd: REPO, stdio: ["ignore", "pipe", "pipe"] });
  const lines: string[] = [];
  const waiters: { prefix: string; resolve: () => void }[] = [];
  let buffer = "";
  proc.stdout?.on("data", (chunk: Buffer) => {
    buffer += chunk.toString("utf8");
    for (let nl = buffer.indexOf("\n"); nl >= 0; nl = buffer.indexOf("\n")) {
      const line = buffer.slice(0, nl);
      buffer = buffer.slice(nl + 1);
      lines.push(line);
      for (const w of waiters.filter((x) => line.startsWith(x.prefix))) w.resolve();
    }
  });
  proc.stderr?.resume();
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((r) => proc.on("exit", (code, signal) => r({ code, signal })));
  return {
    proc,
    lines,
    exited,
    waitFor: (prefix) =>
      lines.some((l) => l.startsWith(prefix))
        ? Promise.resolve()
        : new Promise<void>((r, reject) => {
            waiters.push({ prefix, resolve: r });
            void exited.then(() => reject(new Error(`child exited before printing "${prefix}"; printed: ${lines.join(" | ")}`)));
          }),
  };
}

describe("acquireOutputLock in one process", () => {
  it("a second lock waits until the first is released, saying once whom it waits for", async () => {
    const first = await acquireOutputLock(folder, { log: () => {} });
    expect(await readHolder()).toMatchObject({ pid: process.pid, hostname: hostname(), token: first.holder.token });
    const said: string[] = [];
    const second = acquireOutputLock(folder, { pollMs: 10, log: (l) => said.push(l) });
    expect(await stateAfter(second, 200)).toBe("pending");
    expect(said).toEqual([`${folder}: waiting for PID ${process.pid} on host ${hostname()}, started ${first.holder.startedAt} (${first.holder.command}) to finish with it`]);
    first.release();
    const lock = await second;
    expect((await readHolder()).token).toBe(lock.holder.token);
    expect(said).toHaveLength(1); // said once, however long it waited
    lock.release();
    expect(existsSync(lockFile())).toBe(false);
  });

  it("fails fast, naming the holder, when asked to", async () => {
    const first = await acquireOutputLock(folder);
    const err: unknown = await acquireOutputLock(folder, { ifLocked: "fail" }).then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(OutputLockBusyError);
    expect((err as Error).message).toBe(
      `${folder} is in use by PID ${process.pid} on host ${hostname()}, started ${first.holder.startedAt} (${first.holder.command}); wait for that run to finish or stop it, then run again`,
    );
    expect((err as OutputLockBusyError).holder?.token).toBe(first.holder.token);
    expect((await readHolder()).token).toBe(first.holder.token); // the holder's lock is untouched
    first.release();
  });

  it("gives up after timeoutMs, naming the holder", async () => {
    const first = await acquireOutputLock(folder);
    const t0 = Date.now();
    await expect(acquireOutputLock(folder, { timeoutMs: 150, pollMs: 20, log: () => {} })).rejects.toThrow(
      new RegExp(`^gave up after waiting 150 ms for ${folder}: still in use by PID ${process.pid} `),
    );
    expect(Date.now() - t0).toBeGreaterThanOrEqual(150);
    first.release();
  });

  it("serialises many waiting runs: no two hold the lock at once", async () => {
    let inside = 0;
    let maxInside = 0;
    const run = async () => {
      const lock = await acquireOutputLock(folder, { pollMs: 5, log: () => {} });
      inside++;
      maxInside = Math.max(maxInside, inside);
      await new Promise((r) => setTimeout(r, 20));
      inside--;
      lock.release();
    };
    await Promise.all(Array.from({ length: 6 }, run));
    expect(maxInside).toBe(1);
    expect(existsSync(lockFile())).toBe(false);
  });

  it("release removes only its own lock, and may be called twice", async () => {
    const lock = await acquireOutputLock(folder);
    const other: LockHolder = { pid: process.pid, hostname: hostname(), startedAt: "t", command: "other", token: "someone-else" };
    await writeFile(lockFile(), JSON.stringify(other)); // as if another run had taken it over
    lock.release();
    lock.release();
    expect((await readHolder()).token).toBe("someone-else");
  });

  it("does not take over a lock held on another host, and says why it cannot tell", async () => {
    await mkdir(folder, { recursive: true });
    await writeFile(lockFile(), JSON.stringify({ pid: 999999, hostname: "elsewhere", startedAt: "2025-01-01T00:00:00.000Z", command: "cli", token: "x" }));
    await expect(acquireOutputLock(folder, { ifLocked: "fail" })).rejects.toThrow(
      `in use by PID 999999 on host elsewhere, started 2025-01-01T00:00:00.000Z (cli); it runs on another host, so this one cannot tell whether it still runs: if it does not, delete ${lockFile()}`,
    );
  });

  it("takes over an unreadable lock file once it is old (its writer died before writing), not while it is new", async () => {
    await mkdir(folder, { recursive: true });
    await writeFile(lockFile(), "");
    await expect(acquireOutputLock(folder, { ifLocked: "fail" })).rejects.toThrow("in use by a run whose lock file is not readable yet");
    const old = new Date(Date.now() - 60_000);
    await utimes(lockFile(), old, old);
    const said: string[] = [];
    const lock = await acquireOutputLock(folder, { log: (l) => said.push(l) });
    expect(said[0]).toMatch(new RegExp(`^${folder}: taking over a stale lock: ${lockFile()} has been unreadable for 6\\d s`));
    lock.release();
  });
});

describe("takeOverStaleLock", () => {
  const deadPid = () => Number(spawnSync(process.execPath, ["-e", "process.stdout.write(String(process.pid))"], { encoding: "utf8" }).stdout);

  it("a run that judged a lock stale before another took it over leaves the new lock alone", async () => {
    await mkdir(folder, { recursive: true });
    const staleRaw = JSON.stringify({ pid: deadPid(), hostname: hostname(), startedAt: "t", command: "killed", token: "dead" });
    await writeFile(lockFile(), staleRaw);
    // Runs A and B both read the stale lock. A takes over and locks; then B gets to its takeover.
    expect(takeOverStaleLock(lockFile(), staleRaw)).toBe("removed");
    const a = await acquireOutputLock(folder, { ifLocked: "fail" });
    expect(takeOverStaleLock(lockFile(), staleRaw)).toBe("changed");
    expect((await readHolder()).token).toBe(a.holder.token);
    a.release();
  });

  it("waits while another run holds the takeover guard, and clears a guard its dead owner left", async () => {
    await mkdir(folder, { recursive: true });
    const staleRaw = JSON.stringify({ pid: deadPid(), hostname: hostname(), startedAt: "t", command: "killed", token: "dead" });
    await writeFile(lockFile(), staleRaw);
    const guard = `${lockFile()}.takeover`;
    await writeFile(guard, String(process.pid)); // a live run is taking it over
    expect(takeOverStaleLock(lockFile(), staleRaw)).toBe("busy");
    expect(await readFile(lockFile(), "utf8")).toBe(staleRaw);
    expect(existsSync(guard)).toBe(true);
    await writeFile(guard, String(deadPid())); // that run was killed mid-takeover
    expect(takeOverStaleLock(lockFile(), staleRaw)).toBe("busy"); // clears the guard…
    expect(existsSync(guard)).toBe(false);
    expect(takeOverStaleLock(lockFile(), staleRaw)).toBe("removed"); // …so the next attempt goes ahead
    expect(existsSync(lockFile())).toBe(false);
    expect(existsSync(guard)).toBe(false);
  });
});

describe("acquireOutputLock across processes", () => {
  it("takes over the lock of a process killed with SIGKILL, saying so", async () => {
    const child = startChild("hold");
    await child.waitFor("locked");
    const stale = await readHolder();
    expect(stale.pid).toBe(child.proc.pid);
    child.proc.kill("SIGKILL");
    expect((await child.exited).signal).toBe("SIGKILL");
    expect(existsSync(lockFile())).toBe(true); // a killed process cannot clean up
    const said: string[] = [];
    const lock = await acquireOutputLock(folder, { ifLocked: "fail", log: (l) => said.push(l) });
    expect(said).toEqual([`${folder}: taking over a stale lock: PID ${stale.pid} on host ${hostname()}, started ${stale.startedAt} (${stale.command}) no longer runs`]);
    expect((await readHolder()).pid).toBe(process.pid);
    lock.release();
  });

  it("a live holder in another process makes this one wait until it ends", async () => {
    const child = startChild("work", "400");
    await child.waitFor("locked");
    const said: string[] = [];
    const lock = await acquireOutputLock(folder, { pollMs: 10, log: (l) => said.push(l) });
    expect(child.lines.some((l) => l.startsWith("end "))).toBe(true); // only after the child's work ended
    expect(said).toHaveLength(1);
    expect(said[0]).toContain(`waiting for PID ${child.proc.pid} on host ${hostname()}`);
    lock.release();
    await child.exited;
  });

  for (const [mode, expected] of [
    ["SIGINT", { code: null, signal: "SIGINT" }],
    ["SIGTERM", { code: null, signal: "SIGTERM" }],
    ["exit", { code: 0, signal: null }],
    ["throw", { code: 1, signal: null }],
    ["reject", { code: 1, signal: null }],
  ] as const) {
    it(`is released when its process ends by ${mode}, which still ends as it would have`, async () => {
      const signal = mode === "SIGINT" || mode === "SIGTERM" ? mode : null;
      const child = startChild(signal === null ? mode : "hold");
      await child.waitFor("locked");
      if (signal !== null) child.proc.kill(signal);
      expect(await child.exited).toEqual(expected);
      expect(existsSync(lockFile())).toBe(false);
    });
  }

  it("several processes racing for one stale lock take it one at a time", async () => {
    const killed = spawnSync(process.execPath, ["-e", "process.stdout.write(String(process.pid))"], { encoding: "utf8" });
    await mkdir(folder, { recursive: true });
    const dead: LockHolder = { pid: Number(killed.stdout), hostname: hostname(), startedAt: "2025-01-01T00:00:00.000Z", command: "killed run", token: "dead" };
    await writeFile(lockFile(), JSON.stringify(dead));
    const children = Array.from({ length: 3 }, () => startChild("work", "150"));
    await Promise.all(children.map((c) => c.exited));
    const spans = children.map((c) => {
      const start = c.lines.find((l) => l.startsWith("start "))?.split(" ") ?? [];
      const end = c.lines.find((l) => l.startsWith("end "))?.split(" ") ?? [];
      expect(start[2], c.lines.join(" | ")).toBe("true"); // the lock file named this process while it worked
      expect(end[2], c.lines.join(" | ")).toBe("true");
      return { start: Number(start[1]), end: Number(end[1]) };
    });
    spans.sort((a, b) => a.start - b.start);
    for (let i = 1; i < spans.length; i++) expect(spans[i].start).toBeGreaterThanOrEqual(spans[i - 1].end);
    const takeovers = children.flatMap((c) => c.lines.filter((l) => l.includes("taking over a stale lock")));
    expect(takeovers).toHaveLength(1);
    expect(existsSync(lockFile())).toBe(false);
  });
});
