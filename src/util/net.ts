import { createServer } from "node:net";

/**
 * Asks the OS for a free TCP port on `ip` (bind to port 0, read the port back, release it). Another
 * process may take it before the caller binds it; callers that start a server on it retry or accept
 * that rare failure.
 */
export function freePort(ip = "127.0.0.1"): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.unref();
    server.once("error", reject);
    server.listen(0, ip, () => {
      const addr = server.address();
      const port = typeof addr === "object" && addr ? addr.port : 0;
      server.close(() => resolvePort(port));
    });
  });
}
