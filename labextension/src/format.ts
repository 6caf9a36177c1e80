/** Text for numbers, durations and times shown by the widgets (pure, unit-tested). */

/** `12.3 s`, `4 min 05 s`, `1 h 02 min`; `–` for null or negative input. */
export function formatDuration(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds) || seconds < 0) {
    return "–";
  }
  if (seconds < 60) return `${seconds < 10 ? seconds.toFixed(1) : Math.round(seconds)} s`;
  const total = Math.round(seconds);
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  if (h > 0) return `${h} h ${String(m).padStart(2, "0")} min`;
  return `${m} min ${String(s).padStart(2, "0")} s`;
}

/** `42.5 %` with one decimal, clamped to 0..100. */
export function formatPercent(value: number): string {
  const v = Math.min(100, Math.max(0, Number.isFinite(value) ? value : 0));
  return `${v.toFixed(1)} %`;
}

/** Thousands separated by thin spaces: `12 345`. */
export function formatCount(n: number | null | undefined): string {
  if (n === null || n === undefined || !Number.isFinite(n)) return "–";
  return Math.round(n)
    .toString()
    .replace(/\B(?=(\d{3})+(?!\d))/g, "\u2009");
}

/** `24.31 dB`, or `–`. */
export function formatPsnr(db: number | null | undefined): string {
  return db === null || db === undefined || !Number.isFinite(db) ? "–" : `${db.toFixed(2)} dB`;
}

/** `3.2 steps/s`, `0.45 steps/s`, or `–`. */
export function formatRate(stepsPerSecond: number | null | undefined): string {
  if (stepsPerSecond === null || stepsPerSecond === undefined || !(stepsPerSecond > 0)) return "–";
  const digits = stepsPerSecond >= 10 ? 0 : stepsPerSecond >= 1 ? 1 : 2;
  return `${stepsPerSecond.toFixed(digits)} steps/s`;
}

/** How long ago a Unix time was: `just now`, `40 s ago`, `5 min ago`, `3 h ago`, `2 d ago`. */
export function formatAgo(unixSeconds: number | null | undefined, nowMs = Date.now()): string {
  if (unixSeconds === null || unixSeconds === undefined) return "never";
  const ago = Math.max(0, nowMs / 1000 - unixSeconds);
  if (ago < 5) return "just now";
  if (ago < 60) return `${Math.round(ago)} s ago`;
  if (ago < 3600) return `${Math.round(ago / 60)} min ago`;
  if (ago < 86400) return `${Math.round(ago / 3600)} h ago`;
  return `${Math.round(ago / 86400)} d ago`;
}

/** Whether a job with no update since `updated` counts as stale after `staleSeconds`. */
export function isStale(
  updated: number | null | undefined,
  staleSeconds: number,
  nowMs = Date.now(),
): boolean {
  if (updated === null || updated === undefined || staleSeconds <= 0) return false;
  return nowMs / 1000 - updated > staleSeconds;
}
