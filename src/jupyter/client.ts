/**
 * A Jupyter client over ZeroMQ: DEALER sockets for shell, control and stdin, a SUB socket for
 * iopub, replies and iopub messages matched to the requests this client sent by parent msg_id.
 * It knows nothing of kernel processes (kernelProcess.ts starts and watches those); the headless
 * runner, the kernel tests and the start-up bench all talk to kernels through it.
 */
import { randomUUID } from "node:crypto";
import type * as zmqTypes from "zeromq";
import { endpoint, type ConnectionInfo } from "./connection.js";
import {
  createHeader,
  createSigner,
  decodeMessage,
  encodeMessage,
  type Message,
  type Signer,
} from "./wire.js";

/** The request channels. */
export type RequestChannel = "shell" | "control";

/** How one execute_request went. */
export interface ExecuteResult {
  /** The execute_reply; undefined when the kernel died or the wait was stopped before it came. */
  reply?: Message;
  /** The request's iopub messages other than status (execute_input first), in order. */
  outputs: Message[];
  /** nbclient-style timestamps (keys like `iopub.status.busy`, `shell.execute_reply`). */
  timing: Record<string, string>;
  /** The kernel process exited during the request. */
  kernelDied: boolean;
  /** The caller's time limit expired (set by kernelProcess.ts, which interrupts the kernel). */
  timedOut: boolean;
}

/** Options of {@link KernelClient.execute}. */
export interface ExecuteOptions {
  /** execute_request fields overriding the defaults (silent, store_history, allow_stdin, …). */
  content?: Record<string, unknown>;
  /** Gets each output message as it arrives (the same messages as `outputs`). */
  onOutput?(msg: Message): void;
  /** Stops waiting: resolves with what has arrived so far. */
  stop?: AbortSignal;
}

/** A connected client. */
export interface KernelClient {
  readonly connection: ConnectionInfo;
  /** Sends a request and returns its msg_id without waiting (another `signer` forges it). */
  send(channel: RequestChannel, msgType: string, content?: object, signer?: Signer): string;
  /** The reply to `msgId`; rejects after `timeoutMs` or when the client fails or closes. */
  reply(msgId: string, timeoutMs?: number): Promise<Message>;
  /** Sends a request and resolves with its reply. */
  request(
    channel: RequestChannel,
    msgType: string,
    content?: object,
    timeoutMs?: number,
  ): Promise<Message>;
  /** The iopub messages received so far whose parent is `msgId`. */
  received(msgId: string): Message[];
  /** Resolves with the iopub messages of `msgId` once its idle status has arrived. */
  untilIdle(msgId: string, timeoutMs?: number): Promise<Message[]>;
  /** Runs code; resolves after both its reply and its idle status arrived (or death/stop). */
  execute(code: string, options?: ExecuteOptions): Promise<ExecuteResult>;
  /** Answers input_request prompts (stdin channel) with this function. */
  onInput(answer: (prompt: string, password: boolean) => string): void;
  /** Rejects every pending wait: the kernel is gone. */
  fail(reason: Error): void;
  close(): void;
}

/** The idle status should follow a reply at once; after this long without it, stop waiting. */
const IDLE_AFTER_REPLY_MS = 10_000;
const DEFAULT_WAIT_MS = 30_000;

/** Connects a client to a kernel listening on `connection`. */
export async function connectKernel(connection: ConnectionInfo): Promise<KernelClient> {
  const zmq = await import("zeromq");
  const signer = createSigner(connection.key, connection.signature_scheme);
  const session = randomUUID();
  // shell and stdin share one identity: the kernel sends input_request to the shell requester.
  const identity = `client-${session}`;
  const sockets = {
    shell: new zmq.Dealer({ routingId: identity, linger: 0 }),
    stdin: new zmq.Dealer({ routingId: identity, linger: 0 }),
    control: new zmq.Dealer({ linger: 0 }),
    iopub: new zmq.Subscriber({ linger: 0 }),
  };
  sockets.shell.connect(endpoint(connection, connection.shell_port));
  sockets.stdin.connect(endpoint(connection, connection.stdin_port));
  sockets.control.connect(endpoint(connection, connection.control_port));
  sockets.iopub.connect(endpoint(connection, connection.iopub_port));
  sockets.iopub.subscribe();
  const inbox = createInbox();
  let answer: (prompt: string, password: boolean) => string = () => "";

  const outgoing = (msgType: string, content: object, parent: object = {}) => ({
    header: createHeader(msgType, session, "splatbook"),
    parent_header: parent,
    metadata: {},
    content,
    buffers: [],
  });
  const pump = (socket: zmqTypes.Dealer | zmqTypes.Subscriber, route: Route) =>
    pumpSocket(socket, signer, route, (err) => {
      if (!inbox.closed) inbox.fail(new Error(`kernel socket closed: ${err.message}`));
    });
  void pump(sockets.shell, inbox.addReply);
  void pump(sockets.control, inbox.addReply);
  void pump(sockets.iopub, inbox.addIopub);
  void pump(sockets.stdin, (m) => {
    if (m.header.msg_type !== "input_request") return;
    const value = answer(String(m.content.prompt ?? ""), m.content.password === true);
    const reply = outgoing("input_reply", { value }, m.header);
    void sockets.stdin.send(encodeMessage(reply, signer));
  });

  const client: KernelClient = {
    connection,
    send(channel, msgType, content = {}, withSigner = signer) {
      const msg = outgoing(msgType, content);
      inbox.expect(msg.header.msg_id);
      void sockets[channel].send(encodeMessage(msg, withSigner)).catch((err: unknown) => {
        inbox.fail(new Error(`cannot send ${msgType}: ${(err as Error).message}`));
      });
      return msg.header.msg_id;
    },
    reply: (msgId, timeoutMs = DEFAULT_WAIT_MS) =>
      inbox.waitFor(() => inbox.replyTo(msgId), timeoutMs, `the reply to ${msgId}`),
    request: (channel, msgType, content = {}, timeoutMs = DEFAULT_WAIT_MS) =>
      client.reply(client.send(channel, msgType, content), timeoutMs),
    received: (msgId) => inbox.iopubOf(msgId),
    untilIdle: (msgId, timeoutMs = DEFAULT_WAIT_MS) =>
      inbox.waitFor(
        () => (inbox.idleSeen(msgId) ? inbox.iopubOf(msgId) : undefined),
        timeoutMs,
        `the idle status of ${msgId}`,
      ),
    execute: (code, options = {}) => executeRequest(client, inbox, code, options),
    onInput(fn) {
      answer = fn;
    },
    fail: (reason) => inbox.fail(reason),
    close() {
      inbox.close();
      for (const socket of Object.values(sockets)) socket.close();
    },
  };
  return client;
}

type Route = (msg: Message) => void;

/** Reads a socket, routing every well-signed message; `onEnd` gets the error that ended it. */
async function pumpSocket(
  socket: zmqTypes.Dealer | zmqTypes.Subscriber,
  signer: Signer,
  route: Route,
  onEnd: (err: Error) => void,
): Promise<void> {
  try {
    for await (const frames of socket) {
      let msg: Message;
      try {
        msg = decodeMessage(frames, signer);
      } catch {
        continue; // malformed or badly signed: dropped, as the protocol requires
      }
      route(msg);
    }
  } catch (err) {
    onEnd(err as Error);
  }
}

/** Messages received for this client's requests, and the waits on them. */
interface Inbox {
  closed: boolean;
  expect(msgId: string): void;
  addReply: Route;
  addIopub: Route;
  replyTo(msgId: string): Message | undefined;
  iopubOf(msgId: string): Message[];
  idleSeen(msgId: string): boolean;
  /** Calls `listener` for every later iopub message of `msgId`; returns the unsubscribe. */
  listen(msgId: string, listener: Route): () => void;
  forget(msgId: string): void;
  /** Resolves with the first defined value of `check`, re-checked on every message. */
  waitFor<T>(check: () => T | undefined, timeoutMs: number, what: string): Promise<T>;
  fail(reason: Error): void;
  close(): void;
}

function createInbox(): Inbox {
  const replies = new Map<string, Message>();
  const iopub = new Map<string, Message[]>();
  const listeners = new Map<string, Set<Route>>();
  const waiters = new Set<Waiter>();
  let failure: Error | undefined;
  const notify = () => {
    for (const w of waiters) w.check();
  };
  const inbox: Inbox = {
    closed: false,
    expect(msgId) {
      iopub.set(msgId, []);
    },
    addReply(msg) {
      const id = msg.parent_header.msg_id;
      if (id && iopub.has(id)) replies.set(id, msg);
      notify();
    },
    addIopub(msg) {
      const id = msg.parent_header.msg_id;
      const list = id ? iopub.get(id) : undefined;
      if (!list) return; // another client's request, or the kernel's own (starting)
      list.push(msg);
      for (const l of listeners.get(id!) ?? []) l(msg);
      notify();
    },
    replyTo: (msgId) => replies.get(msgId),
    iopubOf: (msgId) => [...(iopub.get(msgId) ?? [])],
    idleSeen: (msgId) =>
      (iopub.get(msgId) ?? []).some(
        (m) => m.header.msg_type === "status" && m.content.execution_state === "idle",
      ),
    listen(msgId, listener) {
      const set = listeners.get(msgId) ?? new Set();
      listeners.set(msgId, set.add(listener));
      return () => set.delete(listener);
    },
    forget(msgId) {
      replies.delete(msgId);
      iopub.delete(msgId);
      listeners.delete(msgId);
    },
    waitFor: (check, timeoutMs, what) => waitUntil(waiters, () => failure, check, timeoutMs, what),
    fail(reason) {
      failure ??= reason;
      for (const w of [...waiters]) w.reject(reason);
    },
    close() {
      inbox.closed = true;
      inbox.fail(new Error("client closed"));
    },
  };
  return inbox;
}

type Waiter = { check(): void; reject(e: Error): void };

/** Resolves with the first defined value of `check`, re-checked whenever a waiter is notified. */
function waitUntil<T>(
  waiters: Set<Waiter>,
  failure: () => Error | undefined,
  check: () => T | undefined,
  timeoutMs: number,
  what: string,
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const waiter: Waiter = {
      check() {
        const value = check();
        if (value === undefined) return;
        done();
        resolve(value);
      },
      reject(e: Error) {
        done();
        reject(e);
      },
    };
    const timer = setTimeout(
      () => waiter.reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)),
      timeoutMs,
    );
    const done = () => {
      clearTimeout(timer);
      waiters.delete(waiter);
    };
    waiters.add(waiter);
    waiter.check();
    const failed = failure();
    if (failed && waiters.has(waiter)) waiter.reject(failed);
  });
}

/** execute_request with the reply, idle, stop and failure handling of {@link ExecuteResult}. */
async function executeRequest(
  client: KernelClient,
  inbox: Inbox,
  code: string,
  options: ExecuteOptions,
): Promise<ExecuteResult> {
  const msgId = client.send("shell", "execute_request", {
    code,
    silent: false,
    store_history: true,
    user_expressions: {},
    allow_stdin: true,
    stop_on_error: true,
    ...options.content,
  });
  const outputs: Message[] = [];
  const timing: Record<string, string> = {};
  const take = (m: Message) => {
    const type = m.header.msg_type;
    if (type === "status") {
      const state = m.content.execution_state;
      if (state === "busy" || state === "idle") timing[`iopub.status.${state}`] = m.header.date;
      return;
    }
    if (type === "execute_input") timing["iopub.execute_input"] = m.header.date;
    outputs.push(m);
    options.onOutput?.(m);
  };
  for (const m of inbox.iopubOf(msgId)) take(m);
  const unlisten = inbox.listen(msgId, take);
  const stopped = new Promise<"stopped">((resolve) => {
    if (options.stop?.aborted) resolve("stopped");
    options.stop?.addEventListener("abort", () => resolve("stopped"), { once: true });
  });
  let kernelDied = false;
  try {
    const reply = await Promise.race([
      inbox.waitFor(() => inbox.replyTo(msgId), 2 ** 31 - 1, "reply"),
      stopped,
    ]);
    if (reply !== "stopped") {
      timing["shell.execute_reply"] = reply.header.date;
      const started = reply.metadata.started;
      if (typeof started === "string") timing["shell.execute_reply.started"] = started;
      await Promise.race([
        inbox.waitFor(() => inbox.idleSeen(msgId) || undefined, IDLE_AFTER_REPLY_MS, "idle"),
        stopped,
      ]).catch(() => undefined);
    }
  } catch {
    kernelDied = true;
  } finally {
    unlisten();
  }
  const reply = inbox.replyTo(msgId);
  inbox.forget(msgId);
  return { reply, outputs, timing, kernelDied, timedOut: false };
}
