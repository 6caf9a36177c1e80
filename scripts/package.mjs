#!/usr/bin/env node
// The two release artifacts, and nothing else, in dist/ (or `--out DIR`, which must be empty):
//   splatbook-<version>.tgz                      npm pack of the root package (CLI, kernel, library)
//   splatbook_jupyter-<version>-py3-none-any.whl hatchling + hatch-jupyter-builder (pyproject.toml)
// `npm run package` compiles lib/ first; this script refuses a lib/ older than its sources or
// holding the output of a deleted source (npm pack would ship it), and brings the lab extension
// up to date (labextension/build.mjs --if-stale) before the wheel takes it.
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(fileURLToPath(import.meta.url), "..", "..");
const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8"));
/** The wheel's distribution name (pyproject.toml), normalised as wheel file names spell it. */
const PYTHON_DIST = "splatbook_jupyter";

function fail(message) {
  console.error(`package: ${message}`);
  process.exit(1);
}

function walk(dir, keep) {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    return e.isDirectory() ? walk(p, keep) : keep(e.name) ? [p] : [];
  });
}

/** lib/ matches src/: every source compiled after its last change, no output without a source. */
function checkLib() {
  const src = join(root, "src");
  const lib = join(root, "lib");
  for (const file of walk(src, (n) => n.endsWith(".ts") && !n.endsWith(".d.ts"))) {
    const out = join(lib, relative(src, file)).replace(/\.ts$/, ".js");
    if (!existsSync(out) || statSync(out).mtimeMs < statSync(file).mtimeMs) {
      fail(`${relative(root, out)} is missing or older than its source: run npm run build`);
    }
  }
  for (const out of walk(lib, (n) => n.endsWith(".js"))) {
    const source = join(src, relative(lib, out)).replace(/\.js$/, ".ts");
    if (!existsSync(source)) {
      fail(
        `${relative(root, out)} has no source in src/ (left by a deleted file): rm -rf lib && npm run build`,
      );
    }
  }
}

/** The Python that builds the wheel: PYTHON, else the project's .venv, else python3. */
function python() {
  const candidates = [process.env.PYTHON, join(root, ".venv", "bin", "python"), "python3"];
  for (const p of candidates.filter(Boolean)) {
    const r = spawnSync(p, ["-c", "import hatchling, hatch_jupyter_builder, hatch_nodejs_version"]);
    if (r.status === 0) return p;
  }
  return fail(
    "no Python with hatchling, hatch-jupyter-builder and hatch-nodejs-version found " +
      "(bash .ci/setup installs them into .venv; or set PYTHON)",
  );
}

function run(cmd, args, what) {
  const r = spawnSync(cmd, args, { cwd: root, encoding: "utf8" });
  if (r.status !== 0) fail(`${what} failed (exit ${r.status}):\n${r.stdout}${r.stderr}`);
  return r.stdout;
}

const outArg = process.argv.indexOf("--out");
const out =
  outArg > 0
    ? resolve(process.argv[outArg + 1] ?? fail("--out needs a folder"))
    : join(root, "dist");
if (outArg > 0) {
  if (existsSync(out) && readdirSync(out).length > 0) fail(`${out} is not empty`);
} else {
  rmSync(out, { recursive: true, force: true });
}
mkdirSync(out, { recursive: true });

const started = Date.now();
checkLib();
execFileSync(process.execPath, [join(root, "labextension", "build.mjs"), "--if-stale"], {
  cwd: root,
  stdio: "inherit",
});
run("npm", ["pack", "--silent", "--pack-destination", out], "npm pack");
const py = python();
run(
  py,
  [
    "-m",
    "pip",
    "wheel",
    "--quiet",
    "--no-deps",
    "--no-build-isolation",
    "--no-cache-dir",
    "-w",
    out,
    ".",
  ],
  "building the wheel",
);

const expected = [`splatbook-${pkg.version}.tgz`, `${PYTHON_DIST}-${pkg.version}-py3-none-any.whl`];
const written = readdirSync(out).sort();
if (JSON.stringify(written) !== JSON.stringify([...expected].sort())) {
  fail(`${out} holds ${written.join(", ")}; expected exactly ${expected.join(", ")}`);
}
for (const name of expected) {
  const size = statSync(join(out, name)).size;
  console.log(`${join(out, name)} (${(size / 1024).toFixed(0)} KiB)`);
}
console.log(`packaged in ${((Date.now() - started) / 1000).toFixed(1)} s`);
