/**
 * Request handlers: what the kernel answers to each Jupyter request, the execution_count rules,
 * interrupts and the hooks cell code reaches through runtime.ts.
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { InterruptedError } from "../util/errors.js";
import type { CellExecutor } from "./executor.js";
import { History, type HistoryQuery } from "./history.js";
import { toMimeBundle } from "./mimeBundle.js";
import type { KernelHooks } from "../jupyter/runtime.js";
import type { KernelServer, RequestContext, RequestHandler } from "./server.js";
import { PROTOCOL_VERSION, type Message } from "../jupyter/wire.js";

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

interface ExecuteRequest {
  code?: string;
  silent?: boolean;
  store_history?: boolean;
  allow_stdin?: boolean;
  stop_on_error?: boolean;
}

function readVersion(file: string): string {
  try {
    return String((JSON.parse(readFileSync(file, "utf8")) as { version?: unknown }).version ?? "");
  } catch {
    return "";
  }
}

/** Creates the kernel; the compiler loads lazily (after the first kernel_info_reply). */
export function createKernel(options: KernelOptions): Kernel {
  let server: KernelServer | undefined;
  let executor: CellExecutor | undefined;
  let executionCount = 0;
  let controller = new AbortController();
  let running: { request: Message; allowStdin: boolean } | undefined;
  let output: { parent: Message; silent: boolean } | undefined;
  const history = new History(1);
  const version = readVersion(join(options.packageRoot, "package.json"));
  const tsPackage = createRequire(
    createRequire(join(options.packageRoot, "package.json")).resolve("tslab"),
  ).resolve("@tslab/typescript-for-tslab/package.json");
  const tsVersion = readVersion(tsPackage);
  let warmScheduled = false;

  const publishOutput = (msgType: string, content: object) => {
    if (output && !output.silent) server?.publish(msgType, content, output.parent);
  };
  const getExecutor = (): CellExecutor =>
    (executor ??= options.createExecutor((content, update) =>
      publishOutput(update ? "update_display_data" : "display_data", content),
    ));

  const hooks: KernelHooks = {
    cellSignal: () => controller.signal,
    display(data, metadata, displayId, update) {
      publishOutput(update ? "update_display_data" : "display_data", {
        data,
        metadata,
        transient: displayId ? { display_id: displayId } : {},
      });
    },
    clearOutput(wait) {
      publishOutput("clear_output", { wait });
    },
    input(prompt, password) {
      if (!server || !running)
        return Promise.reject(new Error("input is only available while a cell runs"));
      if (!running.allowStdin)
        return Promise.reject(new Error("this frontend does not allow stdin input"));
      return server.requestInput(running.request, prompt, password);
    },
  };

  function kernelInfo() {
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

  async function execute(ctx: RequestContext) {
    const req = ctx.request.content as ExecuteRequest;
    const code = typeof req.code === "string" ? req.code : "";
    const silent = req.silent === true;
    const store = !silent && req.store_history !== false;
    if (store) executionCount++;
    const count = executionCount;
    if (!silent) ctx.publish("execute_input", { code, execution_count: count });
    output = { parent: ctx.request, silent };
    controller = new AbortController();
    running = { request: ctx.request, allowStdin: req.allow_stdin !== false };
    const label = store ? `Cell In[${count}]` : "Cell In[ ]";
    try {
      const page = /^\s*([A-Za-z_$][\w$.]*)\s*\?\s*$/.exec(code);
      const pageText = page ? getExecutor().inspect(page[1]!, page[1]!.length) : undefined;
      if (pageText !== undefined) {
        if (store) history.add({ line: count, input: code, output: null });
        await ctx.reply("execute_reply", {
          status: "ok",
          execution_count: count,
          payload: [{ source: "page", data: { "text/plain": pageText }, start: 0 }],
          user_expressions: {},
        });
        return;
      }
      const outcome = await getExecutor().execute(code, label, controller.signal);
      if (outcome.status === "ok") {
        let text: string | null = null;
        if (outcome.hasValue) {
          const bundle = toMimeBundle(outcome.value);
          text = String(bundle.data["text/plain"]);
          if (!silent) ctx.publish("execute_result", { execution_count: count, ...bundle });
        }
        if (store) history.add({ line: count, input: code, output: text });
        await ctx.reply("execute_reply", {
          status: "ok",
          execution_count: count,
          payload: [],
          user_expressions: {},
        });
        return;
      }
      if (!silent) ctx.publish("error", outcome.error);
      if (store) history.add({ line: count, input: code, output: null });
      // Before the reply: what the client sends after seeing it must not be dropped.
      if (req.stop_on_error !== false) server?.abortQueued();
      await ctx.reply("execute_reply", {
        status: "error",
        execution_count: count,
        ...outcome.error,
      });
    } finally {
      running = undefined;
    }
  }

  async function handle(ctx: RequestContext) {
    const { content } = ctx.request;
    switch (ctx.request.header.msg_type) {
      case "kernel_info_request":
        await ctx.reply("kernel_info_reply", kernelInfo());
        if (!warmScheduled) {
          warmScheduled = true;
          // Build the compiler program now that the client knows we are alive.
          setTimeout(() => getExecutor().warmUp(), 0);
        }
        return;
      case "execute_request":
        return execute(ctx);
      case "complete_request": {
        const code = String(content.code ?? "");
        const cursor = Number(content.cursor_pos ?? code.length);
        const r = getExecutor().complete(code, cursor);
        await ctx.reply("complete_reply", { status: "ok", ...r, metadata: {} });
        return;
      }
      case "inspect_request": {
        const code = String(content.code ?? "");
        const text = getExecutor().inspect(code, Number(content.cursor_pos ?? code.length));
        await ctx.reply("inspect_reply", {
          status: "ok",
          found: text !== undefined,
          data: text !== undefined ? { "text/plain": text } : {},
          metadata: {},
        });
        return;
      }
      case "is_complete_request":
        await ctx.reply("is_complete_reply", getExecutor().isComplete(String(content.code ?? "")));
        return;
      case "history_request":
        await ctx.reply("history_reply", {
          status: "ok",
          history: history.query(content as HistoryQuery),
        });
        return;
      case "comm_info_request":
        await ctx.reply("comm_info_reply", { status: "ok", comms: {} });
        return;
      case "comm_open":
        // No comm targets are registered: tell the frontend the comm is closed.
        ctx.publish("comm_close", { comm_id: content.comm_id, data: {} });
        return;
      case "comm_msg":
      case "comm_close":
        return;
      case "interrupt_request":
        kernel.interrupt("interrupt");
        await ctx.reply("interrupt_reply", { status: "ok" });
        return;
      case "shutdown_request": {
        const restart = content.restart === true;
        await ctx.reply("shutdown_reply", { status: "ok", restart });
        setTimeout(() => options.onShutdown(restart), 0);
        return;
      }
      default:
        options.log(`unhandled ${ctx.channel} message type: ${ctx.request.header.msg_type}`);
    }
  }

  const kernel: Kernel = {
    handler: {
      handle,
      async abort(ctx) {
        await ctx.reply("execute_reply", { status: "aborted", execution_count: executionCount });
      },
    },
    hooks,
    attach(s) {
      server = s;
    },
    interrupt(source) {
      if (!running) return;
      const reason = new InterruptedError(source);
      controller.abort(reason);
      server?.cancelInput(reason);
    },
    outputTarget: () => output,
    close() {
      executor?.close();
    },
  };
  return kernel;
}
