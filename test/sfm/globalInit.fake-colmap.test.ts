import { chmod, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

// A stand-in `colmap` on PATH that records each call's arguments: what is under test is which
// settings the global start hands COLMAP, not COLMAP itself (the bench measures that).
let dir = "";
const oldPath = process.env.PATH;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "splatbook-global-init-"));
  const script = `#!/bin/sh\necho "$@" >> "${join(dir, "calls.txt")}"\n`;
  await writeFile(join(dir, "colmap"), script);
  await chmod(join(dir, "colmap"), 0o755);
  process.env.PATH = `${dir}:${oldPath ?? ""}`;
});

afterAll(async () => {
  process.env.PATH = oldPath;
  await rm(dir, { recursive: true, force: true });
});

describe("adjustInitialModel, against a fake colmap that records its arguments", () => {
  it("lets each bundle adjustment run to convergence with the intrinsics held", async () => {
    // Imported after PATH is set: the COLMAP runner copies the environment when it loads.
    const { adjustInitialModel, GLOBAL_BA_MAX_ITERATIONS } =
      await import("../../src/sfm/globalInit.js");
    const out = await adjustInitialModel(
      join(dir, "start"),
      join(dir, "db.db"),
      join(dir, "images"),
      join(dir, "work"),
      2,
      {},
    );
    expect(out).toBe(join(dir, "work", "ba_2"));
    const calls = (await readFile(join(dir, "calls.txt"), "utf8")).trim().split("\n");
    expect(calls.map((c) => c.split(" ")[0])).toEqual([
      "point_triangulator",
      "bundle_adjuster",
      "point_triangulator",
      "bundle_adjuster",
    ]);
    expect(GLOBAL_BA_MAX_ITERATIONS).toBeGreaterThan(100); // COLMAP's default cut it short
    for (const c of calls.filter((x) => x.startsWith("bundle_adjuster"))) {
      expect(c).toContain(`--BundleAdjustment.max_num_iterations ${GLOBAL_BA_MAX_ITERATIONS}`);
      expect(c).toContain("--BundleAdjustment.refine_focal_length 0");
    }
    // The second round starts from the first one's adjusted model.
    expect(calls[2]).toContain(`--input_path ${join(dir, "work", "ba_1")}`);
  });
});
