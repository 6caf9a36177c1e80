import { setTimeout as sleep } from "node:timers/promises";
import { createConsoleLogger } from "../engine/logger.js";
import type { JobEventListener } from "../contracts/events.js";
import type { Logger } from "../contracts/logger.js";
import { createHealthTracker, type HealthTracker } from "../status/healthState.js";
import {
  healthConfigFromEnv,
  startHealthServer,
  type HealthServer,
} from "../status/healthServer.js";
import { createProgressDisplay } from "./progressDisplay.js";
import { installInterruptHandlers } from "./signals.js";

/** What a long-running CLI command needs around the engine: log, progress, health, signals. */
export interface CliJobSession {
  readonly log: Logger;
  readonly signal: AbortSignal;
  readonly health: HealthTracker;
  /** Feeds the progress display and `/health`. */
  readonly onEvent: JobEventListener;
  /** Stops the display, keeps `/health` up for HEALTH_CHECK_LINGER_SECS, closes it. */
  close(): Promise<void>;
}

/**
 * Sets up a CLI session: console (or JSON) logger, progress bar or lines, SIGINT/SIGTERM → abort,
 * and the `/health` server when HEALTH_CHECK_ENABLED is true.
 */
export async function openCliJobSession(opts: {
  jsonLog?: boolean;
  initialHealth?: "idle" | "watching";
}): Promise<CliJobSession> {
  const display = createProgressDisplay({ json: opts.jsonLog });
  const log = createConsoleLogger({
    json: opts.jsonLog,
    sink: (line, level) =>
      display.printAbove(line, level === "warn" && !opts.jsonLog ? process.stderr : process.stdout),
  });
  const controller = new AbortController();
  const uninstall = installInterruptHandlers(controller, (m) => log.warn(m));
  const health = createHealthTracker(opts.initialHealth ?? "idle");
  let server: HealthServer | undefined;
  const config = healthConfigFromEnv();
  if (config.enabled) {
    server = await startHealthServer(health, config);
    log.info(`health endpoint: ${server.url}`);
  }
  return {
    log,
    signal: controller.signal,
    health,
    onEvent: (e) => {
      health.onEvent(e);
      display.onEvent(e);
    },
    async close() {
      display.stop();
      uninstall();
      if (server) {
        const linger = Number(process.env.HEALTH_CHECK_LINGER_SECS ?? 0);
        if (linger > 0 && !controller.signal.aborted) await sleep(linger * 1000);
        await server.close();
      }
    },
  };
}
