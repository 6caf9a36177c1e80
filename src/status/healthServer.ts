import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { SplatbookError } from "../util/errors.js";
import type { HealthTracker } from "./healthState.js";

/** `/health` settings from the environment (HEALTH_CHECK_ENABLED, HEALTH_CHECK_HOST, HEALTH_CHECK_PORT). */
export interface HealthConfig {
  enabled: boolean;
  port: number;
  host: string;
}

/**
 * HEALTH_CHECK_ENABLED (true/1/yes), HEALTH_CHECK_PORT (default 8080), HEALTH_CHECK_HOST
 * (default 127.0.0.1). A bad port is a one-line error.
 */
export function healthConfigFromEnv(env: NodeJS.ProcessEnv = process.env): HealthConfig {
  const enabled = /^(1|true|yes|on)$/i.test((env.HEALTH_CHECK_ENABLED ?? "").trim());
  const portText = (env.HEALTH_CHECK_PORT ?? "").trim();
  const port = portText === "" ? 8080 : Number(portText);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new SplatbookError(`HEALTH_CHECK_PORT must be a port number 0-65535, got "${portText}"`);
  }
  const host = (env.HEALTH_CHECK_HOST ?? "").trim() || "127.0.0.1";
  return { enabled, port, host };
}

/** A running `/health` server. */
export interface HealthServer {
  /** `http://host:port/health` (port resolved when 0 was asked for). */
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

/**
 * Serves GET (and HEAD) `/health` with the tracker's snapshot as JSON. Any other path is 404,
 * any other method on `/health` is 405 with `Allow: GET, HEAD`.
 */
export async function startHealthServer(
  tracker: HealthTracker,
  opts: { port: number; host: string },
): Promise<HealthServer> {
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? "/").split("?")[0];
    const send = (code: number, body: unknown, headers: Record<string, string> = {}) => {
      const text = JSON.stringify(body) + "\n";
      res.writeHead(code, {
        "content-type": "application/json",
        "cache-control": "no-store",
        "content-length": Buffer.byteLength(text),
        ...headers,
      });
      res.end(req.method === "HEAD" ? undefined : text);
    };
    if (path !== "/health") return send(404, { error: "not found" });
    if (req.method !== "GET" && req.method !== "HEAD") {
      return send(405, { error: "method not allowed" }, { allow: "GET, HEAD" });
    }
    send(200, tracker.snapshot());
  });
  await new Promise<void>((resolveListen, reject) => {
    server.once("error", (err: NodeJS.ErrnoException) =>
      reject(
        new SplatbookError(
          `health endpoint: cannot listen on ${opts.host}:${opts.port} (${err.code ?? err.message})`,
        ),
      ),
    );
    server.listen(opts.port, opts.host, () => resolveListen());
  });
  const port = (server.address() as AddressInfo).port;
  const hostPart = opts.host.includes(":") ? `[${opts.host}]` : opts.host;
  return {
    url: `http://${hostPart}:${port}/health`,
    port,
    close: () =>
      new Promise<void>((done) => {
        server.closeAllConnections();
        server.close(() => done());
      }),
  };
}
