/**
 * The Jupyter transport: ZeroMQ sockets from the connection file, signed messages, busy/idle
 * around every request, a serial shell queue, an independent control channel, stdout/stderr
 * capture into `stream` messages, stdin prompts and the heartbeat echo. Its parts: the sockets
 * (below), the iopub publisher (iopubPublisher.ts), the shell queue and the stdin prompts.
 */
import type * as zmqTypes from "zeromq";
import { endpoint, type ConnectionInfo } from "../jupyter/connection.js";
import {
  createHeader,
  decodeMessage,
  encodeMessage,
  WireError,
  type Message,
  type Signer,
} from "../jupyter/wire.js";
import {
  createIopubPublisher,
  type IopubPublisher,
  type MessageFactory,
  type SerialSend,
} from "./iopubPublisher.js";

/** Which socket a request came in on. */
export type Channel = "shell" | "control";

/** What a request handler can do. */
export interface RequestContext {
  readonly request: Message;
  readonly channel: Channel;
  /** Sends the reply on the request's socket (to the requesting client). */
  reply(msgType: string, content: object): Promise<void>;
  /** Publishes on iopub with this request as parent. */
  publish(msgType: string, content: object): void;
}

/** Handles requests; `handle` resolves when the request is done (idle follows). */
export interface RequestHandler {
  handle(ctx: RequestContext): Promise<void>;
  /** Called for queued execute_requests dropped after an error (stop_on_error). */
  abort(ctx: RequestContext): Promise<void>;
}

/** The running transport, as the kernel's request logic uses it. */
export interface KernelServer extends Pick<IopubPublisher, "publish" | "writeStream"> {
  readonly session: string;
  /** Sends input_request to the client that sent `parent` and waits for its input_reply. */
  requestInput(parent: Message, prompt: string, password: boolean): Promise<string>;
  /** Cancels a pending input request (interrupt). */
  cancelInput(reason: unknown): void;
  /** Drops the execute_requests queued on shell now; each gets an "aborted" reply next. */
  abortQueued(): void;
  /** Flushes pending output and closes every socket. */
  close(): Promise<void>;
}

export interface KernelServerOptions {
  connection: ConnectionInfo;
  signer: Signer;
  handler: RequestHandler;
  /** Kernel diagnostics (bad signatures, socket errors): the real stderr. */
  log(message: string): void;
}

/** A send function that never overlaps sends on one socket (zeromq rejects that with EBUSY). */
function serialSender(
  socket: { send(frames: Buffer[]): Promise<void> },
  log: (m: string) => void,
): SerialSend {
  let chain: Promise<void> = Promise.resolve();
  const sendFrames = (frames: Buffer[]): Promise<void> => {
    chain = chain
      .then(() => socket.send(frames))
      .catch((err: unknown) => log(`send failed: ${(err as Error).message}`));
    return chain;
  };
  return Object.assign(sendFrames, { drained: () => chain });
}

/** Binds all five sockets and starts serving; publishes `status: starting`. */
export async function startKernelServer(options: KernelServerOptions): Promise<KernelServer> {
  const { signer, log } = options;
  const session = crypto.randomUUID();
  const sockets = await bindSockets(options.connection);
  const send = {
    shell: serialSender(sockets.shell, log),
    control: serialSender(sockets.control, log),
    stdin: serialSender(sockets.stdin, log),
    iopub: serialSender(sockets.iopub, log),
  };
  const message: MessageFactory = (msgType, content, parent, identities = []) => ({
    identities,
    header: createHeader(msgType, session, parent?.header.username ?? "splatbook"),
    parent_header: parent?.header ?? {},
    metadata: {},
    content,
    buffers: [],
  });
  const iopub = createIopubPublisher({ session, signer, message, send: send.iopub });
  const serve = createServe({ ...options, send, message, iopub });
  const shellQueue = createShellQueue(serve);
  const prompts = createInputPrompts({ signer, message, send: send.stdin, iopub });
  const decode = (frames: Buffer[], where: string): Message | undefined => {
    try {
      return decodeMessage(frames, signer);
    } catch (err) {
      const why = err instanceof WireError ? err.message : (err as Error).message;
      log(`dropped ${where} message: ${why}`);
      return undefined;
    }
  };
  const loops = startSocketLoops(sockets, log, {
    shell: (frames) => shellQueue.push(decode(frames, "shell")),
    // Control requests (interrupt, shutdown) must not wait behind a running cell.
    control: (frames) => {
      const m = decode(frames, "control");
      if (m) void serve(m, "control");
    },
    stdin: (frames) => prompts.answer(decode(frames, "stdin")),
  });
  iopub.publish("status", { execution_state: "starting" }, undefined);

  return {
    session,
    publish: iopub.publish,
    writeStream: iopub.writeStream,
    requestInput: prompts.request,
    cancelInput: prompts.cancel,
    abortQueued: shellQueue.abortQueued,
    async close() {
      iopub.flush();
      loops.stop();
      // Give queued sends a moment to leave before the sockets go.
      await Promise.all([
        send.iopub.drained(),
        send.shell.drained(),
        send.control.drained(),
        new Promise((r) => setTimeout(r, 50)),
      ]);
      for (const s of Object.values(sockets)) s.close();
    },
  };
}

type Sockets = Awaited<ReturnType<typeof bindSockets>>;

async function bindSockets(conn: ConnectionInfo) {
  const zmq = await import("zeromq");
  const sockets = {
    shell: new zmq.Router(),
    control: new zmq.Router(),
    stdin: new zmq.Router(),
    iopub: new zmq.Publisher(),
    heartbeat: new zmq.Reply(),
  };
  for (const s of Object.values(sockets)) s.linger = 0;
  await Promise.all([
    sockets.shell.bind(endpoint(conn, conn.shell_port)),
    sockets.control.bind(endpoint(conn, conn.control_port)),
    sockets.stdin.bind(endpoint(conn, conn.stdin_port)),
    sockets.iopub.bind(endpoint(conn, conn.iopub_port)),
    sockets.heartbeat.bind(endpoint(conn, conn.hb_port)),
  ]);
  return sockets;
}

/** Reads the three request sockets into their handlers and echoes heartbeats. */
function startSocketLoops(
  sockets: Sockets,
  log: (m: string) => void,
  on: Record<"shell" | "control" | "stdin", (frames: Buffer[]) => void>,
): { stop(): void } {
  let stopped = false;
  const loop = async (socket: zmqTypes.Router, onFrames: (frames: Buffer[]) => void) => {
    try {
      for await (const frames of socket) onFrames(frames);
    } catch (err) {
      if (!stopped) log(`socket loop ended: ${(err as Error).message}`);
    }
  };
  void loop(sockets.shell, on.shell);
  void loop(sockets.control, on.control);
  void loop(sockets.stdin, on.stdin);
  void (async () => {
    try {
      for await (const frames of sockets.heartbeat) await sockets.heartbeat.send(frames);
    } catch (err) {
      if (!stopped) log(`heartbeat ended: ${(err as Error).message}`);
    }
  })();
  return {
    stop() {
      stopped = true;
    },
  };
}

type Serve = (request: Message, channel: Channel, abort?: boolean) => Promise<void>;

/** Serves one request: busy, the handler (or its abort), a reply even if it threw, idle. */
function createServe(options: {
  signer: Signer;
  handler: RequestHandler;
  log(message: string): void;
  send: Record<Channel, SerialSend>;
  message: MessageFactory;
  iopub: IopubPublisher;
}): Serve {
  const { signer, handler, log, send, message, iopub } = options;
  const contextFor = (request: Message, channel: Channel) => {
    const ctx = {
      request,
      channel,
      replied: false,
      reply: (msgType: string, content: object) => {
        ctx.replied = true;
        const reply = message(msgType, content, request, request.identities);
        return send[channel](encodeMessage(reply, signer));
      },
      publish: (msgType: string, content: object) => iopub.publish(msgType, content, request),
    };
    return ctx;
  };
  return async (request, channel, abort = false) => {
    const ctx = contextFor(request, channel);
    iopub.publish("status", { execution_state: "busy" }, request);
    try {
      if (abort) await handler.abort(ctx);
      else await handler.handle(ctx);
    } catch (err) {
      log(`${request.header.msg_type} failed: ${(err as Error).stack ?? String(err)}`);
      // A request must always get its reply, even when the kernel itself failed.
      const type = request.header.msg_type;
      if (!ctx.replied && type.endsWith("_request")) {
        await ctx.reply(type.replace(/_request$/, "_reply"), {
          status: "error",
          ename: (err as Error).name ?? "Error",
          evalue: (err as Error).message ?? String(err),
          traceback: [`kernel error: ${(err as Error).stack ?? String(err)}`],
        });
      }
    } finally {
      iopub.publish("status", { execution_state: "idle" }, request);
    }
  };
}

/**
 * Shell requests run one at a time, in order; the receive loop keeps reading meanwhile so that
 * stop_on_error can abort what is queued.
 */
function createShellQueue(serve: Serve) {
  const queue: Message[] = [];
  const aborting: Message[] = [];
  let busy = false;
  const pump = async () => {
    if (busy) return;
    busy = true;
    while (aborting.length > 0 || queue.length > 0) {
      if (aborting.length > 0) await serve(aborting.shift()!, "shell", true);
      else await serve(queue.shift()!, "shell");
    }
    busy = false;
  };
  return {
    push(m: Message | undefined) {
      if (!m) return;
      queue.push(m);
      void pump();
    },
    /**
     * Only requests already queued when the error happened are dropped; they get their
     * "aborted" replies after the failing request's own reply and idle.
     */
    abortQueued() {
      const isExecute = (m: Message) => m.header.msg_type === "execute_request";
      aborting.push(...queue.filter(isExecute));
      queue.splice(0, queue.length, ...queue.filter((m) => !isExecute(m)));
    },
  };
}

/** input_request prompts on stdin and their input_reply answers. */
function createInputPrompts(options: {
  signer: Signer;
  message: MessageFactory;
  send: SerialSend;
  iopub: IopubPublisher;
}) {
  const waiters: { parentId: string; resolve(v: string): void; reject(e: unknown): void }[] = [];
  return {
    request(parent: Message, prompt: string, password: boolean): Promise<string> {
      return new Promise<string>((resolve, reject) => {
        const msg = options.message(
          "input_request",
          { prompt, password },
          parent,
          parent.identities,
        );
        waiters.push({ parentId: msg.header.msg_id, resolve, reject });
        // Output printed before the prompt must show before it.
        options.iopub.flush();
        void options.send(encodeMessage(msg, options.signer));
      });
    },
    answer(m: Message | undefined) {
      if (!m || m.header.msg_type !== "input_reply") return;
      const at = waiters.findIndex((w) => w.parentId === m.parent_header.msg_id);
      const waiter = waiters.splice(at >= 0 ? at : 0, 1)[0];
      waiter?.resolve(String(m.content.value ?? ""));
    },
    cancel(reason: unknown) {
      for (const w of waiters.splice(0)) w.reject(reason);
    },
  };
}
