import { mkdir, mkdtemp, readdir, readFile, rm, truncate, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Field, Float32, Float64, Int32, List, Schema, Struct, Table, Utf8, makeData, makeVector, tableFromIPC, tableToIPC, vectorFromArray } from "apache-arrow";
import { checkArrowFileBounds } from "../src/artifact/arrow-file-bounds.ts";
import { CONTENT_CHECKSUM_KEY, contentChecksum } from "../src/artifact/checksum.ts";
import {
  ArtifactError,
  REBUILD_HINT,
  artifactFromTable,
  buildTable,
  fromArquero,
  readArtifact,
  readBoolColumn,
  readFloatColumn,
  readIntColumn,
  readMatrixColumn,
  readStringColumn,
  requireMetadata,
  toArquero,
  verifiedArtifact,
  writeArtifact,
  type Artifact,
  type ArtifactColumns,
  type ArtifactProblem,
} from "../src/artifact/arrow.ts";
import { canonicalJson, configHash, packageVersions, provenanceMetadata, readProvenance, type Provenance } from "../src/artifact/provenance.ts";

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "toy-sae-artifact-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const columns = (): ArtifactColumns => ({
  f32: new Float32Array([0.5, -1.25, 3]),
  f64: new Float64Array([1e-12, 2, Math.PI]),
  i32: new Int32Array([-7, 0, 2147483647]),
  name: ["a", "bb", "é"],
  num: [1.5, 2.5, -0],
  flag: [true, false, true],
  // 3 rows × 2 values: row r = [r, 10 + r]
  w: { type: "fixedSizeList", size: 2, values: new Float32Array([0, 10, 1, 11, 2, 12]) },
});

describe("writeArtifact / readArtifact", () => {
  it("round-trips every column kind and the schema metadata", async () => {
    const path = join(dir, "nested", "deeper", "all.arrow"); // parent folders are created
    await writeArtifact(path, columns(), { experiment: "demo", shape: "[3,2]" });
    const art = await readArtifact(path);
    expect(art.numRows).toBe(3);
    expect(art.metadata).toEqual({ experiment: "demo", shape: "[3,2]" });
    expect(requireMetadata(art, "experiment")).toBe("demo");
    expect(Array.from(readFloatColumn(art, "f32"))).toEqual([0.5, -1.25, 3]);
    expect(Array.from(readFloatColumn(art, "f64"))).toEqual([1e-12, 2, Math.PI]);
    expect(Array.from(readIntColumn(art, "i32"))).toEqual([-7, 0, 2147483647]);
    expect(readStringColumn(art, "name")).toEqual(["a", "bb", "é"]);
    expect(Array.from(readFloatColumn(art, "num"))).toEqual([1.5, 2.5, -0]);
    expect(readBoolColumn(art, "flag")).toEqual([true, false, true]);
    const w = readMatrixColumn(art, "w", 2);
    expect(w.rows).toBe(3);
    expect(w.size).toBe(2);
    expect(Array.from(w.values)).toEqual([0, 10, 1, 11, 2, 12]);
    // The column types on disk are the intended ones (FSL of float32, plain utf8).
    expect(String(art.column("w").type)).toBe("FixedSizeList[2]<Float32>");
    expect(String(art.column("f32").type)).toBe("Float32");
    expect(String(art.column("name").type)).toBe("Utf8");
  });

  it("reads a sliced FixedSizeList column (non-zero offset) and a multi-chunk one", () => {
    const table = buildTable({ w: { type: "fixedSizeList", size: 2, values: new Float32Array([0, 1, 2, 3, 4, 5]) } });
    const sliced = table.slice(1); // rows 1..2: a chunk with a non-zero offset
    const art = artifactFromTable("memory.arrow", sliced);
    expect(Array.from(readMatrixColumn(art, "w").values)).toEqual([2, 3, 4, 5]);
    const two = artifactFromTable("memory.arrow", table.slice(0, 1).concat(table.slice(2)));
    expect(Array.from(readMatrixColumn(two, "w").values)).toEqual([0, 1, 4, 5]);
  });

  it("leaves no temporary file behind", async () => {
    const path = join(dir, "clean", "x.arrow");
    await writeArtifact(path, { a: [1, 2] });
    expect(await readdir(join(dir, "clean"))).toEqual(["x.arrow"]);
  });

  it("keeps an existing file intact when a write fails, naming the offending column", async () => {
    const path = join(dir, "keep", "x.arrow");
    await writeArtifact(path, { a: [1, 2, 3] }, { run: "first" });
    const before = await readFile(path);
    await expect(writeArtifact(path, { a: [1, 2, 3], b: new Float32Array(2) }, { run: "second" })).rejects.toThrow(/column "b" has 2 rows but column "a" has 3/);
    expect(Buffer.compare(await readFile(path), before)).toBe(0);
    expect(await readdir(join(dir, "keep"))).toEqual(["x.arrow"]);
    expect((await readArtifact(path)).metadata.run).toBe("first");
  });

  it("removes its temporary file when the final rename fails", async () => {
    // A directory where the file should go makes rename() fail after the bytes are written.
    const path = join(dir, "blocked", "x.arrow");
    await mkdir(join(path, "inner"), { recursive: true });
    await expect(writeArtifact(path, { a: [1] })).rejects.toThrow();
    expect(await readdir(join(dir, "blocked"))).toEqual(["x.arrow"]);
    expect(await readdir(path)).toEqual(["inner"]);
  });

  it("rejects mixed element types and bad FixedSizeList shapes", () => {
    expect(() => buildTable({ s: ["a", 1] as unknown as string[] })).toThrow(/column "s": element 1 is number 1/);
    expect(() => buildTable({ w: { type: "fixedSizeList", size: 4, values: new Float32Array(6) } })).toThrow(/column "w": fixedSizeList has 6 values, not a multiple of size 4/);
  });

  it("stores an empty plain array as an empty column every reader accepts", async () => {
    const path = join(dir, "empty.arrow");
    await writeArtifact(path, { s: [], f: new Float64Array(0) });
    const art = await readArtifact(path);
    expect(art.numRows).toBe(0);
    expect(readStringColumn(art, "s")).toEqual([]);
    expect(readFloatColumn(art, "s").length).toBe(0);
  });

  it("names the file, the column and what was expected when a column is missing or mistyped", async () => {
    const path = join(dir, "typed.arrow");
    await writeArtifact(path, { loss: [0.1, 0.2], name: ["a", "b"] });
    const art = await readArtifact(path);
    expect(() => readFloatColumn(art, "lr")).toThrow(ArtifactError);
    expect(() => readFloatColumn(art, "lr")).toThrow(`${path}: column "lr": missing (expected Float32 or Float64 (or an integer of ≤ 32 bits)); columns present: loss, name`);
    expect(() => art.column("lr")).toThrow(`${path}: column "lr": missing`);
    expect(() => readFloatColumn(art, "name")).toThrow(`${path}: column "name": expected Float32 or Float64 (or an integer of ≤ 32 bits), found Utf8`);
    expect(() => readMatrixColumn(art, "loss", 3)).toThrow(/expected FixedSizeList<Float32> of size 3, found Float64/);
    expect(() => requireMetadata(art, "configHash")).toThrow(`${path}: metadata key "configHash" is missing`);
  });

  it("says which file is not an Arrow file", async () => {
    const path = join(dir, "junk.arrow");
    await writeFile(path, "not arrow at all");
    await expect(readArtifact(path)).rejects.toThrow(`${path}: not a readable Arrow file`);
  });
});

describe("arquero interop", () => {
  it("goes to arquero for relational ops and back via IPC bytes", () => {
    const table = buildTable({ cell: ["a", "a", "b"], loss: new Float64Array([1, 3, 5]) });
    const dt = toArquero(table);
    const rolled = dt.groupby("cell").rollup({ mean: "d => op.mean(d.loss)" }).orderby("cell");
    expect(rolled.objects()).toEqual([
      { cell: "a", mean: 2 },
      { cell: "b", mean: 5 },
    ]);
    // arquero writes the integer-valued means as Int8; readFloatColumn still reads them as numbers.
    const back = artifactFromTable("rolled", fromArquero(rolled));
    expect(Array.from(readFloatColumn(back, "mean"))).toEqual([2, 5]);
    expect(readStringColumn(back, "cell")).toEqual(["a", "b"]);
  });
});

describe("provenance", () => {
  it("configHash is independent of key order at every level", () => {
    const a = { sae: { lr: 3e-4, l1: [0.1, 0.3] }, seed: 1, name: "x" };
    const b = { name: "x", seed: 1, sae: { l1: [0.1, 0.3], lr: 3e-4 } };
    expect(configHash(a)).toBe(configHash(b));
    expect(configHash(a)).toMatch(/^[0-9a-f]{64}$/);
    expect(canonicalJson(b)).toBe('{"name":"x","sae":{"l1":[0.1,0.3],"lr":0.0003},"seed":1}');
  });

  it("configHash changes when any value changes (including array order and nested values)", () => {
    const base = configHash({ sae: { lr: 3e-4, l1: [0.1, 0.3] } });
    expect(configHash({ sae: { lr: 1e-3, l1: [0.1, 0.3] } })).not.toBe(base);
    expect(configHash({ sae: { lr: 3e-4, l1: [0.3, 0.1] } })).not.toBe(base);
    expect(configHash({ sae: { lr: "3e-4", l1: [0.1, 0.3] } })).not.toBe(base);
  });

  it("refuses values JSON cannot hold instead of hashing them as null", () => {
    expect(() => configHash({ a: { b: NaN } })).toThrow("canonicalJson: $.a.b is NaN");
    expect(() => configHash({ m: new Map() })).toThrow(/\$\.m is a Map/);
  });

  it("round-trips through schema metadata", async () => {
    const p: Provenance = {
      experiment: "lr-l1-grid",
      stage: "train-saes",
      profile: "smoke",
      configHash: configHash({ lr: 1 }),
      seeds: { data: 0, init: [1, 2, 3] },
      versions: packageVersions(),
      backend: "cpu",
      createdBy: "test",
    };
    const path = join(dir, "prov.arrow");
    await writeArtifact(path, { x: [1] }, provenanceMetadata(p));
    const art = await readArtifact(path);
    expect(readProvenance(art.metadata, path)).toEqual(p);
    expect(() => readProvenance({}, "f.arrow")).toThrow("f.arrow: provenance metadata missing experiment");
  });

  it("records the git commit and dirty flag when given, and reads files without them", async () => {
    const base: Provenance = { experiment: "e", stage: "metrics", profile: "smoke", configHash: configHash({}), seeds: 0, versions: {}, backend: "cpu", createdBy: "test" };
    for (const source of [
      { commit: "0123abcd", dirty: false },
      { commit: "0123abcd", dirty: true },
      { commit: "unknown", dirty: "unknown" as const },
    ]) {
      const metadata = provenanceMetadata({ ...base, source });
      expect(metadata.gitCommit).toBe(source.commit);
      expect(metadata.gitDirty).toBe(String(source.dirty));
      expect(readProvenance(metadata, "f.arrow").source).toEqual(source);
    }
    const old = provenanceMetadata(base);
    expect(Object.keys(old)).not.toContain("gitCommit");
    expect(readProvenance(old, "f.arrow").source).toBeUndefined();
    expect(() => readProvenance({ ...old, gitCommit: "x", gitDirty: "maybe" }, "f.arrow")).toThrow(
      'f.arrow: provenance metadata "gitDirty" must be true, false or unknown, got "maybe"',
    );
  });

  it("packageVersions reads installed versions without the network", () => {
    const v = packageVersions();
    expect(v.node).toBe(process.version);
    expect(v["@toy-sae/core"]).toMatch(/^\d+\.\d+\.\d+/);
    expect(v["apache-arrow"]).toMatch(/^21\./);
    expect(v["@tensorflow/tfjs-core"]).toMatch(/^\d+\.\d+\.\d+/);
    expect(packageVersions(["no-such-package-xyz"])["no-such-package-xyz"]).toBeUndefined();
  });
});

// ---------------------------------------------------------------------------------------------
// Content checksums: what a reader decodes is what was written, or it is refused.

/** What a reader sees of an artifact: metadata and every value, as comparable text. */
function decodedContent(art: Artifact): string {
  return JSON.stringify({
    metadata: art.metadata,
    fields: art.table.schema.fields.map((f) => `${f.name}: ${String(f.type)}`),
    rows: art.table.toArray().map((row) => JSON.stringify(row)),
  });
}

/** `rejects` with an ArtifactError of this problem whose message names the file and `text`s. */
async function expectRefused(promise: Promise<unknown>, path: string, problem: ArtifactProblem, ...texts: string[]): Promise<void> {
  const err: unknown = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ArtifactError);
  const e = err as ArtifactError;
  expect(e.problem).toBe(problem);
  expect(e.file).toBe(path);
  expect(e.message.startsWith(`${path}: `)).toBe(true);
  for (const t of texts) expect(e.message).toContain(t);
}

/** Change one byte at `at` (same length) and write the file back. */
async function flipByte(path: string, at: number, mask = 0x01): Promise<void> {
  const bytes = await readFile(path);
  expect(at).toBeGreaterThanOrEqual(0);
  bytes[at] ^= mask;
  await writeFile(path, bytes);
}

describe("content checksum", () => {
  const metadata = { experiment: "demo-experiment", configHash: "c0ffee" };

  it("is stamped by writeArtifact, verified by readArtifact, and kept out of the metadata readers see", async () => {
    const path = join(dir, "sum", "ok.arrow");
    await writeArtifact(path, columns(), metadata);
    const onDisk = tableFromIPC(await readFile(path)).schema.metadata.get(CONTENT_CHECKSUM_KEY);
    expect(onDisk).toMatch(/^[0-9a-f]{64}$/);
    const art = await readArtifact(path);
    expect(art.contentSha256).toBe(onDisk);
    expect(art.metadata).toEqual(metadata);
    // The checksum of the table read back is the stored one: the canonical form survives the file.
    expect(contentChecksum(art.table)).toBe(onDisk);
  });

  it("gives byte-identical files for the same columns and metadata, and another checksum for another value", async () => {
    const a = join(dir, "sum", "same-a.arrow");
    const b = join(dir, "sum", "same-b.arrow");
    await writeArtifact(a, columns(), metadata);
    await writeArtifact(b, columns(), metadata);
    expect(Buffer.compare(await readFile(a), await readFile(b))).toBe(0);
    const changed = columns();
    (changed.f64 as Float64Array)[2] = 3;
    await writeArtifact(b, changed, metadata);
    expect((await readArtifact(b)).contentSha256).not.toBe((await readArtifact(a)).contentSha256);
  });

  it("refuses a file with one byte of column data changed in place", async () => {
    const cases: { column: string; bytes: Uint8Array }[] = [
      { column: "f64", bytes: new Uint8Array(new Float64Array([Math.PI]).buffer) },
      { column: "w (FixedSizeList child)", bytes: new Uint8Array(new Float32Array([11, 2]).buffer) },
      { column: "i32", bytes: new Uint8Array(new Int32Array([2147483647]).buffer) },
    ];
    for (const c of cases) {
      const path = join(dir, "sum", "data-flip.arrow");
      await writeArtifact(path, columns(), metadata);
      const at = Buffer.from(await readFile(path)).indexOf(c.bytes);
      expect(at, c.column).toBeGreaterThan(8);
      await flipByte(path, at + 1);
      await expectRefused(readArtifact(path), path, "corrupt", "content does not match its checksum", "corrupted or edited", REBUILD_HINT);
    }
  });

  it("refuses a file whose provenance value, or whose stored checksum, was edited", async () => {
    for (const text of ["demo-experiment", CONTENT_CHECKSUM_KEY]) {
      const path = join(dir, "sum", "meta-flip.arrow");
      await writeArtifact(path, columns(), metadata);
      const bytes = Buffer.from(await readFile(path));
      // The value follows its key in the flatbuffer; for the checksum, flip inside the 64 hex digits.
      const at = text === CONTENT_CHECKSUM_KEY ? bytes.indexOf((await readArtifact(path)).contentSha256 ?? "") + 10 : bytes.indexOf(text) + 2;
      expect(at).toBeGreaterThan(8);
      await flipByte(path, at);
      await expectRefused(readArtifact(path), path, "corrupt", "content does not match its checksum");
    }
  });

  it("refuses or reads unchanged every single-byte change of a file, and never hangs", async () => {
    const path = join(dir, "sum", "every-byte.arrow");
    await writeArtifact(path, columns(), metadata);
    const bytes = await readFile(path);
    const original = decodedContent(verifiedArtifact(path, bytes));
    const outcomes = new Map<string, number>();
    for (const mask of [0x01, 0x80, 0xff]) {
      for (let at = 0; at < bytes.length; at++) {
        const changed = Buffer.from(bytes);
        changed[at] ^= mask;
        let outcome: string;
        try {
          // Padding and unused flatbuffer bytes may change without changing anything a reader sees.
          outcome = decodedContent(verifiedArtifact(path, changed)) === original ? "unchanged content" : `WRONG CONTENT at byte ${at}`;
        } catch (err) {
          outcome = err instanceof ArtifactError ? `refused: ${err.problem}` : `raw ${String(err)} at byte ${at}`;
        }
        outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1);
      }
    }
    const kinds = [...outcomes.keys()];
    expect(kinds.filter((k) => !k.startsWith("refused: ") && k !== "unchanged content")).toEqual([]);
    expect(outcomes.get("refused: corrupt")).toBeGreaterThan(0);
    expect(outcomes.get("refused: unreadable")).toBeGreaterThan(0);
  });

  it("names an empty file, a truncated one and one without checksum, each with its own message", async () => {
    const empty = join(dir, "sum", "empty.arrow");
    await writeFile(empty, new Uint8Array(0));
    await expectRefused(readArtifact(empty), empty, "empty", "is empty (0 bytes)", REBUILD_HINT);

    for (const keep of [0.5, 0.98]) {
      const cut = join(dir, "sum", `cut-${keep}.arrow`);
      await writeArtifact(cut, columns(), metadata);
      const size = (await readFile(cut)).length;
      await truncate(cut, Math.floor(size * keep));
      await expectRefused(readArtifact(cut), cut, "truncated", "is incomplete", "truncated", REBUILD_HINT);
    }

    const foreign = join(dir, "sum", "foreign.arrow");
    await writeFile(foreign, tableToIPC(buildTable({ a: [1, 2] }, { experiment: "x" }), "file"));
    await expectRefused(readArtifact(foreign), foreign, "no-checksum", `has no content checksum (schema metadata "${CONTENT_CHECKSUM_KEY}")`);

    const json = join(dir, "sum", "config.arrow");
    await writeFile(json, '{"not": "arrow"}');
    await expectRefused(readArtifact(json), json, "not-arrow", 'does not start with the Arrow file signature "ARROW1"', "first bytes: 7b 22");

    const missing = join(dir, "sum", "no-such.arrow");
    await expectRefused(readArtifact(missing), missing, "missing", "cannot read the file (it does not exist)");
  });

  it("reserves the checksum key: metadata cannot pass one in", async () => {
    await expect(writeArtifact(join(dir, "sum", "r.arrow"), { a: [1] }, { [CONTENT_CHECKSUM_KEY]: "0".repeat(64) })).rejects.toThrow(
      `metadata "${CONTENT_CHECKSUM_KEY}" is reserved`,
    );
  });
});

describe("contentChecksum", () => {
  const f64 = (values: (number | null)[]) => vectorFromArray(values, new Float64());
  const sum = (vectors: Record<string, ReturnType<typeof makeVector>>) => contentChecksum(new Table(vectors));
  const listOf = (offsets: number[], child: number[]) =>
    makeVector(
      makeData({
        type: new List(new Field("item", new Int32(), false)),
        length: offsets.length - 1,
        nullCount: 0,
        valueOffsets: Int32Array.from(offsets),
        child: makeData({ type: new Int32(), length: child.length, nullCount: 0, data: Int32Array.from(child) }),
      }),
    );

  it("covers validity bits: a null differs from the value stored under it", () => {
    // vectorFromArray writes 0 under a null, so the values buffers are equal; only validity differs.
    expect(sum({ x: f64([1, null, 3]) })).not.toBe(sum({ x: f64([1, 0, 3]) }));
  });

  it("covers offsets and data of strings, and List offsets and child data", () => {
    const s = (values: string[]) => sum({ s: vectorFromArray(values, new Utf8()) });
    expect(s(["ab", "c"])).not.toBe(s(["a", "bc"])); // same bytes "abc", other offsets
    expect(s(["ab", "c"])).not.toBe(s(["ab", "d"]));
    const base = sum({ l: listOf([0, 2, 3], [1, 2, 3]) });
    expect(sum({ l: listOf([0, 1, 3], [1, 2, 3]) })).not.toBe(base);
    expect(sum({ l: listOf([0, 2, 3], [1, 2, 4]) })).not.toBe(base);
  });

  it("covers FixedSizeList child values, struct children, field names and metadata", () => {
    const table = (values: number[], meta: Record<string, string> = {}) => buildTable({ w: { type: "fixedSizeList", size: 2, values: Float32Array.from(values) } }, meta);
    const base = contentChecksum(table([1, 2, 3, 4]));
    expect(contentChecksum(table([1, 2, 3, 5]))).not.toBe(base);
    expect(contentChecksum(table([1, 2, 3, 4], { run: "a" }))).not.toBe(base);
    expect(contentChecksum(buildTable({ v: { type: "fixedSizeList", size: 2, values: Float32Array.from([1, 2, 3, 4]) } }))).not.toBe(base);
    const struct = (b: number) =>
      sum({
        st: makeVector(
          makeData({
            type: new Struct([new Field("a", new Float32(), false), new Field("b", new Float32(), false)]),
            length: 1,
            nullCount: 0,
            children: [
              makeData({ type: new Float32(), length: 1, nullCount: 0, data: Float32Array.of(1) }),
              makeData({ type: new Float32(), length: 1, nullCount: 0, data: Float32Array.of(b) }),
            ],
          }),
        ),
      });
    expect(struct(2)).not.toBe(struct(3));
  });

  it("covers dictionary-encoded columns (indices and dictionary), the same after an IPC round trip", () => {
    const cells = (values: string[]) => fromArquero(toArquero(buildTable({ cell: values }))); // arquero writes Dictionary<Int32, Utf8>
    const base = cells(["a", "b", "a"]);
    expect(String(base.schema.fields[0].type)).toBe("Dictionary<Int32, Utf8>");
    expect(contentChecksum(tableFromIPC(tableToIPC(base, "file")))).toBe(contentChecksum(base));
    expect(contentChecksum(cells(["a", "c", "a"]))).not.toBe(contentChecksum(base));
    expect(contentChecksum(cells(["b", "a", "b"]))).not.toBe(contentChecksum(base));
  });

  it("ignores the stored checksum entry and how the table is held: a slice hashes like a copy of its rows", () => {
    const whole = buildTable({ w: { type: "fixedSizeList", size: 2, values: Float32Array.from([0, 1, 2, 3, 4, 5]) }, s: ["a", "bb", "c"], b: [true, false, true] });
    const copy = buildTable({ w: { type: "fixedSizeList", size: 2, values: Float32Array.from([2, 3, 4, 5]) }, s: ["bb", "c"], b: [false, true] });
    expect(contentChecksum(whole.slice(1))).toBe(contentChecksum(copy));
    const stamped = new Table(new Schema(copy.schema.fields, new Map([[CONTENT_CHECKSUM_KEY, "x"]])), copy.batches);
    expect(contentChecksum(stamped)).toBe(contentChecksum(copy));
    expect(contentChecksum(tableFromIPC(tableToIPC(copy, "file")))).toBe(contentChecksum(copy));
  });
});

describe("checkArrowFileBounds", () => {
  it("accepts the files arrow-js and arquero write: dictionaries, nulls, lists, structs, several batches, no rows", () => {
    const dictionary = toArrowIPCBytes();
    const several = buildTable({ x: [1, 2, 3] });
    const files: Uint8Array[] = [
      dictionary,
      tableToIPC(new Table({ x: f64Nulls() }), "file"),
      tableToIPC(several.slice(0, 1).concat(several.slice(1)), "file"),
      tableToIPC(buildTable({ s: [] }), "file"),
      tableToIPC(buildTable(columns(), { experiment: "demo" }), "file"),
    ];
    for (const bytes of files) expect(() => checkArrowFileBounds(bytes)).not.toThrow();
    expect(tableFromIPC(dictionary).numRows).toBe(3);
  });
});

function toArrowIPCBytes(): Uint8Array {
  // arquero writes strings dictionary-encoded: a file with a dictionary batch.
  const dt = toArquero(buildTable({ cell: ["a", "b", "a"], x: [1, 2, 3] }));
  return tableToIPC(fromArquero(dt), "file");
}

function f64Nulls() {
  return vectorFromArray([1, null, 3], new Float64());
}
