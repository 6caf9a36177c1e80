// Inside the folders of src/: no import cycle between files (a reader following one value never
// walks in a circle), and every exported name is declared by one module only (one name for each
// concept, one concept for each name). Type-only and dynamic imports count as imports;
// re-exports are not declarations. And test/ mirrors src/, so a module's tests are where its
// path says.
import { existsSync, readdirSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, expect, it } from "vitest";
import { collectImports, duplicateExports, fileCycles } from "../../scripts/import-graph.mjs";

const ROOT = join(import.meta.dirname, "..", "..");
const SRC = join(ROOT, "src");
const TEST = join(ROOT, "test");

/** Test folders for what lives outside src/. */
const OUTSIDE_SRC: Record<string, string> = {
  architecture: "checks of the repository's structure",
  labextension: "the lab extension (labextension/)",
  package: "the release artifacts (scripts/package.mjs, pyproject.toml, kernel/python/) installed",
  "test-command": "the README's test command (test/run-tests.mjs): its reporter and its own test",
};

/** Folders under `dir`, relative to test/, without fixture folders (inputs, not tests). */
function testFolders(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isDirectory() && !e.name.startsWith("fixture"))
    .flatMap((e) => {
      const path = join(dir, e.name);
      return [relative(TEST, path), ...testFolders(path)];
    });
}
const FIXTURE = join(import.meta.dirname, "fixture-src");

/**
 * Names several modules of one folder declare on purpose: the same entry point of each module of
 * a plug-in folder, looked up by the folder's index.
 */
const ENTRY_POINTS: Record<string, { folder: string; why: string }> = {
  register: {
    folder: "cli/commands",
    why: "every command module's `register(program)`, listed in cli/commands/index.ts",
  },
};

function unexpectedDuplicates(root: string): string[] {
  return duplicateExports(root)
    .filter(({ name, files }) => {
      const entry = ENTRY_POINTS[name];
      return !entry || !files.every((f) => f.startsWith(`${entry.folder}/`));
    })
    .map(({ name, files }) => `${name}: ${files.join(", ")}`);
}

describe("modules of src/", () => {
  it("no import cycle between files", () => {
    const cycles = fileCycles(collectImports(SRC)).map((c) => c.join(" <-> "));
    expect(cycles, "move the shared types into a module below both").toEqual([]);
  });

  it("no exported name declared by two modules", () => {
    expect(unexpectedDuplicates(SRC), "one name for each concept: merge or rename").toEqual([]);
  });

  it("test/ mirrors src/: every test folder is a folder of src/", () => {
    const strays = testFolders(TEST).filter(
      (d) => !(d.split("/")[0]! in OUTSIDE_SRC) && !existsSync(join(SRC, d)),
    );
    expect(strays, "a test of src/a/b/x.ts lives in test/a/b/").toEqual([]);
  });

  it("finds type-only and dynamic cycles, also through a subfolder (fixture)", () => {
    expect(fileCycles(collectImports(FIXTURE))).toEqual([
      ["train/evaluation.ts", "train/trainer.ts"],
      ["train/gpu/backend.ts", "train/schedule.ts"],
    ]);
  });

  it("finds a function and a type declared twice, not re-exports (fixture)", () => {
    expect(unexpectedDuplicates(FIXTURE)).toEqual([
      "cameraCentre: sfm/sceneModel.ts, train/math.ts",
      "Vec3: sfm/sceneModel.ts, train/math.ts",
    ]);
  });
});
