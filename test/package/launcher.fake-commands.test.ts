// How the wheel's kernel launcher finds the Node kernel (kernel/python/splatbook_jupyter/
// command.py), run by the project's Python against folders holding stand-in `splatbook` and
// `node` scripts (hence "fake-commands"): each missing or wrong part gives its own sentence, and
// a working one gives the command line the launcher execs.
import { spawnSync } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { ROOT } from "./installed.js";

const PYTHON = join(ROOT, ".venv", "bin", "python");
const work = mkdtempSync(join(tmpdir(), "splatbook-launcher-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** A folder holding executable scripts `name → body`. */
function bin(name: string, scripts: Record<string, string>): string {
  const dir = join(work, name);
  mkdirSync(dir, { recursive: true });
  for (const [file, body] of Object.entries(scripts)) {
    writeFileSync(join(dir, file), body);
    chmodSync(join(dir, file), 0o755);
  }
  return dir;
}

const CLI = (version: string) =>
  `#!/usr/bin/env node\nif (process.argv[2] === "--version") console.log(${JSON.stringify(version)});\n`;

/** `find_command` and `node_version` under `env`, as JSON. */
function probe(env: Record<string, string>): {
  argv: string[] | null;
  problem: string | null;
  version: { version: string | null; problem: string | null };
} {
  const script = [
    "import json, os",
    "from splatbook_jupyter.command import find_command, node_version",
    "f = find_command(os.environ)",
    "print(json.dumps({'argv': f.argv, 'problem': f.problem, 'version': node_version(os.environ)}))",
  ].join("\n");
  const r = spawnSync(PYTHON, ["-c", script], {
    env: { PYTHONPATH: join(ROOT, "kernel", "python"), ...env },
    encoding: "utf8",
  });
  if (r.status !== 0) throw new Error(r.stderr);
  return JSON.parse(r.stdout);
}

const nodeDir = dirname(process.execPath);

describe("the kernel launcher's search for the Node kernel", () => {
  it("names the npm package and how to install it when no splatbook is on PATH", () => {
    const empty = bin("empty", {});
    const r = probe({ PATH: empty });
    expect(r.argv).toBeNull();
    expect(r.problem).toContain(
      `no \`splatbook\` command is on the PATH the kernel was started with (${empty})`,
    );
    expect(r.problem).toContain("npm install -g splatbook");
    expect(r.problem).toContain("SPLATBOOK_COMMAND");
    expect(r.version.problem).toBe(r.problem);
  });

  it("says Node.js is missing when splatbook is there but node is not", () => {
    const only = bin("cli-only", { splatbook: CLI("1.2.3") });
    const r = probe({ PATH: only });
    expect(r.problem).toBe(
      `Node.js was not found: ${join(only, "splatbook")} runs with \`node\`, which is not on the PATH the kernel was started with (${only}). Install Node.js 20.19 or newer, or put its folder on that PATH, then restart the kernel.`,
    );
  });

  it("says which Node.js is too old", () => {
    const old = bin("old-node", {
      splatbook: CLI("1.2.3"),
      node: '#!/bin/sh\n[ "$1" = --version ] && echo v18.2.0\n',
    });
    const r = probe({ PATH: old });
    expect(r.problem).toBe(
      `${join(old, "node")} is Node.js 18.2; splatbook needs Node.js 20.19 or newer. Install a newer Node.js, then restart the kernel.`,
    );
  });

  it("gives the command line for splatbook on PATH, and its version", () => {
    const good = bin("good", { splatbook: CLI("1.2.3") });
    const r = probe({ PATH: `${good}:${nodeDir}` });
    expect(r).toMatchObject({ argv: [join(good, "splatbook")], problem: null });
    expect(r.version).toMatchObject({ version: "1.2.3", problem: null });
  });

  it("takes SPLATBOOK_COMMAND, a command line, over PATH, and reports one that is not there", () => {
    const main = join(bin("configured", { "main.js": CLI("4.5.6") }), "main.js");
    const r = probe({ PATH: nodeDir, SPLATBOOK_COMMAND: `node ${main}` });
    expect(r).toMatchObject({ argv: [process.execPath, main], problem: null });
    expect(r.version.version).toBe("4.5.6");
    const gone = probe({ PATH: nodeDir, SPLATBOOK_COMMAND: "/nonexistent/splatbook" });
    expect(gone.problem).toBe(
      "SPLATBOOK_COMMAND=/nonexistent/splatbook: /nonexistent/splatbook is not an executable file. Point it at the `splatbook` command of the npm package, then restart the kernel.",
    );
  });

  it("reports a splatbook whose --version fails", () => {
    const broken = bin("broken", { splatbook: '#!/bin/sh\necho "boom" >&2\nexit 3\n' });
    const r = probe({ PATH: broken });
    expect(r.argv).toEqual([join(broken, "splatbook")]);
    expect(r.version.version).toBeNull();
    expect(r.version.problem).toBe(`${join(broken, "splatbook")} --version failed (exit 3): boom`);
  });
});
