/**
 * Seeds of randomised tests. Every randomised test draws its inputs from `testSeed()`: a fresh
 * seed per run (so runs explore), printed when the test fails, and fixed by SPLATBOOK_TEST_SEED
 * to replay a failure: `SPLATBOOK_TEST_SEED=123 npx vitest run <file> -t '<test name>'`.
 */
import { afterAll, beforeEach, onTestFailed } from "vitest";
import { mulberry32 } from "../src/util/random.js";

/** The seed for this test (call it inside the test body, once per independent draw). */
export function testSeed(): number {
  const seed = drawSeed();
  onTestFailed(() => console.error(replay(seed, "randomised test failed")));
  return seed;
}

/** The seed of this run: SPLATBOOK_TEST_SEED, or a fresh one. */
function drawSeed(): number {
  const fixed = process.env.SPLATBOOK_TEST_SEED;
  const seed =
    fixed !== undefined && fixed !== "" ? Number(fixed) : Math.floor(Math.random() * 2 ** 31);
  if (!Number.isInteger(seed)) throw new Error(`SPLATBOOK_TEST_SEED must be an integer: ${fixed}`);
  return seed;
}

const replay = (seed: number, what: string) =>
  `${what} with seed ${seed}; replay with SPLATBOOK_TEST_SEED=${seed}`;

/** A seed for work a file does once (in `beforeAll`), with `setup` to run that work under it. */
export interface FileSeed {
  seed: number;
  /** Runs `work`; when it throws, prints the seed before the error reaches vitest. */
  setup<T>(work: () => Promise<T>): Promise<T>;
}

/**
 * The seed of a file whose tests share work done once in `beforeAll` (a reconstruction the tests
 * then read): call it at the top of the file. The seed is printed when that work fails (run it
 * through `setup`) and when any test of the file fails.
 */
export function fileSeed(): FileSeed {
  const seed = drawSeed();
  let unfinished = 0;
  beforeEach(({ onTestFailed }) => {
    onTestFailed(() => console.error(replay(seed, "test failed after a set-up")));
  });
  // A hook timeout abandons the work without an error reaching `setup`.
  afterAll(() => {
    if (unfinished > 0) console.error(replay(seed, "set-up did not finish (timed out?)"));
  });
  return {
    seed,
    async setup(work) {
      unfinished++;
      try {
        return await work();
      } catch (err) {
        console.error(replay(seed, "set-up failed"));
        throw err;
      } finally {
        unfinished--;
      }
    },
  };
}

/** A seeded PRNG in [0, 1) for test inputs (mulberry32). */
export const makeRandom: (seed: number) => () => number = mulberry32;
