/**
 * execute_request: execution_count and history rules (silent requests neither count nor show
 * output; store_history false shows output without counting), `name?` pages quick info instead
 * of running, the cell's value as execute_result, and stop_on_error dropping queued requests.
 */
import type { CellOutcome } from "./executor.js";
import type { KernelState } from "./kernelState.js";
import { toMimeBundle } from "./mimeBundle.js";
import type { RequestContext } from "./server.js";

interface ExecuteContent {
  code?: string;
  silent?: boolean;
  store_history?: boolean;
  allow_stdin?: boolean;
  stop_on_error?: boolean;
}

/** Serves one execute_request; the reply is sent before it resolves. */
export async function executeRequest(ctx: RequestContext, state: KernelState): Promise<void> {
  const req = ctx.request.content as ExecuteContent;
  const code = typeof req.code === "string" ? req.code : "";
  const silent = req.silent === true;
  const store = !silent && req.store_history !== false;
  if (store) state.executionCount++;
  const count = state.executionCount;
  if (!silent) ctx.publish("execute_input", { code, execution_count: count });
  state.output = { parent: ctx.request, silent };
  state.controller = new AbortController();
  state.running = { request: ctx.request, allowStdin: req.allow_stdin !== false };
  const label = store ? `Cell In[${count}]` : "Cell In[ ]";
  const remember = (output: string | null) => {
    if (store) state.history.add({ line: count, input: code, output });
  };
  try {
    const page = pageRequest(state, code);
    if (page !== undefined) {
      remember(null);
      await ctx.reply("execute_reply", {
        status: "ok",
        execution_count: count,
        payload: [{ source: "page", data: { "text/plain": page }, start: 0 }],
        user_expressions: {},
      });
      return;
    }
    const outcome = await state.executor().execute(code, label, state.controller.signal);
    remember(outcome.status === "ok" ? publishValue(ctx, outcome, count, silent) : null);
    if (outcome.status === "ok") {
      const reply = { status: "ok", execution_count: count, payload: [], user_expressions: {} };
      await ctx.reply("execute_reply", reply);
      return;
    }
    if (!silent) ctx.publish("error", outcome.error);
    // Before the reply: what the client sends after seeing it must not be dropped.
    if (req.stop_on_error !== false) state.server?.abortQueued();
    await ctx.reply("execute_reply", { status: "error", execution_count: count, ...outcome.error });
  } finally {
    state.running = undefined;
  }
}

/** `name?` alone asks for quick info on `name` (IPython's pager convention). */
function pageRequest(state: KernelState, code: string): string | undefined {
  const page = /^\s*([A-Za-z_$][\w$.]*)\s*\?\s*$/.exec(code);
  return page ? state.executor().inspect(page[1]!, page[1]!.length) : undefined;
}

/** Publishes the cell's value as execute_result; returns its text/plain for the history. */
function publishValue(
  ctx: RequestContext,
  outcome: Extract<CellOutcome, { status: "ok" }>,
  count: number,
  silent: boolean,
): string | null {
  if (!outcome.hasValue) return null;
  const bundle = toMimeBundle(outcome.value);
  if (!silent) ctx.publish("execute_result", { execution_count: count, ...bundle });
  return String(bundle.data["text/plain"]);
}
