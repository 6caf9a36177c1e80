/**
 * Kernel processes: launching one from its kernelspec with a fresh connection file, waiting
 * until it answers kernel_info (and its iopub output reaches us), per-cell time limits,
 * interrupts by the kernelspec's interrupt_mode, and shutdown that leaves no process behind.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { SplatbookError } from "../util/errors.js";
import {
  connectKernel,
  type ExecuteOptions,
  type ExecuteResult,
  type KernelClient,
} from "./client.js";
import { createConnectionInfo, removeConnectionFile, writeConnectionFile } from "./connection.js";
import { kernelCommand, type KernelSpec } from "./kernelspecs.js";

/** Options for {@link startKernel}. */
export interface StartKernelOptions {
  spec: KernelSpec;
  /** Working directory of the kernel process. */
  cwd?: string;
  /** Environment of the kernel process (default this process's), before the spec's `env`. */
  env?: NodeJS.ProcessEnv;
  /** Seconds to wait for kernel_info_reply (default 60). */
  startTimeoutS?: number;
  /** Receives the kernel's own stdout/stderr (its logs, not cell output). */
  onKernelLog?: (text: string) => void;
}

/** A started kernel and the client talking to it. */
export interface RunningKernel {
  readonly spec: KernelSpec;
  readonly client: KernelClient;
  readonly process: ChildProcess;
  /** The kernel_info_reply content. */
  readonly info: Record<string, unknown>;
  /** Milliseconds from spawning the process to the first kernel_info_reply. */
  readonly kernelInfoMs: number;
  /** Resolves with the exit code once the process has exited. */
  readonly exited: Promise<number | null>;
  /** The tail of the kernel's own stdout/stderr. */
  log(): string;
  /**
   * Runs code (see {@link KernelClient.execute}); with `timeoutS`, interrupts the kernel when it
   * expires and gives up waiting a grace period later (`timedOut` is then set).
   */
  execute(code: string, options?: ExecuteOptions & { timeoutS?: number }): Promise<ExecuteResult>;
  /** Interrupts by the kernelspec's interrupt_mode: SIGINT or interrupt_request. */
  interrupt(): Promise<void>;
  /** shutdown_request, then SIGTERM/SIGKILL to the process group if it does not exit. */
  shutdown(): Promise<void>;
}

const INTERRUPT_GRACE_MS = 5000;
const LOG_TAIL_CHARS = 64_000;

/** Launches the kernel from its kernelspec and waits until it answers kernel_info. */
export async function startKernel(options: StartKernelOptions): Promise<RunningKernel> {
  const { spec } = options;
  const connection = await createConnectionInfo(spec.name);
  const connectionFile = await writeConnectionFile(connection);
  const argv = kernelCommand(spec, connectionFile);
  const started = performance.now();
  const child = spawn(argv[0]!, argv.slice(1), {
    cwd: options.cwd,
    // JPY_PARENT_PID lets kernels (ipykernel does) exit when this process dies without cleanup.
    env: { ...(options.env ?? process.env), ...spec.env, JPY_PARENT_PID: String(process.pid) },
    stdio: ["ignore", "pipe", "pipe"],
    // Own process group, so shutdown can kill whatever the kernel spawned.
    detached: true,
  });
  let logTail = "";
  const onLog = (chunk: Buffer) => {
    const text = chunk.toString("utf8");
    logTail = (logTail + text).slice(-LOG_TAIL_CHARS);
    options.onKernelLog?.(text);
  };
  child.stdout!.on("data", onLog);
  child.stderr!.on("data", onLog);
  const life = watchProcess(child);
  const client = await connectKernel(connection);
  void life.exited.then(() => client.fail(new Error(`kernel "${spec.name}" exited`)));
  const kernel = createRunningKernel(spec, client, child, life, () => logTail);
  try {
    const ready = await waitReady(kernel, life, (options.startTimeoutS ?? 60) * 1000);
    Object.assign(kernel, { info: ready.info, kernelInfoMs: ready.firstReplyAt - started });
  } catch (err) {
    await kernel.shutdown();
    throw err;
  } finally {
    // The kernel has read it (or failed); it holds the key, so do not leave it around.
    await removeConnectionFile(connectionFile);
  }
  return kernel;
}

interface ProcessLife {
  readonly exited: Promise<number | null>;
  hasExited(): boolean;
  launchError(): NodeJS.ErrnoException | undefined;
}

function watchProcess(child: ChildProcess): ProcessLife {
  let done = child.exitCode !== null;
  let launchError: NodeJS.ErrnoException | undefined;
  const exited = new Promise<number | null>((resolve) => {
    child.once("exit", (code) => {
      done = true;
      resolve(code);
    });
    child.once("error", (err: NodeJS.ErrnoException) => {
      launchError = err;
      done = true;
      resolve(null);
    });
  });
  return { exited, hasExited: () => done, launchError: () => launchError };
}

function createRunningKernel(
  spec: KernelSpec,
  client: KernelClient,
  child: ChildProcess,
  life: ProcessLife,
  log: () => string,
): RunningKernel {
  const killGroup = (signal: NodeJS.Signals) => {
    if (child.pid === undefined) return;
    try {
      process.kill(-child.pid, signal);
    } catch {
      try {
        child.kill(signal);
      } catch {
        // already gone
      }
    }
  };
  const waitExit = (ms: number) =>
    Promise.race([life.exited, new Promise((r) => setTimeout(r, ms).unref())]);

  const kernel: RunningKernel = {
    spec,
    client,
    process: child,
    info: {},
    kernelInfoMs: Number.NaN,
    exited: life.exited,
    log,
    execute: (code, options = {}) =>
      life.hasExited()
        ? Promise.resolve({ outputs: [], timing: {}, kernelDied: true, timedOut: false })
        : executeWithLimit(kernel, code, options),
    async interrupt() {
      if (life.hasExited()) return;
      if (spec.interruptMode === "message") {
        await client.request("control", "interrupt_request", {}, 2000).catch(() => undefined);
      } else if (child.pid !== undefined) {
        try {
          process.kill(child.pid, "SIGINT");
        } catch {
          // exited meanwhile
        }
      }
    },
    async shutdown() {
      if (!life.hasExited()) {
        await client
          .request("control", "shutdown_request", { restart: false }, 2000)
          .catch(() => undefined);
        await waitExit(3000);
        if (!life.hasExited()) killGroup("SIGTERM");
        await waitExit(2000);
        if (!life.hasExited()) killGroup("SIGKILL");
      } else {
        // The kernel is gone; children it started may still hold the group.
        killGroup("SIGKILL");
      }
      client.close();
    },
  };
  return kernel;
}

/**
 * Runs code; with `timeoutS`, interrupts the kernel when it expires and stops waiting a grace
 * period later, for a kernel that ignores the interrupt.
 */
async function executeWithLimit(
  kernel: RunningKernel,
  code: string,
  options: ExecuteOptions & { timeoutS?: number },
): Promise<ExecuteResult> {
  const limit = options.timeoutS;
  if (limit === undefined || limit <= 0) return kernel.client.execute(code, options);
  const stop = new AbortController();
  options.stop?.addEventListener("abort", () => stop.abort(), { once: true });
  let timedOut = false;
  let grace: NodeJS.Timeout | undefined;
  const timer = setTimeout(() => {
    timedOut = true;
    void kernel.interrupt();
    grace = setTimeout(() => stop.abort(), INTERRUPT_GRACE_MS);
  }, limit * 1000);
  try {
    const result = await kernel.client.execute(code, { ...options, stop: stop.signal });
    return { ...result, timedOut };
  } finally {
    clearTimeout(timer);
    clearTimeout(grace);
  }
}

/**
 * Retries kernel_info until its status also shows up on iopub: only then is our subscription
 * live, so no output of the first cell can be lost (ZeroMQ's slow joiner). A kernel that never
 * publishes status for kernel_info is accepted after a few replies.
 */
async function waitReady(
  kernel: RunningKernel,
  life: ProcessLife,
  timeoutMs: number,
): Promise<{ info: Record<string, unknown>; firstReplyAt: number }> {
  const { spec, client } = kernel;
  const deadline = Date.now() + timeoutMs;
  let replies = 0;
  let firstReplyAt: number | undefined;
  while (Date.now() < deadline) {
    const id = client.send("shell", "kernel_info_request");
    const wait = Math.min(2000, Math.max(1, deadline - Date.now()));
    const reply = await client.reply(id, wait).catch(() => undefined);
    const launchError = life.launchError();
    if (launchError) {
      throw new SplatbookError(
        `kernel "${spec.name}": cannot launch ${launchError.path ?? "its command"} (${launchError.code ?? launchError.message}); see ${spec.resourceDir}/kernel.json`,
      );
    }
    if (life.hasExited()) {
      const tail = kernel.log().trim().split("\n").slice(-3).join(" | ");
      throw new SplatbookError(
        `kernel "${spec.name}" exited during start-up (exit code ${kernel.process.exitCode ?? "?"})` +
          (tail ? `: ${tail}` : ""),
      );
    }
    if (!reply) continue;
    firstReplyAt ??= performance.now();
    const sawIopub = await client.untilIdle(id, 500).then(
      () => true,
      () => client.received(id).length > 0,
    );
    if (sawIopub || ++replies >= 5) return { info: reply.content, firstReplyAt };
  }
  throw new SplatbookError(
    `kernel "${spec.name}" did not answer kernel_info within ${Math.round(timeoutMs / 1000)} s (--start-timeout)`,
  );
}
