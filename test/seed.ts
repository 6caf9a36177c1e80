/**
 * Seeds of randomised tests. Every randomised test draws its inputs from `testSeed()`: a fresh
 * seed per run (so runs explore), printed when the test fails, and fixed by SPLATBOOK_TEST_SEED
 * to replay a failure: `SPLATBOOK_TEST_SEED=123 npx vitest run <file> -t '<test name>'`.
 */
import { onTestFailed } from "vitest";
import { mulberry32 } from "../src/util/random.js";

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

/** A seeded PRNG in [0, 1) for test inputs (mulberry32). */
export const makeRandom: (seed: number) => () => number = mulberry32;
