/**
 * Jupyter connection files: the schema, reading one (the kernel side) and generating, writing
 * and removing one (the launching side), plus the ZeroMQ endpoints they describe.
 */
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { mkdir, unlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SplatbookError } from "../util/errors.js";
import { freePort } from "../util/net.js";

/** The contents of a Jupyter connection file. */
export interface ConnectionInfo {
  transport: string;
  ip: string;
  shell_port: number;
  iopub_port: number;
  stdin_port: number;
  control_port: number;
  hb_port: number;
  key: string;
  signature_scheme: string;
  /** Written by launchers for the kernel's information; kernels do not need it. */
  kernel_name?: string;
}

const PORTS = ["shell_port", "iopub_port", "stdin_port", "control_port", "hb_port"] as const;

/** Reads and checks a connection file; errors name the file and the bad field. */
export function readConnectionFile(file: string): ConnectionInfo {
  let raw: Record<string, unknown>;
  try {
    raw = JSON.parse(readFileSync(file, "utf8")) as Record<string, unknown>;
  } catch (err) {
    throw new SplatbookError(`${file}: cannot read connection file (${(err as Error).message})`, {
      file,
    });
  }
  for (const port of PORTS) {
    if (!Number.isInteger(raw[port])) {
      throw new SplatbookError(`${file}: connection file lacks an integer "${port}"`, { file });
    }
  }
  return {
    transport: typeof raw.transport === "string" ? raw.transport : "tcp",
    ip: typeof raw.ip === "string" ? raw.ip : "127.0.0.1",
    shell_port: raw.shell_port as number,
    iopub_port: raw.iopub_port as number,
    stdin_port: raw.stdin_port as number,
    control_port: raw.control_port as number,
    hb_port: raw.hb_port as number,
    key: typeof raw.key === "string" ? raw.key : "",
    signature_scheme:
      typeof raw.signature_scheme === "string" ? raw.signature_scheme : "hmac-sha256",
  };
}

/** The ZeroMQ endpoint for one port ("tcp://127.0.0.1:5555" or an ipc path). */
export function endpoint(info: ConnectionInfo, port: number): string {
  return info.transport === "ipc"
    ? `ipc://${info.ip}-${port}`
    : `${info.transport}://${info.ip}:${port}`;
}

/**
 * Builds connection info with five distinct free TCP ports on 127.0.0.1 and a random
 * HMAC-SHA256 key; `kernelName` is recorded when given.
 */
export async function createConnectionInfo(kernelName?: string): Promise<ConnectionInfo> {
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
    ...(kernelName === undefined ? {} : { kernel_name: kernelName }),
  };
}

/** The runtime dir jupyter_client uses for connection files (JUPYTER_RUNTIME_DIR or a temp dir). */
function runtimeDir(): string {
  return process.env.JUPYTER_RUNTIME_DIR ?? join(tmpdir(), "splatbook-runtime");
}

/**
 * Writes the connection file (mode 0600: it holds the signing key) and returns its path:
 * `file` when given, else a fresh name in the Jupyter runtime dir.
 */
export async function writeConnectionFile(info: ConnectionInfo, file?: string): Promise<string> {
  let target = file;
  if (target === undefined) {
    const dir = runtimeDir();
    await mkdir(dir, { recursive: true, mode: 0o700 });
    target = join(dir, `kernel-splatbook-${randomBytes(6).toString("hex")}.json`);
  }
  await writeFile(target, JSON.stringify(info, null, 1), { mode: 0o600 });
  return target;
}

/** Removes a connection file, ignoring a missing one. */
export async function removeConnectionFile(file: string): Promise<void> {
  await unlink(file).catch(() => undefined);
}
