/**
 * The cell-facing side of a Jupyter kernel: what code running in a notebook cell (and the
 * splatbook Job API) can ask of the kernel it runs in. The kernel fills it in at start
 * ({@link installKernelHooks}, from src/kernel/main.ts); the notebook API only calls it, so
 * neither depends on the other. Kept free of heavy imports because the public `splatbook` module
 * re-exports it. Outside a kernel every function degrades gracefully: the abort signal never
 * fires, displays are dropped, input is refused.
 */
import { InterruptedError } from "../util/errors.js";

/** A MIME bundle: mime type → data (strings, or JSON values for `+json` types). */
export type MimeBundle = Record<string, unknown>;

/**
 * Values with a method under this symbol control how they are shown as a cell's last
 * expression: it returns a MIME bundle (`text/plain` is added when missing).
 */
export const MIME_BUNDLE: unique symbol = Symbol.for("splatbook.mimeBundle") as any;

/** A live output area entry: display_data first, then update_display_data on its display_id. */
export interface DisplayHandle {
  readonly displayId: string;
  /** Replaces the displayed bundle in place (update_display_data). */
  update(data: MimeBundle, metadata?: Record<string, unknown>): void;
}

/** What the running kernel installs (src/kernel/kernel.ts implements them). */
export interface KernelHooks {
  /** The running (or last) cell's abort signal. */
  cellSignal(): AbortSignal;
  display(
    data: MimeBundle,
    metadata: Record<string, unknown>,
    displayId: string | undefined,
    update: boolean,
  ): void;
  clearOutput(wait: boolean): void;
  input(prompt: string, password: boolean): Promise<string>;
}

// Shared through a global symbol so that two copies of this module (e.g. the kernel's and a
// locally installed splatbook) still talk to the same kernel.
const HOOKS = Symbol.for("splatbook.kernel.hooks");
const NEVER = new AbortController().signal;

function hooks(): KernelHooks | undefined {
  return (globalThis as Record<symbol, KernelHooks | undefined>)[HOOKS];
}

/** Installs the kernel's hooks (called once by the kernel process). */
export function installKernelHooks(value: KernelHooks | undefined): void {
  (globalThis as Record<symbol, KernelHooks | undefined>)[HOOKS] = value;
}

/** True when running inside the splatbook kernel. */
export function isInsideKernel(): boolean {
  return hooks() !== undefined;
}

/**
 * The abort signal of the cell that is running now. It aborts, with an
 * {@link InterruptedError} as its reason, when the user interrupts the kernel (SIGINT or
 * interrupt_request). Long-running work started by a cell should capture it at start and stop at
 * a safe point when it fires; the cell itself is rejected at once either way. Outside a kernel
 * the returned signal never aborts.
 */
export function getCellAbortSignal(): AbortSignal {
  return hooks()?.cellSignal() ?? NEVER;
}

/** Throws the interruption if the running cell has been interrupted. */
export function throwIfCellInterrupted(): void {
  const signal = getCellAbortSignal();
  if (signal.aborted) throw signal.reason ?? new InterruptedError("interrupt");
}

let displayCounter = 0;

/**
 * Shows a MIME bundle in the running cell's output (display_data with a transient display_id)
 * and returns a handle whose `update` replaces it in place. A no-op outside a kernel.
 */
export function display(data: MimeBundle, metadata: Record<string, unknown> = {}): DisplayHandle {
  const displayId = `splatbook-${process.pid}-${Date.now().toString(36)}-${++displayCounter}`;
  hooks()?.display(data, metadata, displayId, false);
  return {
    displayId,
    update(next, nextMetadata = {}) {
      hooks()?.display(next, nextMetadata, displayId, true);
    },
  };
}

/** Clears the cell's output (clear_output); with `wait`, only when new output arrives. */
export function clearOutput(wait = false): void {
  hooks()?.clearOutput(wait);
}

/**
 * Asks the notebook user for a line of text (input_request on the stdin channel). Rejects when
 * the frontend does not allow stdin or outside a kernel.
 */
export function requestInput(prompt = "", options: { password?: boolean } = {}): Promise<string> {
  const h = hooks();
  if (!h) return Promise.reject(new Error("requestInput() needs the splatbook kernel"));
  return h.input(prompt, options.password ?? false);
}
