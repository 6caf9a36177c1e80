// A real Jupyter server from the project's venv, for the server-extension and browser tests:
// a free loopback port, a temp root, a random token, its own config/runtime folders.
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { freePort } from "../../src/util/net.js";

export const ROOT = resolve(import.meta.dirname, "..", "..");
export const VENV_BIN = join(ROOT, ".venv", "bin");

export interface RunningServer {
  url: string;
  token: string;
  root: string;
  /** Everything the server printed so far. */
  log(): string;
  stop(): Promise<void>;
}

/**
 * Starts `jupyter <app>` (lab or server) and waits until its API answers. `jupyter` defaults to
 * the project's venv; with `inheritEnv: false` the server sees `env` (plus its own state folders)
 * and nothing of this process's environment.
 */
export async function startJupyter(opts: {
  app: "lab" | "server";
  root: string;
  args?: string[];
  env?: NodeJS.ProcessEnv;
  jupyter?: string;
  inheritEnv?: boolean;
}): Promise<RunningServer> {
  const jupyter = opts.jupyter ?? join(VENV_BIN, "jupyter");
  if (!existsSync(jupyter)) throw new Error(`${jupyter} missing: run bash .ci/setup`);
  const port = await freePort();
  const token = randomBytes(16).toString("hex");
  const state = mkdtempSync(join(tmpdir(), "splatbook-jupyter-state-"));
  let output = "";
  const child: ChildProcess = spawn(
    jupyter,
    [
      opts.app,
      "--no-browser",
      "--allow-root",
      "--ip=127.0.0.1",
      `--port=${port}`,
      "--port-retries=0",
      `--ServerApp.token=${token}`,
      `--ServerApp.root_dir=${opts.root}`,
      ...(opts.args ?? []),
    ],
    {
      env: {
        ...(opts.inheritEnv === false ? {} : process.env),
        JUPYTER_CONFIG_DIR: join(state, "config"),
        JUPYTER_RUNTIME_DIR: join(state, "runtime"),
        ...opts.env,
      },
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  child.stdout!.on("data", (d) => (output += d));
  child.stderr!.on("data", (d) => (output += d));
  const url = `http://127.0.0.1:${port}/`;
  const stop = async () => {
    if (child.exitCode === null) {
      child.kill("SIGTERM");
      await new Promise((r) => {
        const t = setTimeout(() => {
          child.kill("SIGKILL");
          r(undefined);
        }, 10_000);
        child.once("exit", () => (clearTimeout(t), r(undefined)));
      });
    }
    rmSync(state, { recursive: true, force: true });
  };
  const deadline = Date.now() + 120_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`jupyter ${opts.app} exited:\n${output}`);
    try {
      const r = await fetch(`${url}api/status`, { headers: { Authorization: `token ${token}` } });
      if (r.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`jupyter ${opts.app} did not answer within 120 s:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 300));
  }
  return { url, token, root: opts.root, log: () => output, stop };
}
