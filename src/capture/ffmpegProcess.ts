import { spawn } from "node:child_process";
import { InterruptedError, SplatbookError } from "../util/errors.js";

/** Options for one ffmpeg run whose stdout is raw bytes (frames on a pipe), not text. */
export interface FfmpegRunOptions {
  cwd?: string;
  signal?: AbortSignal;
  /** Each complete stderr line (showinfo and error messages arrive there). */
  onStderrLine?: (line: string) => void;
  /** Raw stdout chunks, e.g. rawvideo frames. */
  onStdout?: (chunk: Buffer) => void;
}

/**
 * Runs ffmpeg with an argument vector (never a shell). Resolves with the exit code and the tail of
 * stderr; rejects with InterruptedError when the signal aborts (ffmpeg is killed), or a
 * SplatbookError when ffmpeg is missing.
 */
export function runFfmpeg(
  args: string[],
  options: FfmpegRunOptions = {},
): Promise<{ code: number; stderrTail: string }> {
  return new Promise((resolvePromise, reject) => {
    if (options.signal?.aborted) return reject(new InterruptedError("interrupt"));
    const child = spawn("ffmpeg", ["-hide_banner", "-nostdin", ...args], {
      cwd: options.cwd,
      stdio: ["ignore", options.onStdout ? "pipe" : "ignore", "pipe"],
    });
    const tail: string[] = [];
    let pending = "";
    child.stderr?.setEncoding("utf8").on("data", (chunk: string) => {
      pending += chunk;
      const lines = pending.split(/\r?\n|\r/);
      pending = lines.pop() ?? "";
      for (const line of lines) {
        options.onStderrLine?.(line);
        if (!/Parsed_showinfo/.test(line)) {
          tail.push(line);
          if (tail.length > 20) tail.shift();
        }
      }
    });
    if (options.onStdout) child.stdout?.on("data", options.onStdout);
    const onAbort = () => child.kill("SIGKILL");
    options.signal?.addEventListener("abort", onAbort, { once: true });
    child.on("error", (err: NodeJS.ErrnoException) => {
      options.signal?.removeEventListener("abort", onAbort);
      reject(
        err.code === "ENOENT"
          ? new SplatbookError("ffmpeg is not installed (run the README's set-up command)")
          : err,
      );
    });
    child.on("close", (code, sig) => {
      options.signal?.removeEventListener("abort", onAbort);
      if (pending) options.onStderrLine?.(pending);
      if (options.signal?.aborted) return reject(new InterruptedError("interrupt"));
      resolvePromise({ code: code ?? (sig ? 128 : 1), stderrTail: tail.join("\n") });
    });
  });
}

/** Parses a showinfo log line into its frame number and presentation time. */
export function parseShowinfo(line: string): { n: number; ptsTime: number } | null {
  const m = /Parsed_showinfo.*\bn:\s*(\d+)\s+pts:\s*-?\d+\s+pts_time:\s*(-?[\d.e+-]+)/.exec(line);
  if (!m) return null;
  return { n: Number(m[1]), ptsTime: Number(m[2]) };
}
