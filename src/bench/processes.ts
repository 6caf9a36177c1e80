import { spawn } from "node:child_process";

/** A finished CLI process run with `--json` (JSON lines on stdout). */
export interface BatchRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  // Parsed JSON lines of any shape (batch events, the summary).
  events: any[];
  /** The final `{"type":"summary"}` line, if the batch got that far. */
  summary: any;
  stderr: string;
  stdout: string;
}

/** A running CLI process whose stdout is parsed as JSON lines as they come. */
export interface LiveBatch {
  pid: number;
  events: any[];
  stderr: () => string;
  stdout: () => string;
  done: Promise<BatchRun>;
  /** True once the process has exited. */
  exited: () => boolean;
  kill(signal: NodeJS.Signals): void;
}

/** How to start a CLI process. */
export interface StartOptions {
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Runs `node` through this command (e.g. `ip netns exec NAME`). */
  prefix?: string[];
  /** Its own process group (as a service or a shell job would be). */
  detached?: boolean;
}

/** Starts `node <cli> <args>`, parsing JSON lines of its stdout into `events`. */
export function startCli(cli: string, args: string[], opts: StartOptions = {}): LiveBatch {
  const [cmd, ...rest] = [...(opts.prefix ?? []), process.execPath, cli, ...args];
  const child = spawn(cmd!, rest, {
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, ...opts.env },
    cwd: opts.cwd,
    detached: opts.detached ?? false,
  });
  const events: any[] = [];
  let stderr = "";
  let buffer = "";
  let stdout = "";
  let exited = false;
  child.stdout!.on("data", (d: Buffer) => {
    buffer += d;
    stdout += d;
    let nl;
    while ((nl = buffer.indexOf("\n")) >= 0) {
      const line = buffer.slice(0, nl);
      buffer = buffer.slice(nl + 1);
      try {
        events.push(JSON.parse(line));
      } catch {
        // not a JSON line (e.g. pretty-printed JSON): kept in stdout
      }
    }
  });
  child.stderr!.on("data", (d: Buffer) => (stderr += d));
  child.on("exit", () => (exited = true));
  // "close": after the exit and the end of both output streams.
  const done = new Promise<BatchRun>((res) =>
    child.on("close", (code, signal) =>
      res({
        code,
        signal,
        events,
        summary: events.find((e) => e.type === "summary"),
        stderr,
        stdout,
      }),
    ),
  );
  return {
    pid: child.pid!,
    events,
    stderr: () => stderr,
    stdout: () => stdout,
    done,
    exited: () => exited,
    kill: (s) => void (exited || child.kill(s)),
  };
}

/** Busy processes that keep `count` cores loaded beside the work measured. */
export function startCpuHogs(count: number): { stop(): Promise<void> } {
  const hogs = Array.from({ length: count }, () =>
    spawn(process.execPath, ["-e", "for (;;) {}"], { stdio: "ignore" }),
  );
  return {
    async stop() {
      await Promise.all(
        hogs.map(
          (h) =>
            new Promise<void>((resolve) => {
              if (h.exitCode !== null || h.signalCode !== null) return resolve();
              h.once("exit", () => resolve());
              h.kill("SIGKILL");
            }),
        ),
      );
    },
  };
}
