// The schemas in src/contracts reach notebook cells as the types of stage results. A kernel cell's
// declaration emit cannot name the type zod v4 infers for z.enum (TS2742: "cannot be named
// without a reference to zod/v4/core"), so `const sfm = await job.reconstruct()` stopped
// compiling once one field used it. Choices are z.literal([...]), which infers a plain union.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

const CONTRACTS = join(import.meta.dirname, "..", "..", "src", "contracts");

describe("contracts' zod schemas", () => {
  it("spell choices with z.literal([...]), never z.enum", () => {
    const files = readdirSync(CONTRACTS).filter((f) => f.endsWith(".ts"));
    expect(files.length).toBeGreaterThan(5);
    const offenders = files.filter((f) =>
      /\bz\.(enum|nativeEnum)\s*\(/.test(readFileSync(join(CONTRACTS, f), "utf8")),
    );
    expect(offenders).toEqual([]);
  });
});
