// The two release artifacts built from this checkout and installed outside it, as a user would:
// the wheel into a fresh venv (with JupyterLab and papermill from PyPI), the npm tarball into a
// fresh global prefix. Commands then run in a folder outside the checkout with an environment
// built from scratch: PATH holds the venv's and the prefix's bin folders and the system ones,
// JUPYTER_PATH the venv's data folder, and nothing points into the checkout.
import { spawnSync, type SpawnSyncReturns } from "node:child_process";
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  renameSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { expect } from "vitest";
import { corpusCacheRoot } from "../../src/sample/corpus.js";

export const ROOT = resolve(import.meta.dirname, "..", "..");
export const VERSION: string = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")).version;
export const TARBALL = `splatbook-${VERSION}.tgz`;
export const WHEEL = `splatbook_jupyter-${VERSION}-py3-none-any.whl`;
/** Native dependencies whose install scripts npm 11 asks to allow by name. */
export const NATIVE = ["better-sqlite3", "webgpu", "zeromq", "msgpackr-extract"];
const SYSTEM_PATH = ["/usr/local/bin", "/usr/bin", "/bin"];

/** The folders of one installation, all under one temp folder. */
export interface Installation {
  work: string;
  dist: string;
  venv: string;
  prefix: string;
  /** The folder commands run in (notebooks, jobs). */
  cwd: string;
  /** Seconds each step took. */
  seconds: Record<string, number>;
  /** How better-sqlite3's binary came: from a prebuilt tarball, or compiled here. */
  sqliteBinary: "prebuilt" | "compiled";
}

export function newInstallation(): Installation {
  const work = mkdtempSync(join(tmpdir(), "splatbook-installed-"));
  const dirs = { dist: "dist", venv: "venv", prefix: "npm", cwd: "work" };
  const paths = Object.fromEntries(Object.entries(dirs).map(([k, v]) => [k, join(work, v)]));
  mkdirSync(paths.cwd!, { recursive: true });
  return {
    work,
    ...(paths as Omit<Installation, "work" | "seconds" | "sqliteBinary">),
    seconds: {},
    sqliteBinary: "compiled",
  };
}

/** The environment installed commands run with; `path` replaces the default PATH. */
export function installedEnv(inst: Installation, path?: string[]): NodeJS.ProcessEnv {
  const keep = ["HOME", "LANG", "LC_ALL", "TERM", "TMPDIR", "USER"];
  const env: NodeJS.ProcessEnv = Object.fromEntries(
    keep.filter((k) => process.env[k] !== undefined).map((k) => [k, process.env[k]]),
  );
  return {
    ...env,
    PATH: (path ?? [join(inst.venv, "bin"), join(inst.prefix, "bin"), ...SYSTEM_PATH]).join(":"),
    JUPYTER_PATH: join(inst.venv, "share", "jupyter"),
    // The user-level Jupyter folders of this machine stay out of it.
    JUPYTER_CONFIG_DIR: join(inst.work, "jupyter", "config"),
    JUPYTER_DATA_DIR: join(inst.work, "jupyter", "data"),
    JUPYTER_RUNTIME_DIR: join(inst.work, "jupyter", "runtime"),
    SPLATBOOK_CACHE_DIR: join(inst.work, "cache"),
  };
}

/** Runs `cmd` in the installation's folder with its environment (or `env`). */
export function runInstalled(
  inst: Installation,
  cmd: string,
  args: string[],
  opts: { env?: NodeJS.ProcessEnv; timeoutS?: number } = {},
): SpawnSyncReturns<string> {
  return spawnSync(cmd, args, {
    cwd: inst.cwd,
    env: opts.env ?? installedEnv(inst),
    encoding: "utf8",
    timeout: (opts.timeoutS ?? 300) * 1000,
    maxBuffer: 64 * 1024 * 1024,
  });
}

function timed<T>(inst: Installation, step: string, f: () => T): T {
  const t = Date.now();
  try {
    return f();
  } finally {
    inst.seconds[step] = (Date.now() - t) / 1000;
  }
}

function check(r: SpawnSyncReturns<string>, what: string): SpawnSyncReturns<string> {
  if (r.status !== 0) {
    throw new Error(`${what}: exit ${r.status} ${r.signal ?? ""}\n${r.stdout}\n${r.stderr}`);
  }
  return r;
}

/** `npm run package`'s script, into the installation's dist folder. */
export function buildArtifacts(inst: Installation): void {
  timed(inst, "package", () =>
    check(
      spawnSync(process.execPath, [join(ROOT, "scripts", "package.mjs"), "--out", inst.dist], {
        cwd: ROOT,
        encoding: "utf8",
      }),
      "scripts/package.mjs",
    ),
  );
}

/**
 * The wheel with JupyterLab and papermill into a fresh venv. The checkout's pip drives it
 * (`pip --python`): the venv gets no pip of its own, and bytecode is compiled on first import;
 * the versions are the ones .ci/requirements.txt pins (pip's cache holds them after .ci/setup).
 */
export function installWheel(inst: Installation): void {
  timed(inst, "venv", () => {
    check(
      spawnSync("python3", ["-m", "venv", "--without-pip", inst.venv], { encoding: "utf8" }),
      "venv",
    );
    const pip = join(ROOT, ".venv", "bin", "pip");
    const args = [
      "--python",
      join(inst.venv, "bin", "python"),
      "install",
      "--quiet",
      "--no-compile",
    ];
    const constraints = ["-c", join(ROOT, ".ci", "requirements.txt")];
    check(
      spawnSync(pip, [...args, ...constraints, join(inst.dist, WHEEL), "jupyterlab", "papermill"], {
        cwd: inst.work,
        encoding: "utf8",
      }),
      "pip install",
    );
  });
}

/** pip, run against the installation's venv. */
export function venvPip(inst: Installation, args: string[]): SpawnSyncReturns<string> {
  const pip = join(ROOT, ".venv", "bin", "pip");
  return spawnSync(pip, ["--python", join(inst.venv, "bin", "python"), ...args], {
    cwd: inst.work,
    encoding: "utf8",
  });
}

/**
 * Where better-sqlite3 binaries compiled by earlier runs are kept, as prebuild-install's local
 * prebuilds (`<name>-v<version>-node-v<abi>-<platform>-<arch>.tar.gz`). better-sqlite3 ships
 * its prebuilt binaries as downloads from its GitHub releases, which this machine cannot reach,
 * so its first install here compiles it (node-gyp); later ones take the kept binary the way a
 * machine online takes the downloaded one.
 */
export function prebuildCache(): string {
  return join(dirname(corpusCacheRoot()), "prebuilds");
}

/** Where the installed package's dependency `name` is. */
export function dependencyDir(inst: Installation, name: string): string {
  return join(inst.prefix, "lib", "node_modules", "splatbook", "node_modules", name);
}

function keepSqliteBinary(inst: Installation): void {
  const pkgDir = dependencyDir(inst, "better-sqlite3");
  const version = JSON.parse(readFileSync(join(pkgDir, "package.json"), "utf8")).version;
  const name = `better-sqlite3-v${version}-node-v${process.versions.modules}-${process.platform}-${process.arch}.tar.gz`;
  const cache = prebuildCache();
  if (existsSync(join(cache, name))) return;
  const stage = mkdtempSync(join(tmpdir(), "splatbook-prebuild-"));
  mkdirSync(join(stage, "build", "Release"), { recursive: true });
  copyFileSync(
    join(pkgDir, "build", "Release", "better_sqlite3.node"),
    join(stage, "build", "Release", "better_sqlite3.node"),
  );
  mkdirSync(cache, { recursive: true });
  const tmp = join(cache, `${name}.${process.pid}.tmp`);
  check(spawnSync("tar", ["czf", tmp, "-C", stage, "build"], { encoding: "utf8" }), "tar");
  renameSync(tmp, join(cache, name));
}

/** This process's environment without npm's variables (npx sets them) or checkout folders on PATH. */
function outsideEnv(): NodeJS.ProcessEnv {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^npm_/i.test(k)));
  env.PATH = (env.PATH ?? "")
    .split(":")
    .filter((d) => d && !resolve(d).startsWith(ROOT))
    .join(":");
  return env;
}

/** `npm install -g` of the tarball into the installation's prefix; returns npm's output. */
export function installTarball(inst: Installation): string {
  const r = timed(inst, "npm", () =>
    check(
      spawnSync(
        "npm",
        [
          ...["install", "--global", "--prefix", inst.prefix, "--no-audit", "--no-fund"],
          ...["--prefer-offline", "--foreground-scripts", `--allow-scripts=${NATIVE.join(",")}`],
          join(inst.dist, TARBALL),
        ],
        {
          cwd: inst.work,
          encoding: "utf8",
          maxBuffer: 64 * 1024 * 1024,
          env: { ...outsideEnv(), npm_config_better_sqlite3_local_prebuilds: prebuildCache() },
        },
      ),
      "npm install -g",
    ),
  );
  // node-gyp leaves its Makefile in build/; a prebuilt tarball holds build/Release/*.node only.
  const sqlite = dependencyDir(inst, "better-sqlite3");
  inst.sqliteBinary = existsSync(join(sqlite, "build", "Makefile")) ? "compiled" : "prebuilt";
  if (inst.sqliteBinary === "compiled") keepSqliteBinary(inst);
  return r.stdout + r.stderr;
}

/**
 * `pip uninstall` and `npm uninstall -g`, then checks Jupyter lists no splatbook kernelspec, lab
 * or server extension, and no file named splatbook-anything is left in the venv or the prefix.
 */
export function uninstallBoth(inst: Installation): void {
  check(venvPip(inst, ["uninstall", "--yes", "--quiet", "splatbook-jupyter"]), "pip uninstall");
  check(
    spawnSync("npm", ["uninstall", "--global", "--prefix", inst.prefix, "splatbook"], {
      cwd: inst.work,
      encoding: "utf8",
      env: outsideEnv(),
    }),
    "npm uninstall -g",
  );
  const specs = JSON.parse(runInstalled(inst, "jupyter", ["kernelspec", "list", "--json"]).stdout);
  expect(Object.keys(specs.kernelspecs)).not.toContain("splatbook");
  const labs = runInstalled(inst, "jupyter", ["labextension", "list"]);
  expect(labs.stdout + labs.stderr).not.toMatch(/splatbook-labextension/);
  const servers = runInstalled(inst, "jupyter", ["server", "extension", "list"]);
  expect(servers.stdout + servers.stderr).not.toMatch(/splatbook_jupyter/);
  const left = spawnSync("find", [inst.venv, inst.prefix, "-iname", "*splatbook*"], {
    encoding: "utf8",
  });
  expect(left.stdout.trim()).toBe("");
  expect(runInstalled(inst, "sh", ["-c", "command -v splatbook"]).stdout).toBe("");
}
