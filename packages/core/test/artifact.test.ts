import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  ArtifactError,
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
  writeArtifact,
  type ArtifactColumns,
} from "../src/artifact/arrow.ts";
import {
  canonicalJson,
  configHash,
  packageVersions,
  provenanceMetadata,
  readProvenance,
  type Provenance,
} from "../src/artifact/provenance.ts";

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
    await expect(writeArtifact(path, { a: [1, 2, 3], b: new Float32Array(2) }, { run: "second" })).rejects.toThrow(
      /column "b" has 2 rows but column "a" has 3/,
    );
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
    expect(() => buildTable({ w: { type: "fixedSizeList", size: 4, values: new Float32Array(6) } })).toThrow(
      /column "w": fixedSizeList has 6 values, not a multiple of size 4/,
    );
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
    expect(() => readFloatColumn(art, "lr")).toThrow(
      `${path}: column "lr": missing (expected Float32 or Float64 (or an integer of ≤ 32 bits)); columns present: loss, name`,
    );
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

  it("packageVersions reads installed versions without the network", () => {
    const v = packageVersions();
    expect(v.node).toBe(process.version);
    expect(v["@toy-sae/core"]).toMatch(/^\d+\.\d+\.\d+/);
    expect(v["apache-arrow"]).toMatch(/^21\./);
    expect(v["@tensorflow/tfjs-core"]).toMatch(/^\d+\.\d+\.\d+/);
    expect(packageVersions(["no-such-package-xyz"])["no-such-package-xyz"]).toBeUndefined();
  });
});
