/**
 * Golden outputs: the smoke-profile metrics.arrow and cos.arrow of the four original pipelines,
 * recorded at commit a35f26a (before the plug-in seams refactor) in test/golden/<experiment>/.
 * `compareToGolden` checks that a new run still has every recorded column and that every value
 * agrees: strings and booleans exactly, numbers bit-identical or within 1e-4 relative (the
 * tolerance the seams issue allows where the arithmetic order changes).
 */
import { readFileSync } from "node:fs";
import { gunzipSync } from "node:zlib";
import { join } from "node:path";
import { DataType, tableFromIPC } from "apache-arrow";
import { artifactFromTable, type Artifact } from "@toy-sae/core/artifact/arrow";
import { REPO } from "./workspace.ts";

export function readGolden(experiment: string, file: "metrics" | "cos"): Artifact {
  const path = join(REPO, "packages/pipelines/test/golden", experiment, `${file}.arrow.gz`);
  return artifactFromTable(path, tableFromIPC(gunzipSync(readFileSync(path))));
}

export interface GoldenComparison {
  /** "column[row]: golden … vs new …" for every value outside the tolerance (first 20). */
  problems: string[];
  /** Numeric values compared, and how many of them are bit-identical. */
  numbers: number;
  identical: number;
}

const RELATIVE = 1e-4;
/** Values this small compare absolutely (a cosine of 1e-9 against 2e-9 is no disagreement). */
const ABSOLUTE = 1e-7;

function sameNumber(a: number, b: number): boolean {
  if (Object.is(a, b) || (Number.isNaN(a) && Number.isNaN(b))) return true;
  return Math.abs(a - b) <= Math.max(ABSOLUTE, RELATIVE * Math.max(Math.abs(a), Math.abs(b)));
}

export function compareToGolden(actual: Artifact, golden: Artifact): GoldenComparison {
  const problems: string[] = [];
  let numbers = 0;
  let identical = 0;
  if (actual.numRows !== golden.numRows) problems.push(`rows: golden ${golden.numRows} vs new ${actual.numRows}`);
  for (const name of golden.columnNames) {
    if (!actual.has(name)) {
      problems.push(`column ${name}: missing in the new output`);
      continue;
    }
    const g = golden.column(name);
    const a = actual.column(name);
    const numeric = DataType.isFloat(g.type) || DataType.isInt(g.type);
    for (let r = 0; r < Math.min(golden.numRows, actual.numRows); r++) {
      const gv: unknown = g.get(r);
      const av: unknown = a.get(r);
      if (numeric) {
        const x = Number(gv ?? NaN);
        const y = Number(av ?? NaN);
        numbers++;
        if (Object.is(x, y) || (Number.isNaN(x) && Number.isNaN(y))) identical++;
        else if (!sameNumber(x, y)) problems.push(`${name}[${r}]: golden ${x} vs new ${y}`);
      } else if (gv !== av) {
        problems.push(`${name}[${r}]: golden ${JSON.stringify(gv)} vs new ${JSON.stringify(av)}`);
      }
      if (problems.length >= 20) return { problems, numbers, identical };
    }
  }
  return { problems, numbers, identical };
}
