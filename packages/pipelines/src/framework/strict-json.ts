/**
 * A strict JSON parser for experiment configs. It returns the same values as `JSON.parse` for
 * every document both accept, and refuses what JSON.parse would silently get wrong:
 *
 * - a duplicate object key (JSON.parse keeps the last value and drops the first unseen);
 * - a number no finite double holds (`1e999` would become Infinity, and `null` once re-serialised)
 *   or one that rounds to 0 (`1e-400`), and an integer beyond ±2^53 written out in digits (it
 *   would silently become a neighbouring integer);
 *
 * each reported with the file, the field path and the number as written. It accepts a UTF-8 BOM
 * (editors on Windows write one; JSON.parse refuses it). Syntax errors give line:column, what was
 * expected, and an excerpt of the line. `sourceOf(path)` gives the text each value was written as,
 * so a validator can quote the user's `1.50` or `2E-3` rather than a re-serialised number.
 *
 * Paths follow the config validator's style (`sae.lr[0]`); a key that is not a plain name is
 * written in brackets (`grid["0.5"]`), so paths stay unambiguous.
 */
import type { JsonValue } from "@toy-sae/core/artifact/provenance";
import { ConfigError } from "./config-error.ts";

/** Where a value was written and its text, exactly as in the file. */
export interface JsonSource {
  readonly text: string;
  /** 1-based line and column (in characters) of the value's first character. */
  readonly line: number;
  readonly column: number;
  /** Offset of the value's first character in the text (after a BOM, if any). */
  readonly offset: number;
}

export interface StrictJson {
  readonly value: JsonValue;
  /** Every path with a value, in document order; "" is the whole document. */
  readonly paths: readonly string[];
  /** The source of the value at `path` ("" or "(root)" for the whole document), if there is one. */
  sourceOf(path: string): JsonSource | undefined;
}

/** Nesting deeper than this is not a config; refusing it keeps the parser off the stack limit. */
const MAX_DEPTH = 256;
/** Largest integer magnitude a double holds exactly with all integers below it: 2^53. */
const EXACT_INTEGER_LIMIT = 2n ** 53n;
/** JSON's number grammar, matched at a position (sticky). */
const JSON_NUMBER = /-?(?:0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?/y;
const PLAIN_KEY = /^[A-Za-z_$][A-Za-z0-9_$-]*$/;

/** The path of `key` (an object key or array index) inside `parent`. */
export function jsonPath(parent: string, key: string | number): string {
  if (typeof key === "number") return `${parent}[${key}]`;
  if (PLAIN_KEY.test(key)) return parent === "" ? key : `${parent}.${key}`;
  return `${parent}[${JSON.stringify(key)}]`;
}

/** Parse `text` (the contents of `file`, which names it in errors); throws ConfigError. */
export function parseJsonStrict(text: string, file: string): StrictJson {
  const source = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const parser = new StrictParser(source, file);
  const value = parser.document();
  if (parser.problems.length > 0) throw new ConfigError(file, parser.problems);
  const spans = parser.spans;
  const lines = new LineIndex(source);
  return {
    value,
    paths: [...spans.keys()],
    sourceOf(path) {
      const span = spans.get(path === "(root)" ? "" : path);
      if (span === undefined) return undefined;
      const { line, column } = lines.position(span.start);
      return { text: source.slice(span.start, span.end), line, column, offset: span.start };
    },
  };
}

/** Offsets → 1-based line:column, columns counted in characters (code points), as editors show. */
class LineIndex {
  /** Offset of each line's first character: never empty (line 1 starts at 0). */
  private readonly starts: number[] = [0];
  constructor(private readonly text: string) {
    for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) this.starts.push(i + 1);
  }
  position(offset: number): { line: number; column: number } {
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.starts[mid]! <= offset)
        lo = mid; // 0 < mid ≤ hi < starts.length
      else hi = mid - 1;
    }
    const lineStart = this.starts[lo] ?? 0;
    return { line: lo + 1, column: [...this.text.slice(lineStart, offset)].length + 1 };
  }
  /** "3:14" */
  at(offset: number): string {
    const { line, column } = this.position(offset);
    return `${line}:${column}`;
  }
  /** The line around `offset` with a ▶ before the offending character, cut to a readable width. */
  excerpt(offset: number): string {
    const { line } = this.position(offset);
    const start = this.starts[line - 1] ?? 0; // position() returns a line of starts
    const nextStart = this.starts[line] ?? this.text.length + 1;
    const end = Math.max(start, nextStart - 1);
    const from = Math.max(start, offset - 30);
    const to = Math.min(end, offset + 30);
    const before = this.text.slice(from, offset).trimStart();
    const after = this.text.slice(offset, to).replace(/\r$/, "").trimEnd();
    // "…" only where text was cut off, not where indentation was trimmed
    const cutBefore = this.text.slice(start, from).trim() !== "";
    const cutAfter = this.text.slice(to, end).trim() !== "";
    return `${cutBefore ? "…" : ""}${before}▶${after}${cutAfter ? "…" : ""}`;
  }
}

/** A syntax error: parsing cannot go on, unlike the value problems collected in `problems`. */
class JsonSyntaxError extends Error {}

class StrictParser {
  /** Value problems (duplicates, numbers), all reported together after parsing. */
  readonly problems: string[] = [];
  /** path → [start, end) of its value's text. */
  readonly spans = new Map<string, { start: number; end: number }>();
  private pos = 0;
  private readonly lines: LineIndex;

  constructor(
    private readonly text: string,
    private readonly file: string,
  ) {
    this.lines = new LineIndex(text);
  }

  document(): JsonValue {
    try {
      this.skipWhitespace();
      const value = this.value("", 0);
      this.skipWhitespace();
      if (this.pos < this.text.length) this.syntax("expected the end of the file after the JSON value");
      return value;
    } catch (err) {
      if (err instanceof JsonSyntaxError) throw new ConfigError(this.file, [err.message]);
      throw err;
    }
  }

  // -------------------------------------------------------------------------------------------
  // Errors

  private syntax(expected: string, at: number = this.pos, context = ""): never {
    const where = context === "" ? "" : ` (in ${context})`;
    throw new JsonSyntaxError(`${this.lines.at(at)}: not valid JSON: ${expected}, found ${this.found(at)}${where}; here: ${this.lines.excerpt(at)}`);
  }

  /** What stands at `at`, named so a user recognises the usual mistakes. */
  private found(at: number): string {
    if (at >= this.text.length) return "the end of the file";
    const rest = this.text.slice(at);
    const word = /^[A-Za-z_][A-Za-z0-9_]*/.exec(rest)?.[0];
    if (word !== undefined) {
      const hint =
        word === "NaN" || word === "Infinity"
          ? " (not a JSON value; use a finite number)"
          : /^(True|False|None|TRUE|FALSE|Null|NULL)$/.test(word)
            ? " (JSON writes true, false and null in lower case)"
            : "";
      return `${JSON.stringify(word.slice(0, 20))}${hint}`;
    }
    if (rest.startsWith("//") || rest.startsWith("/*")) return "a comment (JSON has no comments)";
    if (rest.startsWith("'")) return "' (JSON strings use double quotes)";
    const ch = String.fromCodePoint(rest.codePointAt(0) ?? 0);
    return ch < " " ? `the control character U+${ch.charCodeAt(0).toString(16).padStart(4, "0").toUpperCase()}` : `'${ch}'`;
  }

  // -------------------------------------------------------------------------------------------
  // Grammar

  private skipWhitespace(): void {
    for (;;) {
      const c = this.text.charCodeAt(this.pos);
      if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) this.pos++;
      else return;
    }
  }

  private value(path: string, depth: number): JsonValue {
    if (depth > MAX_DEPTH) this.syntax(`values nested at most ${MAX_DEPTH} deep`);
    const start = this.pos;
    const c = this.text.charAt(this.pos); // "" at the end of the text
    let value: JsonValue;
    if (c === "{") value = this.object(path, depth);
    else if (c === "[") value = this.array(path, depth);
    else if (c === '"') value = this.string(path);
    else if (c === "-" || (c >= "0" && c <= "9")) value = this.number(path);
    else if (this.text.startsWith("true", this.pos)) value = this.literal("true", true);
    else if (this.text.startsWith("false", this.pos)) value = this.literal("false", false);
    else if (this.text.startsWith("null", this.pos)) value = this.literal("null", null);
    else if (c === "]" || c === "}") return this.syntax("expected a value (JSON allows no trailing comma)", this.pos, path || undefined);
    else return this.syntax("expected a value", this.pos, path || undefined);
    this.spans.set(path, { start, end: this.pos });
    return value;
  }

  private literal<T extends JsonValue>(word: string, value: T): T {
    this.pos += word.length;
    if (/[A-Za-z0-9_]/.test(this.text[this.pos] ?? "")) this.syntax(`expected ${word}`, this.pos - word.length);
    return value;
  }

  private object(path: string, depth: number): JsonValue {
    const obj: { [key: string]: JsonValue } = {};
    const firstAt = new Map<string, number>();
    this.pos++; // {
    this.skipWhitespace();
    if (this.text[this.pos] === "}") {
      this.pos++;
      return obj;
    }
    for (;;) {
      if (this.text[this.pos] !== '"') {
        this.syntax(this.text[this.pos] === "}" ? "expected a key (JSON allows no trailing comma)" : "expected a key in double quotes", this.pos, path || undefined);
      }
      const keyAt = this.pos;
      const key = this.string(path);
      const keyPath = jsonPath(path, key);
      const first = firstAt.get(key);
      if (first !== undefined) {
        this.problems.push(
          `${keyPath}: duplicate key ${JSON.stringify(key)} at ${this.lines.at(keyAt)} (first at ${this.lines.at(first)}); plain JSON would silently overwrite the first value with the second; keep one`,
        );
      } else {
        firstAt.set(key, keyAt);
      }
      this.skipWhitespace();
      if (this.text[this.pos] !== ":") this.syntax(`expected ":" after the key ${JSON.stringify(key)}`, this.pos, path || undefined);
      this.pos++;
      this.skipWhitespace();
      const item = this.value(keyPath, depth + 1);
      if (key === "__proto__") {
        // An own property, as JSON.parse makes it, not a change of the object's prototype.
        Object.defineProperty(obj, key, { value: item, writable: true, enumerable: true, configurable: true });
      } else {
        obj[key] = item;
      }
      this.skipWhitespace();
      const c = this.text[this.pos];
      if (c === ",") {
        this.pos++;
        this.skipWhitespace();
      } else if (c === "}") {
        this.pos++;
        return obj;
      } else {
        this.syntax(`expected "," or "}" after the value of ${keyPath}`);
      }
    }
  }

  private array(path: string, depth: number): JsonValue {
    const items: JsonValue[] = [];
    this.pos++; // [
    this.skipWhitespace();
    if (this.text[this.pos] === "]") {
      this.pos++;
      return items;
    }
    for (;;) {
      items.push(this.value(jsonPath(path, items.length), depth + 1));
      this.skipWhitespace();
      const c = this.text[this.pos];
      if (c === ",") {
        this.pos++;
        this.skipWhitespace();
      } else if (c === "]") {
        this.pos++;
        return items;
      } else {
        this.syntax(`expected "," or "]" after ${jsonPath(path, items.length - 1)}`);
      }
    }
  }

  private string(path: string): string {
    const open = this.pos;
    this.pos++; // "
    let out = "";
    let chunkStart = this.pos;
    for (;;) {
      if (this.pos >= this.text.length) this.syntax("expected the closing quote of a string", this.pos, `the string starting at ${this.lines.at(open)}`);
      const c = this.text.charCodeAt(this.pos);
      if (c === 0x22) {
        out += this.text.slice(chunkStart, this.pos);
        this.pos++;
        return out;
      }
      if (c < 0x20) this.syntax("expected a character or an escape (control characters must be escaped, e.g. \\n)", this.pos, path || undefined);
      if (c === 0x5c) {
        out += this.text.slice(chunkStart, this.pos);
        out += this.escape();
        chunkStart = this.pos;
      } else {
        this.pos++;
      }
    }
  }

  /** One escape sequence after a backslash; returns the character(s) it stands for. */
  private escape(): string {
    const at = this.pos;
    const c = this.text[this.pos + 1];
    this.pos += 2;
    switch (c) {
      case '"':
        return '"';
      case "\\":
        return "\\";
      case "/":
        return "/";
      case "b":
        return "\b";
      case "f":
        return "\f";
      case "n":
        return "\n";
      case "r":
        return "\r";
      case "t":
        return "\t";
      case "u": {
        const hex = this.text.slice(this.pos, this.pos + 4);
        if (!/^[0-9A-Fa-f]{4}$/.test(hex)) this.syntax("expected four hex digits after \\u", this.pos);
        this.pos += 4;
        return String.fromCharCode(parseInt(hex, 16)); // lone surrogates pass, as in JSON.parse
      }
      default:
        return this.syntax('expected an escape: \\" \\\\ \\/ \\b \\f \\n \\r \\t or \\uXXXX', at);
    }
  }

  private number(path: string): number {
    const start = this.pos;
    JSON_NUMBER.lastIndex = start;
    const match = JSON_NUMBER.exec(this.text);
    if (match === null || /^[0-9.eE+-]/.test(this.text[start + match[0].length] ?? "")) {
      const bad = /^[-+0-9.eExX]+/.exec(this.text.slice(start))?.[0] ?? this.text[start];
      this.syntax(`expected a number such as 3, -0.5 or 1e-3 (no leading zeros, leading "+" or ".", or trailing "."; got ${JSON.stringify(bad)})`, start, path || undefined);
    }
    const written = match[0];
    this.pos += written.length;
    const value = Number(written);
    const isIntegerLiteral = match[1] === undefined && match[2] === undefined;
    const at = this.lines.at(start);
    if (!Number.isFinite(value)) {
      this.problems.push(`${path || "(root)"}: got ${written} (as written), expected a finite number (a double holds magnitudes up to about 1.8e308); at ${at}`);
    } else if (value === 0 && /[1-9]/.test(written.split(/[eE]/)[0] ?? "")) {
      this.problems.push(`${path || "(root)"}: got ${written} (as written), expected a number a double can hold (this rounds to 0; the smallest is about 5e-324); at ${at}`);
    } else if (isIntegerLiteral && absBigInt(BigInt(written)) > EXACT_INTEGER_LIMIT) {
      this.problems.push(
        `${path || "(root)"}: got ${written} (as written), expected an integer within ±2^53 = ±${EXACT_INTEGER_LIMIT} (beyond it a double cannot hold every integer: this would read as ${BigInt(value)}); at ${at}`,
      );
    }
    return value;
  }
}

function absBigInt(n: bigint): bigint {
  return n < 0n ? -n : n;
}
