#!/usr/bin/env node
// Builds the prebuilt (federated) extension into splatbook_labextension/ with npm alone:
// tsc, then @jupyterlab/builder against the core metadata of the JupyterLab the project tests
// with (@jupyterlab/core-meta's core.package.json, copied as package.json into a --core-path
// folder, since the builder reads `<core-path>/package.json`).
// `--if-stale` skips the build when the output is newer than every input.
// The version is the root package.json's (one version for the npm package, the wheel and this
// extension): it is copied into labextension/package.json (and its lockfile) when they differ.
import { execFileSync } from "node:child_process";
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, "..");
const output = join(here, "splatbook_labextension", "package.json");
const inputs = [
  join(here, "src"),
  join(here, "style"),
  join(here, "schema"),
  join(here, "package.json"),
  join(here, "package-lock.json"),
  join(here, "tsconfig.json"),
  join(here, "webpack.config.cjs"),
  join(here, "build.mjs"),
  join(root, "lib", "contracts"),
  join(root, "lib", "notebook", "views.js"),
];

function newest(path) {
  if (!existsSync(path)) return 0;
  const st = statSync(path);
  if (!st.isDirectory()) return st.mtimeMs;
  return Math.max(st.mtimeMs, ...readdirSync(path).map((n) => newest(join(path, n))));
}

/** Writes the root package's version into a JSON file's `version` fields; true when it changed. */
function syncVersion(file, version) {
  const text = readFileSync(file, "utf8");
  const json = JSON.parse(text);
  const fields = [json, json.packages?.[""]].filter(Boolean);
  if (fields.every((f) => f.version === version)) return false;
  for (const f of fields) f.version = version;
  writeFileSync(file, JSON.stringify(json, null, 2) + "\n");
  return true;
}

const { version } = JSON.parse(readFileSync(join(root, "package.json"), "utf8"));
for (const file of [join(here, "package.json"), join(here, "package-lock.json")]) {
  if (syncVersion(file, version)) console.log(`${file}: version set to ${version}`);
}
if (!existsSync(join(here, "node_modules", "@jupyterlab", "builder"))) {
  execFileSync("npm", ["ci", "--no-audit", "--no-fund", "--loglevel=error"], {
    cwd: here,
    stdio: "inherit",
  });
}

const contracts = join(root, "lib", "contracts", "index.js");
if (!existsSync(contracts)) {
  console.error(`${contracts}: the root package is not built (run npm run build first)`);
  process.exit(1);
}
if (process.argv.includes("--if-stale") && existsSync(output)) {
  const built = statSync(output).mtimeMs;
  if (inputs.every((p) => newest(p) <= built)) {
    console.log("lab extension up to date");
    process.exit(0);
  }
}

const run = (cmd, args) => execFileSync(cmd, args, { cwd: here, stdio: "inherit" });
const started = Date.now();
run(process.execPath, [
  join(here, "node_modules", "typescript", "bin", "tsc"),
  "-p",
  "tsconfig.json",
]);
const core = join(here, "node_modules", ".splatbook-core");
mkdirSync(core, { recursive: true });
copyFileSync(
  join(here, "node_modules", "@jupyterlab", "core-meta", "core.package.json"),
  join(core, "package.json"),
);
run(process.execPath, [
  join(here, "node_modules", "@jupyterlab", "builder", "lib", "build-labextension.js"),
  "--core-path",
  core,
  here,
]);
console.log(`lab extension built in ${((Date.now() - started) / 1000).toFixed(1)} s`);
