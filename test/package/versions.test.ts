// One version, from the root package.json: the lab extension's package files carry it (its build
// copies it there; a commit must too), the wheel takes it at build time (hatch-nodejs-version),
// and the launcher's Node.js minimum is package.json's engines.node.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ROOT } from "./installed.js";

const json = (path: string) => JSON.parse(readFileSync(join(ROOT, path), "utf8"));

describe("splatbook's one version", () => {
  it("is the lab extension's too", () => {
    const { version } = json("package.json");
    expect(json("labextension/package.json").version).toBe(version);
    const lock = json("labextension/package-lock.json");
    expect([lock.version, lock.packages[""].version]).toEqual([version, version]);
  });

  it("is where the wheel takes it from, and the launcher needs the Node.js package.json names", () => {
    const pyproject = readFileSync(join(ROOT, "pyproject.toml"), "utf8");
    expect(pyproject).toMatch(/dynamic = \["version"\]/);
    expect(pyproject).toMatch(/\[tool\.hatch\.version\]\nsource = "nodejs"/);
    const command = readFileSync(
      join(ROOT, "kernel", "python", "splatbook_jupyter", "command.py"),
      "utf8",
    );
    const [, major, minor] = /NODE_MINIMUM = \((\d+), (\d+)\)/.exec(command)!;
    expect(json("package.json").engines.node).toBe(`>=${major}.${minor}`);
  });
});
