import { spawn, type ChildProcess } from "node:child_process";

/** A `redis-server` (Debian's) started by a test or a soak on a loopback port. */
export interface RedisServer {
  readonly url: string;
  readonly port: number;
  /** Stops it (SIGTERM: the append-only file is flushed) and starts it again on the same port. */
  restart(downMs?: number): Promise<void>;
  stop(): Promise<void>;
}

/** Where and how to run it. */
export interface RedisServerOptions {
  /** Its working folder (the append-only file). */
  dir: string;
  port: number;
  /** `maxmemory-policy` (default `noeviction`, as the queue requires). */
  policy?: string;
  bind?: string;
  /** Runs `redis-server` through this command (e.g. `ip netns exec NAME`). */
  prefix?: string[];
}

/**
 * Starts `redis-server` with an append-only file fsynced on every write (so a restart keeps the
 * queue) and the given eviction policy. Rejects (never skips) when redis-server is missing.
 */
export async function startRedisServer(opts: RedisServerOptions): Promise<RedisServer> {
  const bind = opts.bind ?? "127.0.0.1";
  const args = [
    ...["--port", String(opts.port), "--bind", bind, "--save", "", "--dir", opts.dir],
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
    url: `redis://${bind === "0.0.0.0" ? "127.0.0.1" : bind}:${opts.port}/0`,
    port: opts.port,
    async restart(downMs = 1500) {
      await stop();
      await new Promise((r) => setTimeout(r, downMs));
      await start();
    },
    stop,
  };
}
