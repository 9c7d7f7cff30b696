import type { JsonValue } from "../report-document.ts";

/**
 * JSON with two-space indentation, except that short arrays of numbers and
 * strings stay on one line: a config's grid `[0.01, 0.03, 0.1, 0.3, 1]`
 * reads better across than down, and the config block stays one page.
 * The output is still valid JSON (the tests parse it back).
 */
export function prettyJson(value: JsonValue, maxLineWidth = 80): string {
  return format(value, "", maxLineWidth);
}

function format(value: JsonValue, indent: string, maxLineWidth: number): string {
  if (value === null || typeof value !== "object") return JSON.stringify(value);
  const inner = `${indent}  `;
  if (Array.isArray(value)) {
    if (value.length === 0) return "[]";
    if (value.every((v) => v === null || typeof v !== "object")) {
      const oneLine = `[${value.map((v) => JSON.stringify(v)).join(", ")}]`;
      if (indent.length + oneLine.length <= maxLineWidth) return oneLine;
    }
    return `[\n${value.map((v) => inner + format(v, inner, maxLineWidth)).join(",\n")}\n${indent}]`;
  }
  const entries = Object.entries(value);
  if (entries.length === 0) return "{}";
  return `{\n${entries.map(([k, v]) => `${inner}${JSON.stringify(k)}: ${format(v, inner, maxLineWidth)}`).join(",\n")}\n${indent}}`;
}
