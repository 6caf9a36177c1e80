/**
 * The Jupyter transport: ZeroMQ sockets from the connection file, signed messages, busy/idle
 * around every request, a serial shell queue, an independent control channel, stdout/stderr
 * capture into `stream` messages, stdin prompts and the heartbeat echo.
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

export interface KernelServer {
  readonly session: string;
  /** Publishes on iopub with an explicit parent (used for output after a cell ended). */
  publish(msgType: string, content: object, parent: Message | undefined): void;
  /** Queues text for a `stream` message under `parent` (coalesced for a few milliseconds). */
  writeStream(name: "stdout" | "stderr", text: string, parent: Message | undefined): void;
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
function serialSender(socket: { send(frames: Buffer[]): Promise<void> }, log: (m: string) => void) {
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
  const zmq = await import("zeromq");
  const { connection: conn, signer, handler, log } = options;
  const session = crypto.randomUUID();
  const shell = new zmq.Router();
  const control = new zmq.Router();
  const stdin = new zmq.Router();
  const iopub = new zmq.Publisher();
  const heartbeat = new zmq.Reply();
  const sockets = [shell, control, stdin, iopub, heartbeat];
  for (const s of sockets) s.linger = 0;
  await Promise.all([
    shell.bind(endpoint(conn, conn.shell_port)),
    control.bind(endpoint(conn, conn.control_port)),
    stdin.bind(endpoint(conn, conn.stdin_port)),
    iopub.bind(endpoint(conn, conn.iopub_port)),
    heartbeat.bind(endpoint(conn, conn.hb_port)),
  ]);
  const send = {
    shell: serialSender(shell, log),
    control: serialSender(control, log),
    stdin: serialSender(stdin, log),
    iopub: serialSender(iopub, log),
  };

  const message = (
    msgType: string,
    content: object,
    parent: Message | undefined,
    identities: Buffer[] = [],
  ): Message<unknown> => ({
    identities,
    header: createHeader(msgType, session, parent?.header.username ?? "splatbook"),
    parent_header: parent?.header ?? {},
    metadata: {},
    content,
    buffers: [],
  });

  // stdout/stderr text is coalesced briefly so progress output does not flood iopub.
  let pendingStream: { name: string; text: string; parent: Message | undefined } | undefined;
  let streamTimer: NodeJS.Timeout | undefined;
  const flushStream = () => {
    if (streamTimer) clearTimeout(streamTimer);
    streamTimer = undefined;
    const p = pendingStream;
    pendingStream = undefined;
    if (p) {
      const topic = Buffer.from(`kernel.${session}.stream`);
      void send.iopub(
        encodeMessage(message("stream", { name: p.name, text: p.text }, p.parent, [topic]), signer),
      );
    }
  };
  const publish = (msgType: string, content: object, parent: Message | undefined) => {
    flushStream();
    const topic = Buffer.from(`kernel.${session}.${msgType}`);
    void send.iopub(encodeMessage(message(msgType, content, parent, [topic]), signer));
  };
  const writeStream = (name: "stdout" | "stderr", text: string, parent: Message | undefined) => {
    if (pendingStream && (pendingStream.name !== name || pendingStream.parent !== parent))
      flushStream();
    if (pendingStream) pendingStream.text += text;
    else pendingStream = { name, text, parent };
    streamTimer ??= setTimeout(flushStream, 10);
  };

  const contextFor = (
    request: Message,
    channel: Channel,
  ): RequestContext & { replied: boolean } => {
    const ctx = {
      request,
      channel,
      replied: false,
      reply: (msgType: string, content: object) => {
        ctx.replied = true;
        return send[channel](
          encodeMessage(message(msgType, content, request, request.identities), signer),
        );
      },
      publish: (msgType: string, content: object) => publish(msgType, content, request),
    };
    return ctx;
  };

  const decode = (frames: Buffer[], where: string): Message | undefined => {
    try {
      return decodeMessage(frames, signer);
    } catch (err) {
      if (err instanceof WireError) log(`dropped ${where} message: ${err.message}`);
      else log(`dropped ${where} message: ${(err as Error).message}`);
      return undefined;
    }
  };

  const serve = async (request: Message, channel: Channel, abort = false) => {
    const ctx = contextFor(request, channel);
    publish("status", { execution_state: "busy" }, request);
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
      publish("status", { execution_state: "idle" }, request);
    }
  };

  // Shell requests run one at a time, in order; the receive loop keeps reading meanwhile so
  // that stop_on_error can abort what is queued.
  const shellQueue: Message[] = [];
  const aborting: Message[] = [];
  let shellBusy = false;
  const pumpShell = async () => {
    if (shellBusy) return;
    shellBusy = true;
    while (aborting.length > 0 || shellQueue.length > 0) {
      if (aborting.length > 0) await serve(aborting.shift()!, "shell", true);
      else await serve(shellQueue.shift()!, "shell");
    }
    shellBusy = false;
  };
  // Only requests already queued when the error happened are dropped; they get their
  // "aborted" replies after the failing request's own reply and idle.
  const abortQueued = () => {
    const kept = shellQueue.filter((m) => m.header.msg_type !== "execute_request");
    aborting.push(...shellQueue.filter((m) => m.header.msg_type === "execute_request"));
    shellQueue.splice(0, shellQueue.length, ...kept);
  };

  let closed = false;
  const loop = async (socket: zmqTypes.Router, onFrames: (frames: Buffer[]) => void) => {
    try {
      for await (const frames of socket) onFrames(frames);
    } catch (err) {
      if (!closed) log(`socket loop ended: ${(err as Error).message}`);
    }
  };
  void loop(shell, (frames) => {
    const m = decode(frames, "shell");
    if (!m) return;
    shellQueue.push(m);
    void pumpShell();
  });
  void loop(control, (frames) => {
    const m = decode(frames, "control");
    // Control requests (interrupt, shutdown) must not wait behind a running cell.
    if (m) void serve(m, "control");
  });
  const inputWaiters: { parentId: string; resolve(v: string): void; reject(e: unknown): void }[] =
    [];
  void loop(stdin, (frames) => {
    const m = decode(frames, "stdin");
    if (!m || m.header.msg_type !== "input_reply") return;
    const at = inputWaiters.findIndex((w) => w.parentId === m.parent_header.msg_id);
    const waiter = inputWaiters.splice(at >= 0 ? at : 0, 1)[0];
    waiter?.resolve(String(m.content.value ?? ""));
  });
  void (async () => {
    try {
      for await (const frames of heartbeat) await heartbeat.send(frames);
    } catch (err) {
      if (!closed) log(`heartbeat ended: ${(err as Error).message}`);
    }
  })();

  publish("status", { execution_state: "starting" }, undefined);

  return {
    session,
    publish,
    writeStream,
    requestInput(parent, prompt, password) {
      return new Promise<string>((resolve, reject) => {
        const request = message("input_request", { prompt, password }, parent, parent.identities);
        inputWaiters.push({ parentId: request.header.msg_id, resolve, reject });
        flushStream();
        void send.stdin(encodeMessage(request, signer));
      });
    },
    cancelInput(reason) {
      for (const w of inputWaiters.splice(0)) w.reject(reason);
    },
    abortQueued,
    async close() {
      flushStream();
      closed = true;
      // Give queued sends a moment to leave before the sockets go.
      await Promise.all([
        send.iopub.drained(),
        send.shell.drained(),
        send.control.drained(),
        new Promise((r) => setTimeout(r, 50)),
      ]);
      for (const s of sockets) s.close();
    },
  };
}
