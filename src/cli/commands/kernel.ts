/**
 * `splatbook kernel <connection_file>`: the Jupyter kernel. The kernelspec of the Python package
 * (splatbook-jupyter) starts it through its launcher, which finds this command on PATH (or
 * SPLATBOOK_COMMAND); a clone's developer-mode kernelspec runs lib/kernel/main.js directly.
 */
import type { Command } from "commander";
import { runKernel } from "../../kernel/main.js";

/** Adds the `kernel` command; its action returns only when the kernel process ends. */
export function register(program: Command): void {
  program
    .command("kernel")
    .description("run the splatbook Jupyter kernel (Jupyter starts it, through the kernelspec)")
    .argument("<connection_file>", "the connection file Jupyter passes")
    .action(async (file: string) => {
      await runKernel(file);
      // The kernel ends the process itself (shutdown_request, parent gone); its sockets keep
      // Node running until then, so the CLI must not go on to exit.
      await new Promise<never>(() => {});
    });
}
