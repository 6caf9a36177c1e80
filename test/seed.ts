/**
 * Seeds of randomised tests. Every randomised test draws its inputs from `testSeed()`: a fresh
 * seed per run (so runs explore), printed when the test fails, and fixed by SPLATBOOK_TEST_SEED
 * to replay a failure: `SPLATBOOK_TEST_SEED=123 npx vitest run <file> -t '<test name>'`.
 */
import { onTestFailed } from "vitest";

/** The seed for this test (call it inside the test body, once per independent draw). */
export function testSeed(): number {
  const fixed = process.env.SPLATBOOK_TEST_SEED;
  const seed =
    fixed !== undefined && fixed !== "" ? Number(fixed) : Math.floor(Math.random() * 2 ** 31);
  if (!Number.isInteger(seed)) throw new Error(`SPLATBOOK_TEST_SEED must be an integer: ${fixed}`);
  onTestFailed(() => {
    console.error(
      `randomised test failed with seed ${seed}; replay with SPLATBOOK_TEST_SEED=${seed}`,
    );
  });
  return seed;
}

/** mulberry32: a small seeded PRNG in [0, 1), enough for test inputs. */
export function makeRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
