import { spawn } from "node:child_process";
import { SplatbookError, InterruptedError } from "./errors.js";

export interface RunToolOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  signal?: AbortSignal;
  /** Called with each complete line of stderr (ffmpeg/COLMAP report progress there). */
  onStderrLine?: (line: string) => void;
  onStdoutLine?: (line: string) => void;
  /** Keep at most this many bytes of output (default 8 MiB). */
  maxBuffer?: number;
}

export interface ToolResult {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs an external tool with an argument vector — never through a shell, so file names with
 * spaces, quotes or `$` are passed verbatim. Rejects with a SplatbookError when the tool is
 * missing; a non-zero exit is returned, not thrown (callers phrase the error).
 */
export function runTool(
  cmd: string,
  args: string[],
  options: RunToolOptions = {},
): Promise<ToolResult> {
  const max = options.maxBuffer ?? 8 * 1024 * 1024;
  return new Promise((resolve, reject) => {
    if (options.signal?.aborted) return reject(new InterruptedError());
    const child = spawn(cmd, args, {
      cwd: options.cwd,
      env: options.env ?? process.env,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    const lineSplitter = (cb?: (l: string) => void) => {
      let pending = "";
      return (chunk: string) => {
        if (!cb) return;
        pending += chunk;
        const parts = pending.split(/\r?\n|\r/);
        pending = parts.pop() ?? "";
        for (const p of parts) cb(p);
      };
    };
    const outLines = lineSplitter(options.onStdoutLine);
    const errLines = lineSplitter(options.onStderrLine);
    child.stdout.setEncoding("utf8").on("data", (c: string) => {
      if (stdout.length < max) stdout += c;
      outLines(c);
    });
    child.stderr.setEncoding("utf8").on("data", (c: string) => {
      if (stderr.length < max) stderr += c;
      else stderr = stderr.slice(-max / 2) + c;
      errLines(c);
    });
    const onAbort = () => child.kill("SIGTERM");
    options.signal?.addEventListener("abort", onAbort, { once: true });
    child.on("error", (err: NodeJS.ErrnoException) => {
      options.signal?.removeEventListener("abort", onAbort);
      if (err.code === "ENOENT") {
        reject(new SplatbookError(`${cmd} is not installed (run the README's set-up command)`));
      } else reject(err);
    });
    child.on("close", (code, sig) => {
      options.signal?.removeEventListener("abort", onAbort);
      if (options.signal?.aborted) return reject(new InterruptedError());
      resolve({ code: code ?? (sig ? 128 : 1), stdout, stderr });
    });
  });
}
