/**
 * Where the Jupyter server that started this kernel serves files from, so bundles can carry
 * paths a browser may ask that server for. Jupyter Server writes `jpserver-<pid>.json` (with
 * `root_dir`) into its runtime folder, and starts kernels as its direct children, so the parent
 * pid names the file. `SPLATBOOK_SERVER_ROOT` overrides (e.g. a kernel started by a wrapper).
 */
import { readFileSync } from "node:fs";
import { homedir } from "node:os";
import { isAbsolute, join, relative, resolve, sep } from "node:path";

/** The runtime folder as jupyter_core computes it on Linux and macOS. */
export function jupyterRuntimeDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.JUPYTER_RUNTIME_DIR) return env.JUPYTER_RUNTIME_DIR;
  const data =
    env.JUPYTER_DATA_DIR ??
    join(env.XDG_DATA_HOME ?? join(homedir(), ".local", "share"), "jupyter");
  return join(data, "runtime");
}

let cached: { root: string | null } | undefined;

/** The server root, or null when this process was not started by a Jupyter server. */
export function serverRoot(
  env: NodeJS.ProcessEnv = process.env,
  parentPid: number = process.ppid,
): string | null {
  if (env.SPLATBOOK_SERVER_ROOT) return resolve(env.SPLATBOOK_SERVER_ROOT);
  if (cached && env === process.env && parentPid === process.ppid) return cached.root;
  let root: string | null = null;
  try {
    const info = JSON.parse(
      readFileSync(join(jupyterRuntimeDir(env), `jpserver-${parentPid}.json`), "utf8"),
    ) as { root_dir?: unknown };
    if (typeof info.root_dir === "string") root = resolve(info.root_dir);
  } catch {
    root = null;
  }
  if (env === process.env && parentPid === process.ppid) cached = { root };
  return root;
}

/** `file` relative to the server root of this kernel (see {@link serverRoot}), or null. */
export function serverPath(file: string | null | undefined): string | null {
  return rootRelative(file, serverRoot());
}

/** `file` relative to `root` with `/` separators; null when either is missing or it lies outside. */
export function rootRelative(file: string | null | undefined, root: string | null): string | null {
  if (!file || !root) return null;
  const rel = relative(root, resolve(file));
  if (rel === "") return "";
  if (rel === ".." || rel.startsWith(`..${sep}`) || isAbsolute(rel)) return null;
  return rel.split(sep).join("/");
}
