/**
 * A lock on an experiment's artifact folder, so the same experiment started twice does not write
 * the same files at once: the second run waits (saying once for whom) or fails fast.
 *
 * The lock is a file `<folder>/.lock` created with O_EXCL (`wx`), holding the holder's pid, host,
 * start time and command. A lock whose pid no longer runs on this host is stale (its process was
 * killed) and is taken over, saying so. A lock is released by `release()`, and also when the
 * process exits, is stopped by SIGINT/SIGTERM/SIGHUP, or dies of an uncaught error.
 *
 * Taking over a stale lock is guarded by a second O_EXCL file, so two runs that both find the same
 * stale lock cannot both delete it and then each delete the other's new lock.
 */
import { randomBytes } from "node:crypto";
import { closeSync, openSync, readFileSync, statSync, unlinkSync, writeSync } from "node:fs";
import { mkdir } from "node:fs/promises";
import { hostname } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { isProcessAlive } from "./process-alive.ts";

/** Who holds a lock: what the lock file says. */
export interface LockHolder {
  readonly pid: number;
  readonly hostname: string;
  /** ISO 8601 time the lock was taken. */
  readonly startedAt: string;
  /** The holder's command line, to recognise the run. */
  readonly command: string;
  /** Random, so a process tells its own lock from a later one with a reused pid. */
  readonly token: string;
}

export interface OutputLockOptions {
  /** "wait" (default): wait until the holder releases; "fail": throw OutputLockBusyError at once. */
  ifLocked?: "wait" | "fail";
  /** Stop waiting after this many milliseconds with OutputLockBusyError (default: no limit). */
  timeoutMs?: number;
  /** How often to look at the lock again while waiting, in milliseconds (default 250). */
  pollMs?: number;
  /** Where to say that this run waits or takes over a stale lock (default: a line on stderr). */
  log?: (line: string) => void;
  /** Release on exit, SIGINT/SIGTERM/SIGHUP and uncaught errors (default true). */
  releaseOnExit?: boolean;
}

export interface OutputLock {
  /** The lock file. */
  readonly path: string;
  readonly holder: LockHolder;
  /** Delete the lock file if it is still this lock's; safe to call more than once. */
  release(): void;
}

/** The folder is locked by another run (fail-fast mode, or after `timeoutMs`). */
export class OutputLockBusyError extends Error {
  constructor(
    readonly folder: string,
    readonly lockFile: string,
    readonly holder: LockHolder | null,
    detail: string,
  ) {
    super(detail);
    this.name = "OutputLockBusyError";
  }
}

export const LOCK_FILE_NAME = ".lock";
/** A lock file that stays unreadable (empty, cut short) this long was left by a killed writer. */
const UNREADABLE_STALE_MS = 10_000;
/** Guard files of a takeover are small and short-lived; one this old was left by a killed run. */
const TAKEOVER_STALE_MS = 10_000;

/** "PID 123 on host h, started 2025-05-31T10:00:00.000Z (node cli.ts train-saes …)" */
export function describeHolder(holder: LockHolder): string {
  return `PID ${holder.pid} on host ${holder.hostname}, started ${holder.startedAt} (${holder.command})`;
}

/** Take the lock on `folder` (created if missing), waiting or failing as `options` say. */
export async function acquireOutputLock(folder: string, options: OutputLockOptions = {}): Promise<OutputLock> {
  const path = join(folder, LOCK_FILE_NAME);
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const pollMs = options.pollMs ?? 250;
  const started = Date.now();
  const me: LockHolder = {
    pid: process.pid,
    hostname: hostname(),
    startedAt: new Date().toISOString(),
    command: process.argv.slice(1).join(" "),
    token: randomBytes(8).toString("hex"),
  };
  await mkdir(folder, { recursive: true });
  let saidWaiting = false;
  for (;;) {
    if (tryCreate(path, me)) return heldLock(path, me, options.releaseOnExit ?? true);
    const seen = readLockFile(path);
    if (seen.kind === "gone") continue; // released between our attempt and our look: try again
    const stale = staleReason(seen, path);
    if (stale !== null) {
      const outcome = takeOverStaleLock(path, seen.raw);
      if (outcome === "removed") log(`${folder}: taking over a stale lock: ${stale}`);
      if (outcome === "busy") await sleep(Math.min(pollMs, 50)); // another run is taking it over
      continue;
    }
    const holder = seen.kind === "holder" ? seen.holder : null;
    const who = holder === null ? "a run whose lock file is not readable yet" : describeHolder(holder);
    const remoteNote =
      holder !== null && holder.hostname !== me.hostname ? `; it runs on another host, so this one cannot tell whether it still runs: if it does not, delete ${path}` : "";
    if ((options.ifLocked ?? "wait") === "fail") {
      // A lock file seen between its creation and its content being written: look again briefly.
      if (seen.kind === "unreadable" && Date.now() - started < 200) {
        await sleep(20);
        continue;
      }
      throw new OutputLockBusyError(folder, path, holder, `${folder} is in use by ${who}${remoteNote}; wait for that run to finish or stop it, then run again`);
    }
    if (options.timeoutMs !== undefined && Date.now() - started >= options.timeoutMs) {
      throw new OutputLockBusyError(folder, path, holder, `gave up after waiting ${options.timeoutMs} ms for ${folder}: still in use by ${who}${remoteNote}`);
    }
    if (!saidWaiting) {
      log(`${folder}: waiting for ${who} to finish with it${remoteNote}`);
      saidWaiting = true;
    }
    await sleep(pollMs);
  }
}

/** Create the lock file if there is none; false if there is one. */
function tryCreate(path: string, holder: LockHolder): boolean {
  let fd: number;
  try {
    fd = openSync(path, "wx");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "EEXIST") return false;
    throw err;
  }
  try {
    writeSync(fd, `${JSON.stringify(holder)}\n`);
  } finally {
    closeSync(fd);
  }
  return true;
}

type LockFileState = { kind: "gone" } | { kind: "holder"; holder: LockHolder; raw: string } | { kind: "unreadable"; raw: string; ageMs: number };

function readLockFile(path: string): LockFileState {
  let raw: string;
  let ageMs: number;
  try {
    raw = readFileSync(path, "utf8");
    ageMs = Date.now() - statSync(path).mtimeMs;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return { kind: "gone" };
    throw err;
  }
  const holder = parseHolder(raw);
  return holder === null ? { kind: "unreadable", raw, ageMs } : { kind: "holder", holder, raw };
}

function parseHolder(raw: string): LockHolder | null {
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    return null;
  }
  if (typeof value !== "object" || value === null) return null;
  const v = value as Record<string, unknown>;
  if (typeof v.pid !== "number" || typeof v.hostname !== "string" || typeof v.startedAt !== "string") return null;
  return {
    pid: v.pid,
    hostname: v.hostname,
    startedAt: v.startedAt,
    command: typeof v.command === "string" ? v.command : "?",
    token: typeof v.token === "string" ? v.token : "",
  };
}

/** Why a lock is stale, or null when it may be held. Locks of other hosts are never stale here. */
function staleReason(seen: LockFileState, path: string): string | null {
  if (seen.kind === "unreadable") {
    return seen.ageMs > UNREADABLE_STALE_MS ? `${path} has been unreadable for ${Math.round(seen.ageMs / 1000)} s (its writer was killed)` : null;
  }
  if (seen.kind !== "holder" || seen.holder.hostname !== hostname() || isProcessAlive(seen.holder.pid)) return null;
  return `${describeHolder(seen.holder)} no longer runs`;
}

/**
 * Delete the stale lock file `path` whose content was `staleRaw` when judged stale, under a guard
 * file so that only one run does so at a time. Returns "removed", "changed" (another run replaced
 * it since: left alone) or "busy" (another run holds the guard). `acquireOutputLock` calls this;
 * exported so the protocol can be tested step by step.
 */
export function takeOverStaleLock(path: string, staleRaw: string): "removed" | "changed" | "busy" {
  const guard = `${path}.takeover`;
  if (!tryCreateGuard(guard)) {
    clearStaleGuard(guard);
    return "busy";
  }
  try {
    // Still the stale lock we judged? (Another run may have taken it over and locked anew.)
    let current: string | null;
    try {
      current = readFileSync(path, "utf8");
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw err;
      current = null;
    }
    if (current !== staleRaw) return "changed";
    try {
      unlinkSync(path);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "ENOENT") return "changed";
      throw err;
    }
    return "removed";
  } finally {
    unlinkSync(guard);
  }
}

function tryCreateGuard(guard: string): boolean {
  let fd: number;
  try {
    fd = openSync(guard, "wx");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "EEXIST") return false;
    throw err;
  }
  try {
    writeSync(fd, String(process.pid));
  } finally {
    closeSync(fd);
  }
  return true;
}

/**
 * Remove a guard left by a run killed mid-takeover (its pid is gone, or it is old). Two runs doing
 * this at once could remove a third run's fresh guard and so let two takeovers overlap; that needs
 * a run killed within the microseconds of a takeover and then three runs racing for one lock.
 */
function clearStaleGuard(guard: string): void {
  try {
    const pid = Number(readFileSync(guard, "utf8"));
    const age = Date.now() - statSync(guard).mtimeMs;
    if ((pid > 0 && !isProcessAlive(pid)) || age > TAKEOVER_STALE_MS) unlinkSync(guard);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw err;
  }
}

// ---------------------------------------------------------------------------------------------
// Holding and releasing

/** Locks this process holds, released together when it exits or is stopped. */
const held = new Set<OutputLock>();
const SIGNALS = ["SIGINT", "SIGTERM", "SIGHUP"] as const;

function heldLock(path: string, holder: LockHolder, releaseOnExit: boolean): OutputLock {
  let released = false;
  const lock: OutputLock = {
    path,
    holder,
    release() {
      if (released) return;
      released = true;
      held.delete(lock);
      if (held.size === 0) removeExitHandlers();
      // Only our own lock: after a takeover (we were presumed dead) the file may be another run's.
      const seen = readLockFile(path);
      if (seen.kind === "holder" && seen.holder.token === holder.token) {
        try {
          unlinkSync(path);
        } catch (err) {
          if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw err;
        }
      }
    },
  };
  if (releaseOnExit) {
    if (held.size === 0) installExitHandlers();
    held.add(lock);
  }
  return lock;
}

function releaseAll(): void {
  for (const lock of [...held]) lock.release();
}

function onSignal(signal: NodeJS.Signals): void {
  releaseAll();
  removeExitHandlers();
  // Our listener replaced the default action (exit); with no other listener, restore and re-raise
  // it, so the process ends by the signal as it would have without the lock.
  if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
}

/**
 * "exit" also runs when the process dies of an uncaught exception or unhandled rejection (not
 * when an "uncaughtException" handler keeps it alive: then it still holds the lock, rightly).
 */
function installExitHandlers(): void {
  process.on("exit", releaseAll);
  for (const s of SIGNALS) process.on(s, onSignal);
}

function removeExitHandlers(): void {
  process.off("exit", releaseAll);
  for (const s of SIGNALS) process.off(s, onSignal);
}
