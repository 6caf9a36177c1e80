// The reference side of the differential cell test, step 1 (run by differentialReference.ts in
// a folder like a kernel's: no node_modules/@types, so the same @types/node): compiles each
// program as one TypeScript module with the compiler options the kernel gives cells, read from
// the kernel's own compiler host (lib/kernel/tsHost.js), emitted as an ES module (top-level
// await needs one; the kernel converts cells to CommonJS and runs them in an async function).
// Usage: node differentialCompile.mjs <repo root> <programs.json> <out.json>, in the folder.
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

const [root, input, output] = process.argv.slice(2);
const { loadTsHost } = await import(pathToFileURL(join(root, "lib/kernel/tsHost.js")).href);
const host = loadTsHost(root, process.cwd());
// Creating a converter is what makes tslab choose its options.
host.converterModule.createConverter({ isJS: false, isBrowser: false }).close();
const { ts } = host;
const options = {
  ...host.cellCompilerOptions(),
  module: ts.ModuleKind.ES2022,
  // tslab's own option (allows top-level await only where it wraps cells); ES modules allow it.
  disableTopLevelAwait: false,
  declaration: false,
  inlineSourceMap: false,
  allowJs: false,
  checkJs: false,
  noImplicitUseStrict: false,
  rootDir: undefined,
  outDir: undefined,
};

/** @type {{ name: string; source: string }[]} */
const programs = JSON.parse(readFileSync(input, "utf8"));
const files = programs.map(({ name, source }) => {
  const file = join(process.cwd(), `${name}.ts`);
  // `export {}` makes the program a module, as tslab makes every cell one.
  writeFileSync(file, `${source}\nexport {};\n`);
  return file;
});
// One program for all: each file is a module, so they do not see each other's names.
const program = ts.createProgram(files, options);
const results = programs.map(({ name }, i) => {
  const file = program.getSourceFile(files[i]);
  const diagnostics = ts
    .getPreEmitDiagnostics(program, file)
    .filter((d) => d.category === ts.DiagnosticCategory.Error && d.file === file)
    .map((d) => ({ code: d.code, message: ts.flattenDiagnosticMessageText(d.messageText, "\n") }));
  let js = "";
  program.emit(file, (fileName, text) => {
    if (fileName.endsWith(".js")) js = text;
  });
  return { name, diagnostics, js };
});
writeFileSync(output, JSON.stringify(results));
