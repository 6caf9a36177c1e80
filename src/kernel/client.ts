/**
 * A small Jupyter client for this kernel: launches `node lib/kernel/main.js` with a fresh
 * connection file and talks to it over ZeroMQ. Used by the kernel tests and the start-up bench.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { randomUUID } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type * as zmqTypes from "zeromq";
import {
  createConnectionInfo,
  endpoint,
  writeConnectionFile,
  type ConnectionInfo,
} from "../jupyter/connection.js";
import {
  createHeader,
  createSigner,
  decodeMessage,
  encodeMessage,
  type Message,
  type Signer,
} from "../jupyter/wire.js";

/** Reply plus the iopub messages between busy and idle (status messages left out). */
export interface ExecuteResult {
  reply: Message;
  outputs: Message[];
}

export interface KernelClient {
  readonly connection: ConnectionInfo;
  /** Every iopub message received so far. */
  readonly iopub: Message[];
  /** Sends a request and resolves with its reply. */
  request(channel: "shell" | "control", msgType: string, content?: object): Promise<Message>;
  /** Sends a request, returning its msg_id without waiting. */
  send(channel: "shell" | "control", msgType: string, content?: object, signer?: Signer): string;
  /** Resolves with the reply to `msgId` (rejects after `timeoutMs`). */
  reply(msgId: string, timeoutMs?: number): Promise<Message>;
  /** Resolves with iopub messages for `msgId` once its idle status arrived. */
  untilIdle(msgId: string, timeoutMs?: number): Promise<Message[]>;
  execute(code: string, content?: object, timeoutMs?: number): Promise<ExecuteResult>;
  /** Answers input_request prompts with this function. */
  onInput(answer: (prompt: string) => string): void;
  close(): void;
}

export interface LaunchedKernel {
  process: ChildProcess;
  client: KernelClient;
  connectionFile: string;
  /** Milliseconds from spawning the process to the first kernel_info_reply. */
  kernelInfoMs: number;
  /** Waits for the process to exit (resolves with its exit code). */
  exited: Promise<number | null>;
  stderr(): string;
  /** Shuts down politely, then kills; removes the connection file. */
  dispose(): Promise<void>;
}

/** Connects a client to a kernel listening on `connection`. */
export async function connectClient(connection: ConnectionInfo): Promise<KernelClient> {
  const zmq = await import("zeromq");
  const signer = createSigner(connection.key, connection.signature_scheme);
  const session = randomUUID();
  const identity = `client-${session}`;
  const shell = new zmq.Dealer({ routingId: identity, linger: 0 });
  const stdin = new zmq.Dealer({ routingId: identity, linger: 0 });
  const control = new zmq.Dealer({ linger: 0 });
  const iopub = new zmq.Subscriber({ linger: 0 });
  shell.connect(endpoint(connection, connection.shell_port));
  stdin.connect(endpoint(connection, connection.stdin_port));
  control.connect(endpoint(connection, connection.control_port));
  iopub.connect(endpoint(connection, connection.iopub_port));
  iopub.subscribe();
  const replies = new Map<string, Message>();
  const iopubLog: Message[] = [];
  const waiters = new Set<() => void>();
  const notify = () => {
    for (const w of waiters) w();
  };
  let answer: (prompt: string) => string = () => "";
  let closed = false;
  const pump = async (
    socket: zmqTypes.Dealer | zmqTypes.Subscriber,
    onMessage: (m: Message) => void,
  ) => {
    try {
      for await (const frames of socket) {
        try {
          onMessage(decodeMessage(frames, signer));
        } catch {
          // Not for us or badly signed: a test client just ignores it.
        }
      }
    } catch (err) {
      if (!closed) throw err;
    }
  };
  const onReply = (m: Message) => {
    if (m.parent_header.msg_id) replies.set(m.parent_header.msg_id, m);
    notify();
  };
  void pump(shell, onReply);
  void pump(control, onReply);
  void pump(iopub, (m) => {
    iopubLog.push(m);
    notify();
  });
  void pump(stdin, (m) => {
    if (m.header.msg_type !== "input_request") return;
    const value = answer(String(m.content.prompt ?? ""));
    void stdin.send(encodeMessage(outgoing("input_reply", { value }, m.header), signer));
  });
  const sockets = { shell, control };
  function outgoing(msgType: string, content: object, parent: object = {}): Message<unknown> {
    return {
      identities: [],
      header: createHeader(msgType, session, "test"),
      parent_header: parent,
      metadata: {},
      content,
      buffers: [],
    };
  }
  const waitFor = <T>(check: () => T | undefined, timeoutMs: number, what: string) =>
    new Promise<T>((resolve, reject) => {
      const first = check();
      if (first !== undefined) return resolve(first);
      const timer = setTimeout(() => {
        waiters.delete(w);
        reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`));
      }, timeoutMs);
      const w = () => {
        const v = check();
        if (v === undefined) return;
        clearTimeout(timer);
        waiters.delete(w);
        resolve(v);
      };
      waiters.add(w);
    });
  const client: KernelClient = {
    connection,
    iopub: iopubLog,
    send(channel, msgType, content = {}, withSigner = signer) {
      const m = outgoing(msgType, content);
      void sockets[channel].send(encodeMessage(m, withSigner));
      return m.header.msg_id;
    },
    reply(msgId, timeoutMs = 30_000) {
      return waitFor(() => replies.get(msgId), timeoutMs, `reply to ${msgId}`);
    },
    async request(channel, msgType, content = {}) {
      return client.reply(client.send(channel, msgType, content));
    },
    untilIdle(msgId, timeoutMs = 30_000) {
      return waitFor(
        () => {
          const mine = iopubLog.filter((m) => m.parent_header.msg_id === msgId);
          const idle = mine.some(
            (m) => m.header.msg_type === "status" && m.content.execution_state === "idle",
          );
          return idle ? mine : undefined;
        },
        timeoutMs,
        `idle for ${msgId}`,
      );
    },
    async execute(code, content = {}, timeoutMs = 60_000) {
      const id = client.send("shell", "execute_request", {
        code,
        silent: false,
        store_history: true,
        user_expressions: {},
        allow_stdin: true,
        stop_on_error: true,
        ...content,
      });
      const reply = await client.reply(id, timeoutMs);
      const all = await client.untilIdle(id, timeoutMs);
      return { reply, outputs: all.filter((m) => m.header.msg_type !== "status") };
    },
    onInput(fn) {
      answer = fn;
    },
    close() {
      closed = true;
      for (const s of [shell, stdin, control, iopub]) s.close();
    },
  };
  return client;
}

/**
 * Starts the kernel process and waits until it answers kernel_info with iopub subscribed
 * (the way jupyter_client's wait_for_ready does).
 */
export async function launchKernel(options: {
  kernelMain: string;
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  timeoutMs?: number;
}): Promise<LaunchedKernel> {
  const connection = await createConnectionInfo();
  const dir = await mkdtemp(join(tmpdir(), "splatbook-kernel-"));
  const connectionFile = await writeConnectionFile(connection, join(dir, "connection.json"));
  const started = performance.now();
  const child = spawn(process.execPath, [options.kernelMain, connectionFile], {
    cwd: options.cwd,
    env: { ...(options.env ?? process.env), JPY_PARENT_PID: String(process.pid) },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stderr = "";
  child.stderr!.setEncoding("utf8").on("data", (c: string) => (stderr += c));
  child.stdout!.resume();
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  const client = await connectClient(connection);
  const deadline = Date.now() + (options.timeoutMs ?? 30_000);
  let kernelInfoMs = Number.NaN;
  for (;;) {
    const id = client.send("shell", "kernel_info_request");
    try {
      await client.reply(id, 1_000);
      if (Number.isNaN(kernelInfoMs)) kernelInfoMs = performance.now() - started;
      await client.untilIdle(id, 300);
      break;
    } catch (err) {
      if (Date.now() > deadline || child.exitCode !== null) {
        client.close();
        child.kill("SIGKILL");
        throw new Error(`kernel did not start: ${(err as Error).message}\n${stderr}`);
      }
    }
  }
  return {
    process: child,
    client,
    connectionFile,
    kernelInfoMs,
    exited,
    stderr: () => stderr,
    async dispose() {
      if (child.exitCode === null) {
        client.send("control", "shutdown_request", { restart: false });
        const timer = setTimeout(() => child.kill("SIGKILL"), 3_000);
        await exited;
        clearTimeout(timer);
      }
      client.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
