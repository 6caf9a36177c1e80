#!/usr/bin/env node
/**
 * The splatbook kernel process: `node lib/kernel/main.js <connection_file>` (the kernelspec's
 * argv). Binds the sockets first and answers kernel_info at once; the TypeScript compiler loads
 * right after, so start-up feels instant to the frontend.
 */
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { isExpectedError } from "../util/errors.js";
import { readConnectionFile } from "../jupyter/connection.js";
import { createCellExecutor } from "./executor.js";
import { createKernel } from "./kernel.js";
import { installKernelHooks } from "../jupyter/runtime.js";
import { startKernelServer, type KernelServer } from "./server.js";
import { createSigner } from "../jupyter/wire.js";

/** The package folder (lib/kernel/../..). */
export function packageRoot(): string {
  return resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");
}

type Write = typeof process.stdout.write;

/** Routes process.stdout/stderr writes into `stream` messages for the current cell. */
function captureStreams(
  server: KernelServer,
  target: () => { parent: any; silent: boolean } | undefined,
) {
  for (const name of ["stdout", "stderr"] as const) {
    const stream = process[name];
    const original = stream.write.bind(stream) as Write;
    stream.write = ((chunk: unknown, encoding?: unknown, callback?: unknown) => {
      const t = target();
      if (!t) return original(chunk as string, encoding as BufferEncoding, callback as () => void);
      const text =
        typeof chunk === "string" ? chunk : Buffer.from(chunk as Uint8Array).toString("utf8");
      if (!t.silent) server.writeStream(name, text, t.parent);
      const cb = typeof encoding === "function" ? encoding : callback;
      if (typeof cb === "function") process.nextTick(cb as () => void);
      return true;
    }) as Write;
  }
}

/**
 * Exits with the process that started us (jupyter_client sets JPY_PARENT_PID), as ipykernel does,
 * so a crashed frontend leaves no orphaned kernel.
 */
function watchParent(pid: number, onGone: () => void): void {
  if (!Number.isInteger(pid) || pid <= 1) return;
  const timer = setInterval(() => {
    try {
      process.kill(pid, 0);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "ESRCH") onGone();
    }
  }, 2_000);
  timer.unref();
}

/** Runs the kernel until shutdown_request. */
export async function runKernel(connectionFile: string): Promise<void> {
  const realStderr = process.stderr.write.bind(process.stderr);
  const log = (message: string) => {
    realStderr(`[splatbook kernel] ${message}\n`);
  };
  const connection = readConnectionFile(connectionFile);
  const root = packageRoot();
  const cwd = process.cwd();
  const kernel = createKernel({
    packageRoot: root,
    cwd,
    log,
    createExecutor: (onTslabDisplay) =>
      createCellExecutor({ packageRoot: root, cwd, onTslabDisplay }),
    onShutdown: () => {
      kernel.close();
      void server.close().finally(() => process.exit(0));
    },
  });
  installKernelHooks(kernel.hooks);
  const server = await startKernelServer({
    connection,
    signer: createSigner(connection.key, connection.signature_scheme),
    handler: kernel.handler,
    log,
  });
  kernel.attach(server);
  captureStreams(server, kernel.outputTarget);
  // Signal-mode interrupts; during synchronous cell code vm's breakOnSigint takes over.
  process.on("SIGINT", () => kernel.interrupt("SIGINT"));
  watchParent(Number(process.env.JPY_PARENT_PID), () => {
    log("parent process is gone; exiting");
    process.exit(0);
  });
  // Stray async errors from cell code must not take the kernel down: show them in the cell.
  process.on("uncaughtException", (err) => console.error("Uncaught exception:", err));
  process.on("unhandledRejection", (reason) => console.error("Unhandled rejection:", reason));
}

const invokedDirectly =
  process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (invokedDirectly) {
  const file = process.argv[2];
  if (!file) {
    process.stderr.write("usage: node lib/kernel/main.js <connection_file>\n");
    process.exit(2);
  }
  runKernel(file).catch((err: unknown) => {
    process.stderr.write(
      `splatbook kernel: ${isExpectedError(err) ? err.message : ((err as Error).stack ?? String(err))}\n`,
    );
    process.exit(1);
  });
}
