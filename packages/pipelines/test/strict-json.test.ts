import { describe, expect, it } from "vitest";
import { ConfigError } from "../src/framework/config-error.ts";
import { jsonPath, parseJsonStrict } from "../src/framework/strict-json.ts";

const FILE = "experiments/my grid.json"; // a space in the name must survive into messages

/** The problems of a refused document (fails the test if it was accepted). */
function problemsOf(text: string): string[] {
  try {
    parseJsonStrict(text, FILE);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    const e = err as ConfigError;
    expect(e.file).toBe(FILE);
    expect(e.message).toContain(FILE);
    return e.problems;
  }
  throw new Error(`accepted: ${text}`);
}

/** Same values, same key order, same -0 as JSON.parse. */
function expectSameAsJsonParse(text: string): void {
  const ours = parseJsonStrict(text, FILE).value;
  const theirs: unknown = JSON.parse(text);
  expect(ours).toEqual(theirs); // toEqual tells -0 from 0
  expect(JSON.stringify(ours)).toBe(JSON.stringify(theirs)); // key order
}

// ---------------------------------------------------------------------------------------------
// Random documents, written with random whitespace, number spellings and escapes

/** mulberry32: a small seeded generator, so a failure can be replayed. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const CHARS = ["a", "Z", "0", " ", ".", "é", "中", "😀", '"', "\\", "/", "\n", "\t", "\u0000", "\u001f", "\u007f", "\u2028", "\ud800", "\udfff"];

function randomText(r: () => number): string {
  if (r() < 0.05) return "__proto__";
  let s = "";
  const n = Math.floor(r() * 6);
  for (let i = 0; i < n; i++) s += CHARS[Math.floor(r() * CHARS.length)];
  return s;
}

/** A number spelled one of the ways JSON allows; magnitudes stay well inside a double's range. */
function randomNumberLiteral(r: () => number): string {
  const digits = (n: number, leading = true) => Array.from({ length: n }, (_, i) => String(i === 0 && leading ? 1 + Math.floor(r() * 9) : Math.floor(r() * 10))).join("");
  const sign = r() < 0.3 ? "-" : "";
  const int = r() < 0.2 ? "0" : digits(1 + Math.floor(r() * 15));
  const frac = r() < 0.4 ? `.${digits(1 + Math.floor(r() * 12), false)}` : "";
  const exp = r() < 0.4 ? `${r() < 0.5 ? "e" : "E"}${["", "+", "-"][Math.floor(r() * 3)]}${Math.floor(r() * 250)}` : "";
  return `${sign}${int}${frac}${exp}`;
}

function writeString(s: string, r: () => number): string {
  let out = '"';
  for (const unit of s.split("")) {
    const c = unit.charCodeAt(0);
    if (unit === '"' || unit === "\\") out += `\\${unit}`;
    else if (unit === "/" && r() < 0.5) out += "\\/";
    else if (c < 0x20 || r() < 0.2) {
      const short: Record<string, string> = { "\n": "\\n", "\t": "\\t", "\b": "\\b", "\f": "\\f", "\r": "\\r" };
      const hex = c.toString(16).padStart(4, "0");
      out += short[unit] ?? `\\u${r() < 0.5 ? hex : hex.toUpperCase()}`;
    } else out += unit;
  }
  return out + '"';
}

function whitespace(r: () => number): string {
  return ["", "", " ", "\n  ", "\t", "\r\n"][Math.floor(r() * 6)];
}

function randomDocument(r: () => number, depth: number): string {
  const w = () => whitespace(r);
  const pick = r();
  if (depth > 0 && pick < 0.25) {
    const keys = new Set<string>();
    const n = Math.floor(r() * 5);
    for (let i = 0; i < n; i++) keys.add(randomText(r));
    return `{${w()}${[...keys].map((k) => `${writeString(k, r)}${w()}:${w()}${randomDocument(r, depth - 1)}`).join(`${w()},${w()}`)}${w()}}`;
  }
  if (depth > 0 && pick < 0.45) {
    const n = Math.floor(r() * 5);
    return `[${w()}${Array.from({ length: n }, () => randomDocument(r, depth - 1)).join(`${w()},${w()}`)}${w()}]`;
  }
  if (pick < 0.7) return randomNumberLiteral(r);
  if (pick < 0.85) return writeString(randomText(r), r);
  return ["true", "false", "null"][Math.floor(r() * 3)];
}

describe("parseJsonStrict returns what JSON.parse returns", () => {
  it("on hand-written documents: nesting, escapes, exponents, empty containers, odd keys", () => {
    const docs = [
      "0",
      "-0",
      "-0.0e-0",
      "1E+2",
      "1e-7",
      "123456789.125e-3",
      "0e999", // zero with any exponent is 0, not an overflow
      "9007199254740992",
      "-9007199254740992",
      "1e20", // written with an exponent: a float, not an integer literal
      "4.9e-324",
      "1.7976931348623157e308",
      '""',
      '"\\u00e9\\u00E9 \\ud83d\\ude00 \\ud800 \\/ \\b\\f\\n\\r\\t \\" \\\\"',
      '"raw é 中 😀 \u2028"',
      "true",
      "false",
      "null",
      "[]",
      "{}",
      '[[], {}, [[]], {"a": {}}]',
      ' \t\r\n {"a" : [ 1 , 2 ] , "b":{"c":null}} \n',
      '{"__proto__": {"x": 1}, "constructor": 2, "toString": "s"}',
      '{"2": "b", "1": "a", "x": 0, "01": "c"}', // integer-like keys come first, as in JSON.parse
      '{"a.b": 1, "a": {"b": 2}, "": 3, " ": 4}',
      JSON.stringify({ name: "lr-l1-grid", sae: { lr: [3e-4, 1e-3], l1: [0.1, 0.3], batch: 1024 }, profiles: { smoke: { sae: { samples: 200000 } } } }, null, 2),
      "[" + "[".repeat(200) + "]".repeat(200) + "]",
    ];
    for (const doc of docs) expectSameAsJsonParse(doc);
  });

  it("on 500 random documents with random whitespace, number spellings and escapes", () => {
    const r = rng(20250531);
    for (let i = 0; i < 500; i++) {
      const doc = whitespace(r) + randomDocument(r, 4) + whitespace(r);
      expect(() => JSON.parse(doc), doc).not.toThrow();
      expectSameAsJsonParse(doc);
    }
  });

  it("refuses what JSON.parse refuses, with line:column", () => {
    const bad = [
      "",
      " ",
      "{",
      "[1, 2",
      '{"a": 1,}',
      "[1, 2, ]",
      "[,1]",
      '{"a" 1}',
      "{a: 1}",
      "{'a': 1}",
      '{"a": 1} x',
      '{"a": 1}{"b": 2}',
      '"unterminated',
      '"tab\there"',
      '"bad \\x escape"',
      '"\\u12G4"',
      "01",
      "1.",
      ".5",
      "+1",
      "-",
      "1e",
      "1e+",
      "0x10",
      "NaN",
      "Infinity",
      "-Infinity",
      "True",
      "nul",
      "truex",
      "[1 2]",
      "// comment\n{}",
      "{} /* c */",
      "\u00a0{}", // no-break space is not JSON whitespace
      '{"a":\ufeff1}', // a BOM is accepted only at the very start
    ];
    for (const doc of bad) {
      expect(() => JSON.parse(doc), doc).toThrow();
      const problems = problemsOf(doc);
      expect(problems, doc).toHaveLength(1);
      expect(problems[0], doc).toMatch(/^\d+:\d+: not valid JSON: expected .+, found .+; here: /);
    }
  });
});

describe("parseJsonStrict refuses what JSON.parse gets silently wrong", () => {
  it("duplicate keys: names the path, both line:columns and that the first would be overwritten", () => {
    const doc = ["{", '  "sae": {', '    "lr": 0.001,', '    "l1": 0.1,', '    "lr": 0.003', "  }", "}"].join("\n");
    expect(JSON.parse(doc)).toEqual({ sae: { lr: 0.003, l1: 0.1 } }); // what plain JSON does
    expect(problemsOf(doc)).toEqual(['sae.lr: duplicate key "lr" at 5:5 (first at 3:5); plain JSON would silently overwrite the first value with the second; keep one']);
  });

  it("reports every duplicate, at any depth, and not the same key in different objects", () => {
    const problems = problemsOf('{"a": 1, "a": 2, "list": [{"x": 1}, {"x": 2, "x": 3}], "__proto__": 1, "__proto__": 2}');
    expect(problems.map((p) => p.split(":")[0])).toEqual(["a", "list[1].x", "__proto__"]);
    expect(() => parseJsonStrict('[{"x": 1}, {"x": 2}]', FILE)).not.toThrow();
  });

  it("numbers a double cannot hold: quoted as written, never as null or Infinity", () => {
    const problems = problemsOf('{"sae": {"lr": [1e999, -1e400, 1e-400, 3]}}');
    expect(problems).toHaveLength(3);
    expect(problems[0]).toMatch(/^sae\.lr\[0\]: got 1e999 \(as written\), expected a finite number\b.*; at 1:17$/);
    expect(problems[1]).toMatch(/^sae\.lr\[1\]: got -1e400 \(as written\), expected a finite number\b/);
    expect(problems[2]).toMatch(/^sae\.lr\[2\]: got 1e-400 \(as written\), expected a number a double can hold \(this rounds to 0/);
    for (const p of problems) expect(p).not.toMatch(/null|Infinity/);
    expect(problemsOf("1e309")[0]).toMatch(/^\(root\): got 1e309 \(as written\)/);
  });

  it("integers beyond ±2^53 written in digits: quoted as written, with what they would read as", () => {
    const problems = problemsOf('{"seed": 9007199254740993, "other": -18446744073709551616, "ok": 9007199254740992}');
    expect(problems).toEqual([
      "seed: got 9007199254740993 (as written), expected an integer within ±2^53 = ±9007199254740992 (beyond it a double cannot hold every integer: this would read as 9007199254740992); at 1:10",
      "other: got -18446744073709551616 (as written), expected an integer within ±2^53 = ±9007199254740992 (beyond it a double cannot hold every integer: this would read as -18446744073709551616); at 1:37",
    ]);
  });

  it("collects duplicate and number problems of one file into one error", () => {
    expect(problemsOf('{"a": 1e999, "a": 2}').map((p) => p.split(":")[0])).toEqual(["a", "a"]);
  });
});

describe("parseJsonStrict: BOM, syntax messages, sources", () => {
  it("accepts a UTF-8 BOM before the document (as read from disk), with line:columns as the editor shows them", () => {
    const text = Buffer.from([0xef, 0xbb, 0xbf, ...Buffer.from('{\n  "a": [1, 2]\n}')]).toString("utf8");
    expect(text.charCodeAt(0)).toBe(0xfeff);
    expect(() => JSON.parse(text)).toThrow();
    const parsed = parseJsonStrict(text, FILE);
    expect(parsed.value).toEqual({ a: [1, 2] });
    expect(parsed.sourceOf("a[1]")).toEqual({ text: "2", line: 2, column: 12, offset: 13 }); // offset in the text after the BOM
  });

  it("syntax errors give line:column, what was expected, what was found and an excerpt", () => {
    const doc = ["{", '  "sae": {', '    "lr": 0.1 "l1": 2', "  }", "}"].join("\n");
    expect(problemsOf(doc)).toEqual([`3:15: not valid JSON: expected "," or "}" after the value of sae.lr, found '"'; here: "lr": 0.1 ▶"l1": 2`]);
    expect(problemsOf('{"a": [1, 2, ]}')[0]).toMatch(/^1:14: .*expected a value \(JSON allows no trailing comma\), found '\]' \(in a\[2\]\)/);
    expect(problemsOf('{"a": 1,\n}')[0]).toMatch(/^2:1: .*expected a key \(JSON allows no trailing comma\)/);
    expect(problemsOf('{"a": NaN}')[0]).toContain('found "NaN" (not a JSON value; use a finite number)');
    expect(problemsOf('{"a": True}')[0]).toContain("(JSON writes true, false and null in lower case)");
    expect(problemsOf("{\n  // lr\n}")[0]).toMatch(/^2:3: .*found a comment \(JSON has no comments\)/);
    expect(problemsOf("{'a': 1}")[0]).toContain("(JSON strings use double quotes)");
    expect(problemsOf('{"a": "x\n"}')[0]).toMatch(/^1:9: .*found the control character U\+000A \(in a\)/);
    expect(problemsOf('{"a": "x')[0]).toMatch(/^1:9: .*expected the closing quote of a string, found the end of the file \(in the string starting at 1:7\)/);
    expect(problemsOf('{"a": 1.}')[0]).toContain('(no leading zeros, leading "+" or ".", or trailing "."; got "1.")');
    const long = `{"key": [${"1, ".repeat(40)}x]}`;
    expect(problemsOf(long)[0]).toMatch(/here: …(1, )+▶x]}$/);
  });

  it("sourceOf gives each value's text as written, with its line and column", () => {
    const doc = '{\n  "sae": {"lr": 1.50, "l1": [0.1, 2E-3]},\n  "é😀": 1,\n  "grid": {"0.5": true}\n}';
    const parsed = parseJsonStrict(doc, FILE);
    expect(parsed.sourceOf("sae.lr")).toEqual({ text: "1.50", line: 2, column: 17, offset: 18 });
    expect(parsed.sourceOf("sae.l1[1]")?.text).toBe("2E-3");
    expect(parsed.sourceOf("sae.l1")?.text).toBe("[0.1, 2E-3]");
    expect(parsed.sourceOf("sae")?.text).toBe('{"lr": 1.50, "l1": [0.1, 2E-3]}');
    expect(parsed.sourceOf('["é😀"]')).toMatchObject({ text: "1", line: 3, column: 9 }); // columns count characters
    expect(parsed.sourceOf('grid["0.5"]')?.text).toBe("true");
    expect(parsed.sourceOf("")?.text).toBe(doc);
    expect(parsed.sourceOf("(root)")?.text).toBe(doc);
    expect(parsed.sourceOf("sae.nope")).toBeUndefined();
    expect(parsed.paths).toEqual(["sae.lr", "sae.l1[0]", "sae.l1[1]", "sae.l1", "sae", '["é😀"]', 'grid["0.5"]', "grid", ""]);
  });

  it("jsonPath writes plain keys with dots and others in brackets", () => {
    expect(jsonPath("", "sae")).toBe("sae");
    expect(jsonPath("sae", "lr")).toBe("sae.lr");
    expect(jsonPath("sae.lr", 0)).toBe("sae.lr[0]");
    expect(jsonPath("grid", "0.5")).toBe('grid["0.5"]');
    expect(jsonPath("", "a b")).toBe('["a b"]');
    expect(jsonPath("profiles", "toy-l0")).toBe("profiles.toy-l0");
  });

  it("refuses nesting deeper than 256 instead of overflowing the stack", () => {
    expect(problemsOf("[".repeat(300) + "]".repeat(300))[0]).toContain("values nested at most 256 deep");
  });
});
