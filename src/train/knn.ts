/**
 * k-nearest-neighbour distances over a 3D point cloud with a kd-tree: O(n log n) build (median
 * splits by nth-element), about O(log n) per query for the small k the initialisation needs.
 */

interface KdTree {
  /** Point indices permuted so every subtree is a contiguous range. */
  order: Uint32Array;
  /** Split axis of the node whose median sits at each position of `order`. */
  axis: Uint8Array;
}

function buildKdTree(xyz: ArrayLike<number>, n: number): KdTree {
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  const axis = new Uint8Array(n);
  const stack: [number, number, number][] = [[0, n, 0]];
  while (stack.length) {
    const [lo, hi, depth] = stack.pop()!;
    if (hi - lo <= 1) {
      if (hi - lo === 1) axis[lo] = depth % 3;
      continue;
    }
    const ax = depth % 3;
    const mid = (lo + hi) >> 1;
    nthElement(order, xyz, ax, lo, hi - 1, mid);
    axis[mid] = ax;
    stack.push([lo, mid, depth + 1], [mid + 1, hi, depth + 1]);
  }
  return { order, axis };
}

/** Hoare-style quickselect on order[lo..hi] by coordinate `ax` so that order[k] is the median. */
function nthElement(
  order: Uint32Array,
  xyz: ArrayLike<number>,
  ax: number,
  lo: number,
  hi: number,
  k: number,
): void {
  while (hi > lo) {
    const pivot = xyz[order[(lo + hi) >> 1]! * 3 + ax]!;
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (xyz[order[i]! * 3 + ax]! < pivot) i++;
      while (xyz[order[j]! * 3 + ax]! > pivot) j--;
      if (i <= j) {
        const t = order[i]!;
        order[i] = order[j]!;
        order[j] = t;
        i++;
        j--;
      }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else return;
  }
}

/**
 * For each point, the mean of the squared distances to its `k` nearest other points (k is
 * reduced when the cloud has fewer points). Returns 0 for a cloud of one point.
 */
export function meanSquaredKnnDistance(xyz: ArrayLike<number>, count: number, k = 3): Float64Array {
  const out = new Float64Array(count);
  const kk = Math.min(k, count - 1);
  if (kk <= 0) return out;
  const tree = buildKdTree(xyz, count);
  const best = new Float64Array(kk);
  // Entries: [lo, hi, squared distance from the query to the region's splitting plane].
  const stack: [number, number, number][] = [];
  for (let q = 0; q < count; q++) {
    const qx = xyz[q * 3]!;
    const qy = xyz[q * 3 + 1]!;
    const qz = xyz[q * 3 + 2]!;
    best.fill(Infinity);
    stack.length = 0;
    stack.push([0, count, 0]);
    while (stack.length) {
      const [lo, hi, planeD2] = stack.pop()!;
      // Checked at pop time so the bound is as tight as possible.
      if (hi <= lo || planeD2 >= best[kk - 1]!) continue;
      const mid = (lo + hi) >> 1;
      const p = tree.order[mid]!;
      const ax = tree.axis[mid]!;
      if (p !== q) {
        const dx = xyz[p * 3]! - qx;
        const dy = xyz[p * 3 + 1]! - qy;
        const dz = xyz[p * 3 + 2]! - qz;
        insertBest(best, dx * dx + dy * dy + dz * dz);
      }
      const diff = (ax === 0 ? qx : ax === 1 ? qy : qz) - xyz[p * 3 + ax]!;
      const d2 = diff * diff;
      // The far side is visited only if the splitting plane is closer than the k-th best.
      if (diff < 0) stack.push([mid + 1, hi, d2], [lo, mid, planeD2]);
      else stack.push([lo, mid, d2], [mid + 1, hi, planeD2]);
    }
    let sum = 0;
    for (let i = 0; i < kk; i++) sum += best[i]!;
    out[q] = sum / kk;
  }
  return out;
}

function insertBest(best: Float64Array, d2: number): void {
  const k = best.length;
  if (d2 >= best[k - 1]!) return;
  let i = k - 1;
  while (i > 0 && best[i - 1]! > d2) {
    best[i] = best[i - 1]!;
    i--;
  }
  best[i] = d2;
}
