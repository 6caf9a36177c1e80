import { readFileSync } from "node:fs";
import { SplatbookError } from "../util/errors.js";

/** The fields of a Jupyter connection file the kernel uses. */
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
