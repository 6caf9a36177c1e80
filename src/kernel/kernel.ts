/**
 * Request handlers: what the kernel answers to each Jupyter request, the execution_count rules,
 * interrupts and the hooks cell code reaches through src/jupyter/runtime.ts. The handlers share
 * one KernelState (kernelState.ts); execute_request has its own module (executeRequest.ts).
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { InterruptedError } from "../util/errors.js";
import type { KernelHooks } from "../jupyter/runtime.js";
import { PROTOCOL_VERSION, type Message } from "../jupyter/wire.js";
import type { CellExecutor } from "./executor.js";
import { executeRequest } from "./executeRequest.js";
import { History, type HistoryQuery } from "./history.js";
import type { KernelState } from "./kernelState.js";
import type { KernelServer, RequestContext, RequestHandler } from "./server.js";

export interface KernelOptions {
  packageRoot: string;
  cwd: string;
  /** Creates the cell executor (loads the compiler); called on first need. */
  createExecutor(
    onTslabDisplay: (content: Record<string, unknown>, update: boolean) => void,
  ): CellExecutor;
  /** Called after the shutdown_reply and the final idle have been queued. */
  onShutdown(restart: boolean): void;
  log(message: string): void;
}

/** The kernel's request logic, attached to a server once it is bound. */
export interface Kernel {
  readonly handler: RequestHandler;
  readonly hooks: KernelHooks;
  attach(server: KernelServer): void;
  /** Interrupts the running cell (SIGINT handler and interrupt_request). */
  interrupt(source: "SIGINT" | "interrupt"): void;
  /** Where cell stdout/stderr goes now: the last execute_request, unless it was silent. */
  outputTarget(): { parent: Message; silent: boolean } | undefined;
  close(): void;
}

/** Creates the kernel; the compiler loads lazily (after the first kernel_info_reply). */
export function createKernel(options: KernelOptions): Kernel {
  let executor: CellExecutor | undefined;
  const state: KernelState = {
    executionCount: 0,
    controller: new AbortController(),
    history: new History(1),
    executor: () =>
      (executor ??= options.createExecutor((content, update) =>
        state.publishOutput(update ? "update_display_data" : "display_data", content),
      )),
    publishOutput(msgType, content) {
      const out = state.output;
      if (out && !out.silent) state.server?.publish(msgType, content, out.parent);
    },
  };
  const handlers = requestHandlers(state, options, () => kernel.interrupt("interrupt"));
  const kernel: Kernel = {
    handler: {
      async handle(ctx) {
        const type = ctx.request.header.msg_type;
        if (Object.hasOwn(handlers, type)) return handlers[type]!(ctx);
        options.log(`unhandled ${ctx.channel} message type: ${type}`);
      },
      async abort(ctx) {
        const count = state.executionCount;
        await ctx.reply("execute_reply", { status: "aborted", execution_count: count });
      },
    },
    hooks: kernelHooks(state),
    attach(server) {
      state.server = server;
    },
    interrupt(source) {
      if (!state.running) return;
      const reason = new InterruptedError(source);
      state.controller.abort(reason);
      state.server?.cancelInput(reason);
    },
    outputTarget: () => state.output,
    close() {
      executor?.close();
    },
  };
  return kernel;
}

/** What cell code reaches through src/jupyter/runtime.ts. */
function kernelHooks(state: KernelState): KernelHooks {
  return {
    cellSignal: () => state.controller.signal,
    display(data, metadata, displayId, update) {
      state.publishOutput(update ? "update_display_data" : "display_data", {
        data,
        metadata,
        transient: displayId ? { display_id: displayId } : {},
      });
    },
    clearOutput(wait) {
      state.publishOutput("clear_output", { wait });
    },
    input(prompt, password) {
      const { server, running } = state;
      if (!server || !running)
        return Promise.reject(new Error("input is only available while a cell runs"));
      if (!running.allowStdin)
        return Promise.reject(new Error("this frontend does not allow stdin input"));
      return server.requestInput(running.request, prompt, password);
    },
  };
}

type Handlers = Record<string, (ctx: RequestContext) => Promise<void>>;

function requestHandlers(
  state: KernelState,
  options: KernelOptions,
  interrupt: () => void,
): Handlers {
  const info = kernelInfo(options.packageRoot);
  let warmScheduled = false;
  const code = (ctx: RequestContext) => String(ctx.request.content.code ?? "");
  return {
    async kernel_info_request(ctx) {
      await ctx.reply("kernel_info_reply", info);
      if (warmScheduled) return;
      warmScheduled = true;
      // Build the compiler program now that the client knows we are alive.
      setTimeout(() => state.executor().warmUp(), 0);
    },
    execute_request: (ctx) => executeRequest(ctx, state),
    async complete_request(ctx) {
      const cursor = Number(ctx.request.content.cursor_pos ?? code(ctx).length);
      const r = state.executor().complete(code(ctx), cursor);
      await ctx.reply("complete_reply", { status: "ok", ...r, metadata: {} });
    },
    async inspect_request(ctx) {
      const cursor = Number(ctx.request.content.cursor_pos ?? code(ctx).length);
      const text = state.executor().inspect(code(ctx), cursor);
      const found = text !== undefined;
      const data = found ? { "text/plain": text } : {};
      await ctx.reply("inspect_reply", { status: "ok", found, data, metadata: {} });
    },
    async is_complete_request(ctx) {
      await ctx.reply("is_complete_reply", state.executor().isComplete(code(ctx)));
    },
    async history_request(ctx) {
      const history = state.history.query(ctx.request.content as HistoryQuery);
      await ctx.reply("history_reply", { status: "ok", history });
    },
    async comm_info_request(ctx) {
      await ctx.reply("comm_info_reply", { status: "ok", comms: {} });
    },
    async comm_open(ctx) {
      // No comm targets are registered: tell the frontend the comm is closed.
      ctx.publish("comm_close", { comm_id: ctx.request.content.comm_id, data: {} });
    },
    comm_msg: async () => {},
    comm_close: async () => {},
    async interrupt_request(ctx) {
      interrupt();
      await ctx.reply("interrupt_reply", { status: "ok" });
    },
    /**
     * splatbook's extension of the protocol (shell channel, so it waits for queued cells):
     * forgets every name cells defined and restarts the execution count, as a restart would,
     * without a new process; see CellExecutor.reset for what a process keeps. The differential
     * cell test (test/kernel/differential.test.ts) resets between the splits of a program.
     */
    async splatbook_reset_request(ctx) {
      state.executor().reset();
      state.executionCount = 0;
      await ctx.reply("splatbook_reset_reply", { status: "ok" });
    },
    async shutdown_request(ctx) {
      const restart = ctx.request.content.restart === true;
      await ctx.reply("shutdown_reply", { status: "ok", restart });
      setTimeout(() => options.onShutdown(restart), 0);
    },
  };
}

function readVersion(file: string): string {
  try {
    return String((JSON.parse(readFileSync(file, "utf8")) as { version?: unknown }).version ?? "");
  } catch {
    return "";
  }
}

/** kernel_info_reply content: this package's version and tslab's TypeScript version. */
function kernelInfo(packageRoot: string) {
  const version = readVersion(join(packageRoot, "package.json"));
  const tsPackage = createRequire(
    createRequire(join(packageRoot, "package.json")).resolve("tslab"),
  ).resolve("@tslab/typescript-for-tslab/package.json");
  const tsVersion = readVersion(tsPackage);
  return {
    status: "ok",
    protocol_version: PROTOCOL_VERSION,
    implementation: "splatbook",
    implementation_version: version,
    language_info: {
      name: "typescript",
      version: tsVersion,
      mimetype: "text/typescript",
      file_extension: ".ts",
      codemirror_mode: "typescript",
      pygments_lexer: "typescript",
    },
    banner: `splatbook ${version}: TypeScript ${tsVersion} on Node ${process.version}`,
    help_links: [{ text: "splatbook", url: "https://github.com/splatbook/splatbook" }],
    debugger: false,
  };
}
