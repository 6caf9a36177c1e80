import { InterruptedError } from "../util/errors.js";

/**
 * SIGINT/SIGTERM abort `controller` with an InterruptedError (exit 130/143), so the job stops at
 * a safe point and records a consistent checkpoint. A second signal exits at once with the same
 * code (the checkpoint then still shows the stage as not complete). Returns the uninstaller.
 */
export function installInterruptHandlers(
  controller: AbortController,
  log: (message: string) => void = (m) => process.stderr.write(m + "\n"),
): () => void {
  const handlers = new Map<NodeJS.Signals, () => void>();
  for (const sig of ["SIGINT", "SIGTERM"] as const) {
    const handler = () => {
      const code = sig === "SIGTERM" ? 143 : 130;
      if (controller.signal.aborted) process.exit(code);
      log(`${sig}: stopping at the next safe point (send again to stop now)`);
      controller.abort(new InterruptedError(sig));
    };
    handlers.set(sig, handler);
    process.on(sig, handler);
  }
  return () => {
    for (const [sig, handler] of handlers) process.off(sig, handler);
  };
}
