/**
 * The git state of the workspace, for provenance and run ids: the commit (`git rev-parse HEAD`)
 * and whether the tree has uncommitted changes (`git status --porcelain`). Outputs and caches
 * (artifacts/, .nx/, node_modules, dist/) are not source, so they never make a tree dirty —
 * otherwise every run would dirty the tree for the next one.
 *
 * Outside a git checkout, or without git, both are "unknown" rather than an error: a copy of the
 * workspace (the tests' temporary ones, a tarball) must still run.
 */
import { createHash } from "node:crypto";
import { spawnSync } from "node:child_process";
import type { SourceState } from "@toy-sae/core/artifact/provenance";

/** What is not source: stage outputs, the Nx cache, installed packages, the bundle. */
const NOT_SOURCE = [":(exclude)artifacts", ":(exclude).nx", ":(exclude)node_modules", ":(exclude,glob)**/node_modules/**", ":(exclude,glob)**/dist/**"];
const SOURCE = ["--", ".", ...NOT_SOURCE];

/** stdout of `git <args>` in `root`, or null when git fails (not a checkout, no commit yet, no git). */
function git(root: string, args: string[], input?: string): string | null {
  // --no-optional-locks: stages run in parallel, and `git status` would otherwise take the index lock to refresh it
  const r = spawnSync("git", ["--no-optional-locks", "-C", root, ...args], { encoding: "utf8", input, maxBuffer: 256 * 1024 * 1024 });
  return r.status === 0 && r.error === undefined ? r.stdout : null;
}

const states = new Map<string, SourceState>();

/** The workspace's commit and dirty flag; computed once per process (stages are short-lived processes). */
export function sourceState(root: string): SourceState {
  const known = states.get(root);
  if (known) return known;
  const head = git(root, ["rev-parse", "HEAD"])?.trim();
  const status = head ? git(root, ["status", "--porcelain", "--untracked-files=all", ...SOURCE]) : null;
  const state: SourceState = head && status !== null ? { commit: head, dirty: status.trim() !== "" } : { commit: "unknown", dirty: "unknown" };
  states.set(root, state);
  return state;
}

/**
 * A hash of the uncommitted changes (tracked diffs against HEAD and the content of untracked
 * source files), so two runs on one commit with different edits get different run ids. Null
 * when the tree is clean or its state unknown.
 */
export function changesFingerprint(root: string): string | null {
  if (sourceState(root).dirty !== true) return null;
  const diff = git(root, ["diff", "HEAD", "--binary", "--no-ext-diff", "--no-color", ...SOURCE]) ?? "";
  const untracked = (git(root, ["ls-files", "--others", "--exclude-standard", "-z", ...SOURCE]) ?? "").split("\0").filter(Boolean).sort();
  // hash-object without -w computes blob ids and writes nothing to the repository
  const blobs = untracked.length ? (git(root, ["hash-object", "--stdin-paths"], untracked.join("\n") + "\n") ?? "") : "";
  return createHash("sha256").update(diff).update("\0").update(untracked.join("\n")).update("\0").update(blobs).digest("hex");
}
