/** The state the kernel's request handlers share (kernel.ts, executeRequest.ts). */
import type { Message } from "../jupyter/wire.js";
import type { CellExecutor } from "./executor.js";
import type { History } from "./history.js";
import type { KernelServer } from "./server.js";

/** What the request handlers share. */
export interface KernelState {
  server?: KernelServer;
  executionCount: number;
  /** Aborts the running (or last) cell; replaced for every execute_request. */
  controller: AbortController;
  /** The execute_request being served, while one is. */
  running?: { request: Message; allowStdin: boolean };
  /** Where display and stream output goes: the last execute_request. */
  output?: { parent: Message; silent: boolean };
  readonly history: History;
  /** The cell executor, created on first use (it loads the compiler). */
  executor(): CellExecutor;
  /** Publishes under the current output target, unless that request was silent. */
  publishOutput(msgType: string, content: object): void;
}
