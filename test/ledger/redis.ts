import { spawn, type ChildProcess } from "node:child_process";
import { freePort } from "../../src/util/net.js";
import { tempDir } from "../engine/helpers.js";

/** A Redis server from Debian's `redis-server`, started for a test. */
export interface TestRedis {
  readonly url: string;
  readonly port: number;
  /** Stops it (SIGTERM: the append-only file is flushed) and starts it again on the same port. */
  restart(downMs?: number): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Starts `redis-server` on a free loopback port with an append-only file (so a restart keeps the
 * queue) and the given eviction policy. Fails (never skips) when redis-server is missing.
 */
export async function startRedis(
  opts: { policy?: string; bind?: string; prefix?: string[] } = {},
): Promise<TestRedis> {
  const dir = tempDir("redis");
  const port = await freePort();
  const bind = opts.bind ?? "127.0.0.1";
  const args = [
    ...["--port", String(port), "--bind", bind, "--save", "", "--dir", dir],
    ...["--appendonly", "yes", "--appendfsync", "always", "--protected-mode", "no"],
    ...["--maxmemory-policy", opts.policy ?? "noeviction", "--daemonize", "no"],
  ];
  let proc: ChildProcess | undefined;
  const start = () =>
    new Promise<void>((resolve, reject) => {
      const [cmd, ...rest] = [...(opts.prefix ?? []), "redis-server", ...args];
      const child = spawn(cmd!, rest, { stdio: ["ignore", "pipe", "pipe"] });
      proc = child;
      let out = "";
      let errOut = "";
      child.stderr!.on("data", (d: Buffer) => (errOut += d));
      const timer = setTimeout(
        () => reject(new Error(`redis-server did not start: ${out}`)),
        20_000,
      );
      child.once("error", (err) => {
        clearTimeout(timer);
        reject(new Error(`redis-server could not be started (${err.message}); run .ci/setup`));
      });
      // Settled already once it listens; before that, an exit is the failure to report.
      child.once("exit", (code, signal) => {
        clearTimeout(timer);
        const said = (out + errOut).trim().split("\n").at(-1);
        reject(new Error(`redis-server exited (${code ?? signal}) before listening: ${said}`));
      });
      child.stdout!.on("data", (d: Buffer) => {
        out += d;
        if (out.includes("Ready to accept connections")) {
          clearTimeout(timer);
          resolve();
        }
      });
    });
  const stop = () =>
    new Promise<void>((resolve) => {
      if (!proc || proc.exitCode !== null || proc.signalCode !== null) return resolve();
      proc.once("exit", () => resolve());
      proc.kill("SIGTERM");
    });
  await start();
  return {
    url: `redis://${bind === "0.0.0.0" ? "127.0.0.1" : bind}:${port}/0`,
    port,
    async restart(downMs = 1500) {
      await stop();
      await new Promise((r) => setTimeout(r, downMs));
      await start();
    },
    stop,
  };
}
