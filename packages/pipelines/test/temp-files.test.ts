import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, readdir, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { TEMPORARY_FILE_NAME, UnsafeOutputFolderError, removeTemporaries, resetOutputFolder } from "../src/framework/temp-files.ts";

let root: string;
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), "toy-sae-temp-files-"));
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

async function touch(path: string, text = ""): Promise<void> {
  await mkdir(join(path, ".."), { recursive: true });
  await writeFile(path, text);
}

/** Every file and folder under `dir`, relative, sorted. */
async function tree(dir: string): Promise<string[]> {
  return (await readdir(dir, { recursive: true })).map(String).sort();
}

/** The pid of a process that has exited (so no process has it, barring reuse within the test). */
function deadPid(): number {
  const child = spawnSync(process.execPath, ["-e", "process.stdout.write(String(process.pid))"], { encoding: "utf8" });
  return Number(child.stdout);
}

describe("removeTemporaries", () => {
  it("names the temporaries of both atomic writers", () => {
    // writeArtifact: randomBytes(6) in hex; writeFileAtomic: Math.random().toString(16) without "0."
    expect(TEMPORARY_FILE_NAME.test(`saes.arrow.tmp-${process.pid}-${randomBytes(6).toString("hex")}`)).toBe(true);
    expect(TEMPORARY_FILE_NAME.test(`timing.json.tmp-${process.pid}-${Math.random().toString(16).slice(2)}`)).toBe(true);
  });

  it("removes every *.tmp-<pid>-<hex> file at any depth, and nothing else", async () => {
    const stage = join(root, "artifacts", "exp", "train-saes");
    const keep = ["saes.arrow", "notes.tmp-abc-123", "x.tmp-12-XYZ", "saes.arrow.tmp-123-abcdef.bak", "figures/a.svg"];
    const temporaries = ["saes.arrow.tmp-123-abcdef", "figures/a.svg.tmp-99-0a1b2c", "deep/er/t.json.tmp-4-f"];
    for (const f of [...keep, ...temporaries]) await touch(join(stage, f));
    await mkdir(join(stage, "folder.tmp-1-ab")); // a folder with a temporary's name is not a temporary
    const removed = await removeTemporaries(stage);
    expect(removed).toEqual(temporaries.map((f) => join(stage, f)).sort());
    expect(await tree(stage)).toEqual([
      "deep",
      "deep/er",
      "figures",
      "figures/a.svg",
      "folder.tmp-1-ab",
      "notes.tmp-abc-123",
      "saes.arrow",
      "saes.arrow.tmp-123-abcdef.bak",
      "x.tmp-12-XYZ",
    ]);
    expect(await removeTemporaries(stage)).toEqual([]); // nothing left to remove
  });

  it("does not follow symbolic links out of the folder", async () => {
    const stage = join(root, "artifacts", "exp", "metrics");
    const outside = join(root, "elsewhere");
    await touch(join(outside, "kept.arrow.tmp-5-aa"));
    await mkdir(stage, { recursive: true });
    await symlink(outside, join(stage, "link"));
    expect(await removeTemporaries(stage)).toEqual([]);
    expect(existsSync(join(outside, "kept.arrow.tmp-5-aa"))).toBe(true);
  });

  it("keeps a live writer's temporary when asked, and removes a dead one's", async () => {
    const stage = join(root, "artifacts", "exp", "generate");
    const live = join(stage, `spec.arrow.tmp-${process.pid}-abc`);
    const dead = join(stage, `spec.arrow.tmp-${deadPid()}-def`);
    await touch(live);
    await touch(dead);
    expect(await removeTemporaries(stage, { keepLiveWriters: true })).toEqual([dead]);
    expect(existsSync(live)).toBe(true);
    expect(await removeTemporaries(stage)).toEqual([live]);
  });

  it("returns nothing for a folder that does not exist", async () => {
    expect(await removeTemporaries(join(root, "artifacts", "never"))).toEqual([]);
  });
});

describe("resetOutputFolder", () => {
  it("removes everything in a stage folder (files, folders, hidden files, links) and keeps the folder", async () => {
    const stage = join(root, "artifacts", "exp", "train-saes");
    const outside = join(root, "precious");
    await touch(join(outside, "data.txt"), "keep me");
    for (const f of ["saes.arrow", ".hidden", "figures/a.svg", "saes.arrow.tmp-1-ab"]) await touch(join(stage, f));
    await symlink(outside, join(stage, "link-to-precious"));
    const removed = await resetOutputFolder(stage);
    expect(removed).toEqual([".hidden", "figures", "link-to-precious", "saes.arrow", "saes.arrow.tmp-1-ab"].map((f) => join(stage, f)));
    expect(await readdir(stage)).toEqual([]);
    expect(await tree(outside)).toEqual(["data.txt"]); // the link went, not what it pointed to
    const sibling = join(root, "artifacts", "exp", "generate", "spec.arrow");
    await touch(sibling);
    await resetOutputFolder(stage);
    expect(existsSync(sibling)).toBe(true); // other stages' folders are untouched
  });

  it("creates a missing folder", async () => {
    const stage = join(root, "artifacts", "new-exp", "generate");
    expect(await resetOutputFolder(stage)).toEqual([]);
    expect(await readdir(stage)).toEqual([]);
  });

  it("refuses folders outside artifacts/, the artifacts folder itself, and links that lead out of it", async () => {
    const precious = join(root, "precious");
    await touch(join(precious, "data.txt"));
    await mkdir(join(root, "artifacts"), { recursive: true });
    await symlink(precious, join(root, "artifacts", "evil"));
    const refused: [string, RegExp][] = [
      [precious, /is not inside an artifacts\/ folder/],
      [join(root, "artifacts"), /is not inside an artifacts\/ folder/],
      [join(root, "artifacts", "..", "precious"), /is not inside an artifacts\/ folder/],
      [join(root, "my-artifacts", "exp"), /is not inside an artifacts\/ folder/],
      [join(root, "artifacts", "evil"), new RegExp(`is a link to ${precious}, which is not inside an artifacts/ folder`)],
      [join(root, "artifacts", "evil", "sub"), /which is not inside an artifacts\/ folder/],
    ];
    for (const [dir, why] of refused) {
      const err: unknown = await resetOutputFolder(dir).then(
        () => null,
        (e: unknown) => e,
      );
      expect(err, dir).toBeInstanceOf(UnsafeOutputFolderError);
      expect((err as Error).message, dir).toMatch(new RegExp(`^refusing to clear ${dir.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}: `));
      expect((err as Error).message, dir).toMatch(why);
    }
    expect(await tree(precious)).toEqual(["data.txt"]);
  });
});
