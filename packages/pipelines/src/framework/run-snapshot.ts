/**
 * Keeping a run's outputs: a copy of an experiment's artifact folder under artifacts/runs/, made
 * of hard links (a copy where the file system cannot link), so keeping a run costs no space
 * until a later run replaces a file.
 *
 * Hard links are safe here because nothing rewrites an artifact in place: stages clear their
 * folder and write new files by rename (temp-files.ts, writeArtifact), and Nx restores a cached
 * output by replacing the file — a new inode each time, so the kept link keeps the old content
 * (the runs test checks this across a cache restore).
 */
import { copyFileSync, existsSync, linkSync, mkdirSync, readdirSync, renameSync, rmSync } from "node:fs";
import { randomBytes } from "node:crypto";
import { dirname, join } from "node:path";
import { TEMPORARY_FILE_NAME } from "./temp-files.ts";

/** Errors after which a file is copied instead of linked: another device, links not allowed. */
const CANNOT_LINK = new Set(["EXDEV", "EPERM", "ENOTSUP", "EMLINK", "EOPNOTSUPP"]);

function linkOrCopy(from: string, to: string): "linked" | "copied" {
  try {
    linkSync(from, to);
    return "linked";
  } catch (e) {
    if (!CANNOT_LINK.has((e as NodeJS.ErrnoException).code ?? "")) throw e;
    copyFileSync(from, to);
    return "copied";
  }
}

/** Files and folders of `from` in `to`, recursively; dot files (the lock) and temporaries are left out. */
function linkTree(from: string, to: string, count: { linked: number; copied: number }): void {
  mkdirSync(to);
  for (const entry of readdirSync(from, { withFileTypes: true })) {
    if (entry.name.startsWith(".") || TEMPORARY_FILE_NAME.test(entry.name)) continue;
    if (entry.isDirectory()) linkTree(join(from, entry.name), join(to, entry.name), count);
    else if (entry.isFile()) count[linkOrCopy(join(from, entry.name), join(to, entry.name))] += 1;
  }
}

/**
 * Make `to` a copy of `from`, replacing any earlier copy whole: built beside it under a temporary
 * name and renamed into place, so a reader never sees half a run.
 */
export function snapshotFolder(from: string, to: string): { linked: number; copied: number } {
  mkdirSync(dirname(to), { recursive: true });
  const suffix = `${process.pid}-${randomBytes(6).toString("hex")}`;
  const building = `${to}.tmp-${suffix}`;
  const count = { linked: 0, copied: 0 };
  try {
    linkTree(from, building, count);
    if (existsSync(to)) {
      const old = `${to}.old-${suffix}`;
      renameSync(to, old);
      renameSync(building, to);
      rmSync(old, { recursive: true, force: true });
    } else {
      renameSync(building, to);
    }
  } catch (e) {
    rmSync(building, { recursive: true, force: true });
    throw e;
  }
  return count;
}
