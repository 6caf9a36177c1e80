/**
 * Variance of the 4-neighbour Laplacian over an 8-bit grayscale image: the classic focus
 * measure (blur flattens edges, so the response varies less). Border pixels are left out.
 */
export function laplacianVariance(gray: Uint8Array, width: number, height: number): number {
  let sum = 0;
  let sumSq = 0;
  let n = 0;
  for (let y = 1; y < height - 1; y++) {
    const row = y * width;
    for (let x = 1; x < width - 1; x++) {
      const i = row + x;
      const lap = gray[i - 1]! + gray[i + 1]! + gray[i - width]! + gray[i + width]! - 4 * gray[i]!;
      sum += lap;
      sumSq += lap * lap;
      n++;
    }
  }
  if (n === 0) return 0;
  const mean = sum / n;
  return sumSq / n - mean * mean;
}

/** A decoded frame's index, time and focus score. */
export interface ScoredFrame {
  n: number;
  time: number;
  score: number;
}

/**
 * Picks the sharpest frame in each of `count` windows of `step` seconds from `start`; windows
 * with no frame are left out. Returns the picks in time order.
 */
export function sharpestPerWindow(
  frames: readonly ScoredFrame[],
  plan: { count: number; step: number; start: number },
): ScoredFrame[] {
  const best = new Map<number, ScoredFrame>();
  for (const f of frames) {
    const w = Math.min(plan.count - 1, Math.floor((f.time - plan.start) / plan.step));
    if (w < 0) continue;
    const cur = best.get(w);
    if (!cur || f.score > cur.score) best.set(w, f);
  }
  return [...best.values()].sort((a, b) => a.n - b.n);
}
