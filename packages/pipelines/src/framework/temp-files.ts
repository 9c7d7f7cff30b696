/**
 * Clean-up of a stage's output folder.
 *
 * - `removeTemporaries`: atomic writers (writeArtifact, writeFileAtomic) write `<file>.tmp-<pid>-<hex>`
 *   and rename it; a stage killed mid-write leaves that file behind, and the Nx cache would store
 *   it with the outputs. Run at the start of a stage, and before outputs are cached.
 * - `resetOutputFolder`: a stage rewrites all of its folder, so files of an earlier run (another
 *   config's `saes.arrow` after a kill) must not survive to be read by a later stage. Because it
 *   deletes recursively, it refuses any folder that is not inside an `artifacts/` folder.
 */
import type { Dirent } from "node:fs";
import { mkdir, readdir, realpath, rm, stat } from "node:fs/promises";
import { basename, dirname, join, resolve, sep } from "node:path";
import { isProcessAlive } from "./process-alive.ts";

/** `<file>.tmp-<pid>-<hex>`, the name atomic writers give a file before renaming it. */
export const TEMPORARY_FILE_NAME = /\.tmp-(\d+)-([0-9a-f]+)$/;

export interface RemoveTemporariesOptions {
  /**
   * Keep temporaries whose writer (the pid in the name) is still alive on this host. Off by
   * default: a stage holding its experiment's output lock knows no other writer exists.
   */
  keepLiveWriters?: boolean;
}

/**
 * Delete every `*.tmp-<pid>-<hex>` file under `dir` (recursively, not following symbolic links)
 * and return their paths, sorted. A missing `dir` has nothing to remove.
 */
export async function removeTemporaries(dir: string, options: RemoveTemporariesOptions = {}): Promise<string[]> {
  const removed: string[] = [];
  const visit = async (folder: string): Promise<void> => {
    let entries: Dirent[];
    try {
      entries = await readdir(folder, { withFileTypes: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "ENOENT") return;
      throw err;
    }
    for (const entry of entries) {
      const path = join(folder, entry.name);
      if (entry.isDirectory()) {
        await visit(path);
        continue;
      }
      const match = TEMPORARY_FILE_NAME.exec(entry.name);
      if (match === null || !entry.isFile()) continue;
      if (options.keepLiveWriters === true && isProcessAlive(Number(match[1]))) continue;
      await rm(path, { force: true });
      removed.push(path);
    }
  };
  await visit(dir);
  return removed.sort();
}

/** Thrown when asked to clear a folder outside an `artifacts/` folder. */
export class UnsafeOutputFolderError extends Error {
  constructor(
    readonly folder: string,
    detail: string,
  ) {
    super(`refusing to clear ${folder}: ${detail}`);
    this.name = "UnsafeOutputFolderError";
  }
}

/** True when `path` (absolute, normalised) lies strictly inside a folder named `artifacts`. */
function isInsideArtifacts(path: string): boolean {
  const parts = path.split(sep);
  const at = parts.lastIndexOf("artifacts");
  return at >= 0 && at < parts.length - 1;
}

/** The real location of `path`: its deepest existing ancestor resolved through links, plus the rest. */
async function realLocation(path: string): Promise<string> {
  try {
    return await realpath(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "ENOENT" || dirname(path) === path) throw err;
    return join(await realLocation(dirname(path)), basename(path));
  }
}

/**
 * Throws UnsafeOutputFolderError unless `dir`, as written and where it really is (through
 * symbolic links), lies strictly inside a folder named `artifacts`.
 */
export async function assertInsideArtifacts(dir: string): Promise<void> {
  const absolute = resolve(dir);
  if (!isInsideArtifacts(absolute)) {
    throw new UnsafeOutputFolderError(dir, `it is not inside an artifacts/ folder (stage outputs live in artifacts/<experiment>/<stage>)`);
  }
  const real = await realLocation(absolute);
  if (!isInsideArtifacts(real)) {
    throw new UnsafeOutputFolderError(dir, `it is a link to ${real}, which is not inside an artifacts/ folder`);
  }
}

/**
 * Empty a stage's output folder before the stage writes (creating it if missing) and return the
 * paths of the entries removed, sorted. Symbolic links inside it are removed, not followed.
 */
export async function resetOutputFolder(dir: string): Promise<string[]> {
  await assertInsideArtifacts(dir);
  await mkdir(dir, { recursive: true });
  if (!(await stat(dir)).isDirectory()) throw new UnsafeOutputFolderError(dir, "it is not a folder");
  const names = (await readdir(dir)).sort();
  for (const name of names) await rm(join(dir, name), { recursive: true, force: true });
  return names.map((name) => join(dir, name));
}
