/**
 * The git state recorded in provenance and run ids (framework/git-state.ts), in throwaway
 * repositories: the commit, a dirty flag that ignores outputs and caches, "unknown" outside a
 * checkout, and a fingerprint that tells two sets of uncommitted changes apart.
 */
import { afterEach, describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { changesFingerprint, sourceState } from "../src/framework/git-state.ts";

const made: string[] = [];
afterEach(() => {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function folder(): string {
  const dir = mkdtempSync(join(tmpdir(), "toy-sae-git-"));
  made.push(dir);
  return dir;
}

function git(dir: string, ...args: string[]): string {
  const r = spawnSync("git", ["-C", dir, "-c", "user.name=test", "-c", "user.email=test@example.com", ...args], { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`git ${args.join(" ")}: ${r.stderr}`);
  return r.stdout.trim();
}

/** A repository with one committed source file; every call is a new folder, since sourceState remembers per folder. */
function repo(): string {
  const dir = folder();
  git(dir, "init", "-q");
  writeFileSync(join(dir, "source.ts"), "export const x = 1;\n");
  git(dir, "add", "source.ts");
  git(dir, "commit", "-q", "-m", "init");
  return dir;
}

describe("sourceState", () => {
  it("gives the commit of HEAD and a clean tree, whatever lies in artifacts/, .nx/, dist/ and node_modules", () => {
    const dir = repo();
    for (const f of ["artifacts/x/metrics.arrow", ".nx/cache/y", "packages/p/dist/cli.mjs", "packages/p/node_modules/z.js"]) {
      mkdirSync(join(dir, f, ".."), { recursive: true });
      writeFileSync(join(dir, f), "output\n");
    }
    symlinkSync(tmpdir(), join(dir, "node_modules")); // as the tests' workspaces link it: not a folder to .gitignore
    expect(sourceState(dir)).toEqual({ commit: git(dir, "rev-parse", "HEAD"), dirty: false });
    expect(changesFingerprint(dir)).toBeNull();
  });

  it("is dirty with an edited or an untracked source file", () => {
    const edited = repo();
    writeFileSync(join(edited, "source.ts"), "export const x = 2;\n");
    expect(sourceState(edited).dirty).toBe(true);
    const untracked = repo();
    writeFileSync(join(untracked, "new.ts"), "export {};\n");
    expect(sourceState(untracked)).toEqual({ commit: git(untracked, "rev-parse", "HEAD"), dirty: true });
  });

  it("is unknown outside a git checkout, without failing", () => {
    expect(sourceState(folder())).toEqual({ commit: "unknown", dirty: "unknown" });
  });

  it("fingerprints the uncommitted changes: equal edits agree, different edits differ", () => {
    const edit = (text: string) => {
      const dir = repo();
      writeFileSync(join(dir, "source.ts"), text);
      writeFileSync(join(dir, "new.ts"), "export const y = 1;\n");
      return changesFingerprint(dir);
    };
    const a = edit("export const x = 2;\n");
    expect(a).toMatch(/^[0-9a-f]{64}$/);
    expect(edit("export const x = 2;\n")).toBe(a);
    expect(edit("export const x = 3;\n")).not.toBe(a);
  });
});
