/**
 * A throwaway copy of the workspace for pipeline tests: sources, configs and Nx files are
 * copied, node_modules is linked. Runs Nx in it without touching the real artifacts/ or cache.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { spawn, spawnSync } from "node:child_process";

export const REPO = resolve(dirname(fileURLToPath(import.meta.url)), "../../..");

export interface TempWorkspace {
  root: string;
  /** Nx in the workspace; `env` adds to (or, with undefined, removes from) this process's environment. */
  nx(args: string[], env?: Record<string, string | undefined>): { status: number; output: string };
  /** Nx in the background: resolves when it exits. */
  nxAsync(args: string[]): Promise<{ status: number; output: string }>;
  cli(args: string[]): { status: number; output: string };
  editConfig(experiment: string, edit: (config: Record<string, unknown>) => void): void;
  dispose(): void;
}

export function tempWorkspace(): TempWorkspace {
  const root = mkdtempSync(join(tmpdir(), "toy-sae-ws-"));
  for (const f of ["nx.json", ".env", "package.json", "package-lock.json", "tsconfig.base.json", "tsconfig.json"]) cpSync(join(REPO, f), join(root, f));
  // as a fresh clone has it: no tests, no bundle (pipelines:bundle builds it on the first run)
  cpSync(join(REPO, "packages"), join(root, "packages"), {
    recursive: true,
    filter: (src) => !src.includes("node_modules") && !src.endsWith("/test") && !src.endsWith("/pipelines/dist"),
  });
  symlinkSync(join(REPO, "node_modules"), join(root, "node_modules"), "dir");
  const env = { ...process.env, NX_DAEMON: "false", NX_NO_CLOUD: "true", NX_TUI: "false", FORCE_COLOR: "0", NX_SKIP_LOG_GROUPING: "true" };
  const run = (cmd: string, args: string[], extra: Record<string, string | undefined> = {}) => {
    const r = spawnSync(cmd, args, { cwd: root, env: { ...env, ...extra }, encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
    return { status: r.status ?? -1, output: `${r.stdout}\n${r.stderr}` };
  };
  return {
    root,
    nx: (args, extra) => run(join(REPO, "node_modules/.bin/nx"), args, extra),
    nxAsync: (args) =>
      new Promise((resolve) => {
        const child = spawn(join(REPO, "node_modules/.bin/nx"), args, { cwd: root, env });
        let output = "";
        child.stdout.on("data", (d: Buffer) => (output += d.toString()));
        child.stderr.on("data", (d: Buffer) => (output += d.toString()));
        child.on("close", (code) => resolve({ status: code ?? -1, output }));
      }),
    cli: (args) => run(process.execPath, ["--import", "tsx", "packages/pipelines/src/framework/cli.ts", ...args]),
    editConfig(experiment, edit) {
      const file = join(root, "packages/pipelines/experiments", `${experiment}.json`);
      const config = JSON.parse(readFileSync(file, "utf8")) as Record<string, unknown>;
      edit(config);
      writeFileSync(file, JSON.stringify(config, null, 2));
    },
    dispose: () => rmSync(root, { recursive: true, force: true }),
  };
}

/** Nx prints "> nx run project:target:config  [local cache]" (or "✔  nx run …") for tasks restored from cache. */
export function taskStatus(output: string, task: string): "cached" | "ran" | "absent" {
  const line = output.split("\n").find((l) => new RegExp(`(^|\\s)nx run ${task.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}(\\s|$)`).test(l));
  if (!line) return "absent";
  return /\[(local cache|existing outputs match the cache, left as is|remote cache)\]/.test(line) ? "cached" : "ran";
}
