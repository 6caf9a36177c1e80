import { randomBytes } from "node:crypto";
import { mkdir, unlink, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** The contents of a Jupyter connection file. */
export interface ConnectionInfo {
  transport: "tcp";
  ip: string;
  shell_port: number;
  iopub_port: number;
  stdin_port: number;
  control_port: number;
  hb_port: number;
  key: string;
  signature_scheme: "hmac-sha256";
  kernel_name: string;
}

/** Asks the OS for a free TCP port on `ip` (bind to 0, read it back, release it). */
function freePort(ip: string): Promise<number> {
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

/** Builds connection info with five distinct free ports on 127.0.0.1 and a random HMAC key. */
export async function createConnectionInfo(kernelName: string): Promise<ConnectionInfo> {
  const ip = "127.0.0.1";
  const ports = new Set<number>();
  while (ports.size < 5) ports.add(await freePort(ip));
  const [shell, iopub, stdin, control, hb] = [...ports] as [number, number, number, number, number];
  return {
    transport: "tcp",
    ip,
    shell_port: shell,
    iopub_port: iopub,
    stdin_port: stdin,
    control_port: control,
    hb_port: hb,
    key: randomBytes(32).toString("hex"),
    signature_scheme: "hmac-sha256",
    kernel_name: kernelName,
  };
}

/** The runtime dir jupyter_client uses for connection files (JUPYTER_RUNTIME_DIR or a temp dir). */
function runtimeDir(): string {
  return process.env.JUPYTER_RUNTIME_DIR ?? join(tmpdir(), "splatbook-runtime");
}

/** Writes the connection file (mode 0600: it holds the signing key) and returns its path. */
export async function writeConnectionFile(info: ConnectionInfo): Promise<string> {
  const dir = runtimeDir();
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const file = join(dir, `kernel-splatbook-${randomBytes(6).toString("hex")}.json`);
  await writeFile(file, JSON.stringify(info, null, 1), { mode: 0o600 });
  return file;
}

/** Removes a connection file, ignoring a missing one. */
export async function removeConnectionFile(file: string): Promise<void> {
  await unlink(file).catch(() => undefined);
}
