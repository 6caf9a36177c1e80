// The layering of src/ (imports point down), checked on every import the TypeScript parser finds
// (static, re-export, type-only, dynamic with a literal path):
//
//   util                            the leaf: imports nothing of src/
//   contracts                       util (generic types such as Vec3)
//   gpu, status                     contracts and util
//   capture, sfm, train, export     stage areas: contracts, util, gpu, status; never each other
//   engine                          the above, and stage modules only from its stage table
//   ledger                          everything up to engine
//   jupyter < kernel < runner, notebook; sample; cli, bench, src/index.ts on top
//
// Imports that break it today are listed in KNOWN_VIOLATIONS with the helper who removes them; an
// entry that no longer matches fails too, so the list only shrinks.
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { collectImports, folderEdges, type ModuleImport } from "../../scripts/import-graph.mjs";

const SRC = join(import.meta.dirname, "..", "..", "src");

const BOTTOM = ["contracts", "util"];
const STAGE_AREAS = ["capture", "sfm", "train", "export"];
const BELOW_ENGINE = [...BOTTOM, "gpu", "status", ...STAGE_AREAS];
const BELOW_TOP = [...BELOW_ENGINE, "engine", "ledger", "jupyter", "kernel", "runner", "notebook"];

/** Which areas each area may import (besides itself). */
const ALLOWED: Record<string, readonly string[]> = {
  contracts: ["util"],
  util: [],
  gpu: BOTTOM,
  status: BOTTOM,
  ...Object.fromEntries(STAGE_AREAS.map((a) => [a, [...BOTTOM, "gpu", "status"]])),
  engine: [...BOTTOM, "gpu", "status"],
  ledger: [...BELOW_ENGINE, "engine"],
  jupyter: BOTTOM,
  kernel: [...BOTTOM, "jupyter"],
  runner: [...BOTTOM, "jupyter", "kernel"],
  notebook: [...BELOW_ENGINE, "engine", "ledger", "jupyter", "kernel"],
  sample: [...BELOW_ENGINE, "engine"],
  cli: [...BELOW_TOP, "sample"],
  bench: [...BELOW_TOP, "sample"],
  ".": [...BELOW_TOP, "sample"],
};

/** The stage table reaches each stage through its `<area>/<name>.stage.ts` module, nothing else. */
function stageTableImport(i: ModuleImport): boolean {
  return (
    i.from === "engine/stageTable.ts" &&
    STAGE_AREAS.includes(i.toArea) &&
    /^[a-z]+\/[a-zA-Z]+\.stage\.ts$/.test(i.to)
  );
}

/** Imports against the layering that exist today, by importing file and imported area. */
const KNOWN_VIOLATIONS: ReadonlyArray<{ from: string; toArea: string; owner: string }> = [];

function violations(imports: ModuleImport[]): ModuleImport[] {
  return imports.filter(
    (i) =>
      i.fromArea !== i.toArea &&
      !(ALLOWED[i.fromArea] ?? []).includes(i.toArea) &&
      !stageTableImport(i),
  );
}

const describeImport = (i: ModuleImport) =>
  `src/${i.from}:${i.line} imports "${i.specifier}" (${i.fromArea} -> ${i.toArea})`;

describe("import layering of src/", () => {
  const imports = collectImports(SRC);

  it("every folder of src/ has a place in the layering", () => {
    const unknown = [...new Set(imports.map((i) => i.fromArea))].filter((a) => !(a in ALLOWED));
    expect(unknown, "add the folder to ALLOWED in this test").toEqual([]);
  });

  it("no import points up or sideways, except the listed known ones", () => {
    const known = (i: ModuleImport) =>
      KNOWN_VIOLATIONS.some((k) => k.from === i.from && k.toArea === i.toArea);
    const found = violations(imports);
    const unexpected = found.filter((i) => !known(i)).map(describeImport);
    expect(unexpected, "imports against the layering").toEqual([]);
    const stale = KNOWN_VIOLATIONS.filter(
      (k) => !found.some((i) => i.from === k.from && i.toArea === k.toArea),
    ).map((k) => `${k.from} -> ${k.toArea} (${k.owner})`);
    expect(stale, "fixed: remove these from KNOWN_VIOLATIONS").toEqual([]);
  });

  it("the check catches upward, sideways and type-only imports (fixture)", () => {
    const fixture = collectImports(join(import.meta.dirname, "fixture-src"));
    expect(violations(fixture).map((i) => `${i.from} -> ${i.to}`)).toEqual([
      "capture/bad.stage.ts -> engine/job.ts",
      "capture/bad.stage.ts -> sfm/thing.ts",
      "capture/bad.stage.ts -> train/types.ts",
      "engine/job.ts -> capture/helpers.ts",
      "util/up.ts -> contracts/ok.ts",
    ]);
  });

  it("prints the folder -> folder import graph", () => {
    const edges = folderEdges(imports);
    console.log(edges.map((e) => `${e.edge}  (${e.count})`).join("\n"));
    expect(edges.length).toBeGreaterThan(0);
  });
});
