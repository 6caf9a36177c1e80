import { spawn, type ChildProcess } from "node:child_process";
import { Dealer, Subscriber } from "zeromq";
import { SplatbookError } from "../util/errors.js";
import {
  createConnectionInfo,
  endpoint,
  removeConnectionFile,
  writeConnectionFile,
  type ConnectionInfo,
} from "../jupyter/connection.js";
import { kernelCommand, type KernelSpec } from "./kernelspec.js";
import { createMessageCodec, type JupyterMessage, type MessageCodec } from "../jupyter/wire.js";

/** Options for {@link startKernel}. */
export interface StartKernelOptions {
  spec: KernelSpec;
  /** Working directory of the kernel process. */
  cwd?: string;
  /** Seconds to wait for kernel_info_reply (default 60). */
  startTimeoutS?: number;
  /** Receives the kernel's own stdout/stderr (its logs, not cell output). */
  onKernelLog?: (text: string) => void;
}

/** How one execute_request ended. */
export interface ExecuteOutcome {
  /** execute_reply content (status ok|error|aborted, execution_count); undefined if none came. */
  reply: Record<string, unknown> | undefined;
  /** The per-cell timeout expired (the kernel was interrupted). */
  timedOut: boolean;
  /** The kernel process exited during the request. */
  kernelDied: boolean;
  /** nbclient-style timestamps (keys like `iopub.status.busy`). */
  timing: Record<string, string>;
}

/** A running kernel and the client sockets talking to it. */
export interface KernelClient {
  readonly spec: KernelSpec;
  /** The kernel_info_reply content. */
  readonly info: Record<string, unknown>;
  readonly pid: number | undefined;
  /**
   * Runs code; `onOutput` gets every iopub message of this request except status and
   * execute_input. Resolves after both the reply and the idle status arrived (or timeout/death).
   */
  execute(
    code: string,
    onOutput: (msg: JupyterMessage) => void,
    options?: { timeoutS?: number },
  ): Promise<ExecuteOutcome>;
  /** Interrupts by the kernelspec's interrupt_mode: SIGINT or interrupt_request. */
  interrupt(): Promise<void>;
  /** shutdown_request, then SIGTERM/SIGKILL to the process group if it does not exit. */
  shutdown(): Promise<void>;
}

const INTERRUPT_GRACE_MS = 5000;
const IDLE_AFTER_REPLY_MS = 10_000;

function delay(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Launches the kernel from its kernelspec and waits until it answers kernel_info. */
export async function startKernel(options: StartKernelOptions): Promise<KernelClient> {
  const { spec } = options;
  const conn = await createConnectionInfo(spec.name);
  const connectionFile = await writeConnectionFile(conn);
  const argv = kernelCommand(spec, connectionFile);
  let logTail = "";
  const child = spawn(argv[0]!, argv.slice(1), {
    cwd: options.cwd,
    // JPY_PARENT_PID lets kernels (ipykernel does) exit when this process dies without cleanup.
    env: { ...process.env, ...spec.env, JPY_PARENT_PID: String(process.pid) },
    stdio: ["ignore", "pipe", "pipe"],
    // Own process group, so shutdown can kill whatever the kernel spawned.
    detached: true,
  });
  const onLog = (chunk: Buffer) => {
    const text = chunk.toString("utf8");
    logTail = (logTail + text).slice(-4000);
    options.onKernelLog?.(text);
  };
  child.stdout?.on("data", onLog);
  child.stderr?.on("data", onLog);
  const client = createClient(spec, conn, child, () => logTail);
  try {
    await client.waitReady((options.startTimeoutS ?? 60) * 1000);
  } catch (err) {
    await client.shutdown();
    throw err;
  } finally {
    // The kernel has read it (or failed); it holds the key, so do not leave it around.
    await removeConnectionFile(connectionFile);
  }
  return client;
}

interface InternalClient extends KernelClient {
  waitReady(timeoutMs: number): Promise<void>;
}

function createClient(
  spec: KernelSpec,
  conn: ConnectionInfo,
  child: ChildProcess,
  logTail: () => string,
): InternalClient {
  const codec: MessageCodec = createMessageCodec(conn.key, undefined, conn.signature_scheme);
  const url = (port: number) => endpoint(conn, port);
  const shell = new Dealer({ linger: 0 });
  const control = new Dealer({ linger: 0 });
  const iopub = new Subscriber({ linger: 0 });
  shell.connect(url(conn.shell_port));
  control.connect(url(conn.control_port));
  iopub.connect(url(conn.iopub_port));
  iopub.subscribe();

  const replyWaiters = new Map<string, (msg: JupyterMessage) => void>();
  const iopubListeners = new Map<string, (msg: JupyterMessage) => void>();
  const deathWaiters = new Set<() => void>();
  let exited = child.exitCode !== null;
  let closed = false;
  let info: Record<string, unknown> = {};

  child.once("exit", () => {
    exited = true;
    for (const w of deathWaiters) w();
  });
  let launchError: NodeJS.ErrnoException | undefined;
  child.once("error", (err: NodeJS.ErrnoException) => {
    launchError = err;
    exited = true;
    for (const w of deathWaiters) w();
  });

  const pump = async (socket: Dealer | Subscriber, route: (m: JupyterMessage) => void) => {
    try {
      for await (const frames of socket) {
        const msg = codec.decode(frames);
        // Unsigned or mis-signed messages are dropped, as the protocol requires.
        if (msg) route(msg);
      }
    } catch (err) {
      // Closing the socket ends the loop with an error; anything else is worth a warning.
      if (!closed) process.emitWarning(`kernel socket closed: ${(err as Error).message}`);
    }
  };
  const byParent = (table: Map<string, (m: JupyterMessage) => void>) => (m: JupyterMessage) => {
    const id = m.parent_header.msg_id;
    if (id) table.get(id)?.(m);
  };
  void pump(shell, byParent(replyWaiters));
  void pump(control, byParent(replyWaiters));
  void pump(iopub, byParent(iopubListeners));

  const send = async (socket: Dealer, msg: JupyterMessage) => {
    await socket.send(codec.encode(msg));
  };

  /** Sends a request and resolves with its reply, or undefined on timeout/kernel exit. */
  const request = async (
    socket: Dealer,
    msgType: string,
    content: Record<string, unknown>,
    timeoutMs: number,
    onIopub?: (m: JupyterMessage) => void,
  ): Promise<JupyterMessage | undefined> => {
    const msg = codec.create(msgType, content);
    const id = msg.header.msg_id;
    if (onIopub) iopubListeners.set(id, onIopub);
    try {
      return await new Promise<JupyterMessage | undefined>((resolveReply) => {
        const done = (m: JupyterMessage | undefined) => {
          clearTimeout(timer);
          replyWaiters.delete(id);
          deathWaiters.delete(onDeath);
          resolveReply(m);
        };
        const onDeath = () => done(undefined);
        const timer = setTimeout(() => done(undefined), timeoutMs);
        replyWaiters.set(id, done);
        deathWaiters.add(onDeath);
        if (exited) return done(undefined);
        send(socket, msg).catch(() => done(undefined));
      });
    } finally {
      if (onIopub) iopubListeners.delete(id);
    }
  };

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

  const client: InternalClient = {
    spec,
    get info() {
      return info;
    },
    pid: child.pid,

    async waitReady(timeoutMs) {
      const deadline = Date.now() + timeoutMs;
      // Retry kernel_info until its status also shows up on iopub: only then is our
      // subscription live, so no output of the first cell can be lost (ZeroMQ slow joiner).
      // A kernel that never publishes status for kernel_info is accepted after a few replies.
      let replies = 0;
      while (Date.now() < deadline) {
        let sawIopub = false;
        const reply = await request(
          shell,
          "kernel_info_request",
          {},
          Math.min(2000, Math.max(1, deadline - Date.now())),
          () => {
            sawIopub = true;
          },
        );
        if (launchError) {
          throw new SplatbookError(
            `kernel "${spec.name}": cannot launch ${launchError.path ?? "its command"} (${launchError.code ?? launchError.message}); see ${spec.resourceDir}/kernel.json`,
          );
        }
        if (exited) {
          throw new SplatbookError(
            `kernel "${spec.name}" exited during start-up (exit code ${child.exitCode ?? "?"})` +
              (logTail().trim() ? `: ${logTail().trim().split("\n").slice(-3).join(" | ")}` : ""),
          );
        }
        if (reply) {
          info = reply.content;
          for (let i = 0; i < 10 && !sawIopub; i++) await delay(50);
          if (sawIopub || ++replies >= 5) return;
        }
      }
      throw new SplatbookError(
        `kernel "${spec.name}" did not answer kernel_info within ${Math.round(timeoutMs / 1000)} s (--start-timeout)`,
      );
    },

    async execute(code, onOutput, options = {}) {
      const timing: Record<string, string> = {};
      const msg = codec.create("execute_request", {
        code,
        silent: false,
        store_history: true,
        user_expressions: {},
        allow_stdin: false,
        stop_on_error: true,
      });
      const id = msg.header.msg_id;
      let reply: Record<string, unknown> | undefined;
      let timedOut = false;
      let gotReply = false;
      let gotIdle = false;
      return new Promise<ExecuteOutcome>((resolveOutcome) => {
        let timer: NodeJS.Timeout | undefined;
        let graceTimer: NodeJS.Timeout | undefined;
        let idleTimer: NodeJS.Timeout | undefined;
        const finish = (kernelDied: boolean) => {
          clearTimeout(timer);
          clearTimeout(graceTimer);
          clearTimeout(idleTimer);
          replyWaiters.delete(id);
          iopubListeners.delete(id);
          deathWaiters.delete(onDeath);
          resolveOutcome({ reply, timedOut, kernelDied, timing });
        };
        const check = () => {
          if (gotReply && gotIdle) finish(false);
        };
        const onDeath = () => finish(true);
        iopubListeners.set(id, (m) => {
          const type = m.header.msg_type;
          if (type === "status") {
            const state = (m.content as { execution_state?: string }).execution_state;
            if (state === "busy") timing["iopub.status.busy"] = m.header.date;
            if (state === "idle") {
              timing["iopub.status.idle"] = m.header.date;
              gotIdle = true;
              check();
            }
          } else if (type === "execute_input") {
            timing["iopub.execute_input"] = m.header.date;
          } else {
            onOutput(m);
          }
        });
        replyWaiters.set(id, (m) => {
          reply = m.content;
          timing["shell.execute_reply"] = m.header.date;
          const started = m.metadata.started;
          if (typeof started === "string") timing["shell.execute_reply.started"] = started;
          gotReply = true;
          check();
          // The idle status should follow the reply at once; do not hang if it got lost.
          if (!gotIdle) idleTimer = setTimeout(() => finish(false), IDLE_AFTER_REPLY_MS);
        });
        deathWaiters.add(onDeath);
        if (exited) return finish(true);
        if (options.timeoutS !== undefined && options.timeoutS > 0) {
          timer = setTimeout(() => {
            timedOut = true;
            void client.interrupt();
            // A kernel that ignores the interrupt still ends the cell after a grace period.
            graceTimer = setTimeout(() => finish(false), INTERRUPT_GRACE_MS);
          }, options.timeoutS * 1000);
        }
        send(shell, msg).catch(() => finish(true));
      });
    },

    async interrupt() {
      if (exited) return;
      if (spec.interruptMode === "message") {
        await request(control, "interrupt_request", {}, 2000);
      } else if (child.pid !== undefined) {
        try {
          process.kill(child.pid, "SIGINT");
        } catch {
          // exited meanwhile
        }
      }
    },

    async shutdown() {
      if (!exited) {
        await request(control, "shutdown_request", { restart: false }, 2000);
        const waitExit = (ms: number) =>
          exited
            ? Promise.resolve()
            : new Promise<void>((r) => {
                const t = setTimeout(r, ms);
                deathWaiters.add(() => {
                  clearTimeout(t);
                  r();
                });
              });
        await waitExit(3000);
        if (!exited) {
          killGroup("SIGTERM");
          await waitExit(2000);
        }
        if (!exited) killGroup("SIGKILL");
      } else {
        // The kernel is gone; children it started may still hold the group.
        killGroup("SIGKILL");
      }
      closed = true;
      shell.close();
      control.close();
      iopub.close();
    },
  };
  return client;
}
