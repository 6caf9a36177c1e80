import { resolve, sep } from "node:path";
import type { IndexMetrics } from "../contracts/ledger.js";
import type { IndexResult } from "./backend.js";
import type { LedgerQueries } from "./queries.js";

/** The query API answered from this process's own results, for pipelines without a ledger. */
export interface MemoryQueries extends LedgerQueries {
  record(result: IndexResult): void;
  reset(): void;
  resetIndex(idx: number): void;
}

/** In-memory stand-in for the ledger's queries when `trackMetrics` is false. */
export function createMemoryQueries(): MemoryQueries {
  const results = new Map<number, IndexResult>();
  const asMetrics = (r: IndexResult): IndexMetrics => ({
    idx: r.idx,
    scene: r.scene,
    status: r.status,
    outputPaths: r.outputPaths,
    completedAt: null,
    wallTimeNs: r.wallTimeMs === null ? null : Math.round(r.wallTimeMs * 1e6),
    peakMemoryBytes: null,
    gpuMemoryBytes: null,
    error: r.error,
    workerId: null,
    attempts: 1,
    stages: [],
  });
  const sorted = () => [...results.values()].sort((a, b) => a.idx - b.idx);
  const withStatus = (status: IndexResult["status"]) => sorted().filter((r) => r.status === status);
  return {
    record: (r) => void results.set(r.idx, r),
    reset: () => results.clear(),
    resetIndex: (idx) => void results.delete(idx),
    completedIndices: () => new Set(withStatus("completed").map((r) => r.idx)),
    failedIndices: () => new Map(withStatus("error").map((r) => [r.idx, r.error ?? "error"])),
    indexMetrics: () => sorted().map(asMetrics),
    indexRecord: (idx) => (results.has(idx) ? asMetrics(results.get(idx)!) : undefined),
    metrics() {
      const indices = sorted().map(asMetrics);
      const done = withStatus("completed").map((r) => r.wallTimeMs ?? 0);
      return {
        indices,
        stages: [],
        totalWallTimeMs: indices.reduce((a, m) => a + (m.wallTimeNs ?? 0) / 1e6, 0),
        meanWallTimeMs: done.length ? done.reduce((a, b) => a + b, 0) / done.length : null,
        maxPeakMemoryBytes: null,
        maxGpuMemoryBytes: null,
      };
    },
    summary(total) {
      const done = withStatus("completed");
      return {
        total,
        completed: done.length,
        failed: withStatus("error").length,
        remaining: Math.max(0, total - done.length),
        errors: withStatus("error").length,
        avgTimeMs: done.length
          ? done.reduce((a, r) => a + (r.wallTimeMs ?? 0), 0) / done.length
          : null,
        elapsedMs: 0,
        workers: 0,
      };
    },
    workers: () => [],
    outputPathsForIndex: (idx) => results.get(idx)?.outputPaths ?? [],
    indexForPath(path) {
      const abs = resolve(path);
      for (const r of sorted()) {
        if (r.outputPaths.some((p) => p === abs || abs.startsWith(p + sep))) return r.idx;
      }
      return undefined;
    },
    logs: () => [],
    slowestStages: () => [],
  };
}
