/**
 * A small seeded PRNG (sfc32) whose whole state is four u32s, so a snapshot can store it and a
 * resumed run draws exactly the numbers an uninterrupted run would have drawn.
 */
export interface Rng {
  /** Uniform in [0, 1). */
  next(): number;
  /** Uniform integer in [0, n). */
  int(n: number): number;
  /** Standard normal (Box–Muller; draws two uniforms per call, keeps no spare for simplicity). */
  normal(): number;
  /** The state to store in a snapshot. */
  getState(): [number, number, number, number];
  setState(state: readonly number[]): void;
}

/** Mixes a seed and any number of integers into a u32 (used to derive per-epoch streams). */
export function hashInts(...values: number[]): number {
  let h = 0x811c9dc5;
  for (const v of values) {
    // Split into two 32-bit halves so seeds above 2^32 still mix in.
    const lo = v >>> 0;
    const hi = Math.floor(v / 4294967296) >>> 0;
    for (const word of [lo, hi]) {
      h = Math.imul(h ^ word, 0x01000193) >>> 0;
      h ^= h >>> 15;
      h = Math.imul(h, 0x2c1b3c6d) >>> 0;
      h ^= h >>> 12;
    }
  }
  return h >>> 0;
}

/** Creates an sfc32 generator seeded from `seed` (any finite number). */
export function createRng(seed: number): Rng {
  let a = hashInts(seed, 1);
  let b = hashInts(seed, 2);
  let c = hashInts(seed, 3);
  let d = 1;
  const nextU32 = (): number => {
    const t = (((a + b) >>> 0) + d) >>> 0;
    d = (d + 1) >>> 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) >>> 0;
    c = ((c << 21) | (c >>> 11)) >>> 0;
    c = (c + t) >>> 0;
    return t;
  };
  // Warm up so nearby seeds diverge.
  for (let i = 0; i < 12; i++) nextU32();
  const rng: Rng = {
    next: () => nextU32() / 4294967296,
    int: (n) => Math.floor((nextU32() / 4294967296) * n),
    normal: () => {
      const u = 1 - nextU32() / 4294967296; // (0, 1]
      const v = nextU32() / 4294967296;
      return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
    },
    getState: () => [a, b, c, d],
    setState: (s) => {
      if (s.length !== 4) throw new Error(`rng state needs 4 words, got ${s.length}`);
      [a, b, c, d] = s.map((x) => x >>> 0) as [number, number, number, number];
    },
  };
  return rng;
}

/**
 * Training view order: each epoch is a fresh permutation of the training views derived only from
 * (seed, epoch), so the view at any step is known without replaying earlier steps — resuming from
 * a snapshot needs no extra state for it.
 */
export function viewForStep(seed: number, step: number, viewCount: number): number {
  const epoch = Math.floor(step / viewCount);
  const perm = epochPermutation(seed, epoch, viewCount);
  return perm[step % viewCount]!;
}

const permCache = new Map<string, Uint32Array>();

function epochPermutation(seed: number, epoch: number, n: number): Uint32Array {
  const key = `${seed}:${epoch}:${n}`;
  const hit = permCache.get(key);
  if (hit) return hit;
  const rng = createRng(hashInts(seed, epoch, 0x5eed));
  const perm = new Uint32Array(n);
  for (let i = 0; i < n; i++) perm[i] = i;
  for (let i = n - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    const t = perm[i]!;
    perm[i] = perm[j]!;
    perm[j] = t;
  }
  if (permCache.size > 8) permCache.clear();
  permCache.set(key, perm);
  return perm;
}
