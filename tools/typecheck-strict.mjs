// Type-checks the files tsconfig.strict.json includes with its options (noUncheckedIndexedAccess)
// and reports errors in those files only. tsc cannot do this by itself: a program checks every
// file it imports with one set of options, and the strict files import the numeric kernels
// (checked without the flag by tsconfig.json). Exits 1 when any error is reported.
import { resolve } from "node:path";
import ts from "typescript";

const configPath = resolve(process.argv[2] ?? "tsconfig.strict.json");
const read = ts.readConfigFile(configPath, ts.sys.readFile);
if (read.error) {
  console.error(ts.formatDiagnostic(read.error, host()));
  process.exit(1);
}
const parsed = ts.parseJsonConfigFileContent(read.config, ts.sys, resolve(configPath, ".."), undefined, configPath);
const strictFiles = new Set(parsed.fileNames.map((f) => resolve(f)));
const program = ts.createProgram({ rootNames: parsed.fileNames, options: parsed.options, projectReferences: parsed.projectReferences });
const diagnostics = [
  ...parsed.errors,
  ...program.getOptionsDiagnostics(),
  ...program.getGlobalDiagnostics(),
  ...program.getSourceFiles().flatMap((sf) => (strictFiles.has(resolve(sf.fileName)) ? [...program.getSyntacticDiagnostics(sf), ...program.getSemanticDiagnostics(sf)] : [])),
];
if (diagnostics.length) {
  console.error(ts.formatDiagnosticsWithColorAndContext(diagnostics, host()));
  console.error(`${diagnostics.length} error${diagnostics.length === 1 ? "" : "s"} in the files ${configPath.replace(`${process.cwd()}/`, "")} includes`);
  process.exit(1);
}
console.log(`${strictFiles.size} files type-check with ${configPath.replace(`${process.cwd()}/`, "")}`);

function host() {
  return { getCanonicalFileName: (f) => f, getCurrentDirectory: () => process.cwd(), getNewLine: () => "\n" };
}
