import { readFileSync, readdirSync, writeFileSync } from "node:fs";

/** Peak resident memory of this process and its child processes while something runs. */
export interface PeakMemorySampler {
  /** Stops sampling; returns the peak in bytes (null where /proc is unavailable). */
  stop(): number | null;
}

function statusKb(pid: number | "self", field: "VmRSS" | "VmHWM"): number {
  try {
    const text = readFileSync(`/proc/${pid}/status`, "utf8");
    const m = new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(text);
    return m ? Number(m[1]) : 0;
  } catch {
    return 0;
  }
}

/** Child pids of a process (all its threads' children). */
function childrenOf(pid: number): number[] {
  const out: number[] = [];
  try {
    for (const task of readdirSync(`/proc/${pid}/task`)) {
      const text = readFileSync(`/proc/${pid}/task/${task}/children`, "utf8").trim();
      if (text) out.push(...text.split(/\s+/).map(Number));
    }
  } catch {
    // gone, or no /proc
  }
  return out;
}

/** RSS of every descendant of `pid` (ffmpeg, exiftool, COLMAP…), in kB. */
function descendantsRssKb(pid: number): number {
  let total = 0;
  const stack = childrenOf(pid);
  while (stack.length) {
    const child = stack.pop()!;
    total += statusKb(child, "VmRSS");
    stack.push(...childrenOf(child));
  }
  return total;
}

/**
 * Samples RSS every `intervalMs`: this process's own peak comes from the kernel's high-water
 * mark (reset at start through /proc/self/clear_refs, so it is this index's peak), the child
 * processes' from the samples (own RSS + descendants' RSS at the same moment). Linux only; null
 * elsewhere.
 */
export function startPeakMemorySampler(intervalMs = 250): PeakMemorySampler {
  const hasProc = statusKb("self", "VmRSS") > 0;
  if (!hasProc) return { stop: () => null };
  try {
    writeFileSync("/proc/self/clear_refs", "5"); // 5 = reset the peak RSS (VmHWM)
  } catch {
    // Not permitted: VmHWM is then the process's lifetime peak, still an upper bound.
  }
  let peakKb = 0;
  const sample = () => {
    peakKb = Math.max(peakKb, statusKb("self", "VmRSS") + descendantsRssKb(process.pid));
  };
  sample();
  const timer = setInterval(sample, intervalMs);
  timer.unref();
  return {
    stop() {
      clearInterval(timer);
      sample();
      return Math.max(peakKb, statusKb("self", "VmHWM")) * 1024;
    },
  };
}
