/** The kernelspec and `splatbook install/uninstall`, checked with the real `jupyter` CLI. */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PNG } from "pngjs";
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import {
  installCommand,
  scopeFromFlags,
  uninstallCommand,
} from "../../src/cli/commands/install.js";
import { installKernelSpec, uninstallKernelSpec } from "../../src/kernel/kernelspecInstall.js";
import { jupyterDataDir } from "../../src/jupyter/paths.js";
import { SplatbookError } from "../../src/util/errors.js";
import { ensureKernelBuilt, KERNEL_MAIN, ROOT } from "./helpers.js";

const JUPYTER = join(ROOT, ".venv", "bin", "jupyter");
const temps: string[] = [];
const temp = () => {
  const d = mkdtempSync(join(tmpdir(), "splatbook-spec-"));
  temps.push(d);
  return d;
};

/** `jupyter kernelspec list --json` under `env`: name → resource_dir. */
function listKernels(env: NodeJS.ProcessEnv): Record<string, string> {
  const r = spawnSync(JUPYTER, ["kernelspec", "list", "--json"], { env, encoding: "utf8" });
  expect(r.status, r.stderr).toBe(0);
  const specs = (JSON.parse(r.stdout) as { kernelspecs: Record<string, { resource_dir: string }> })
    .kernelspecs;
  return Object.fromEntries(Object.entries(specs).map(([k, v]) => [k, v.resource_dir]));
}

describe("splatbook kernelspec", () => {
  beforeAll(() => ensureKernelBuilt());
  afterEach(() => {
    for (const d of temps.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  it("installs into a prefix that jupyter finds, with argv, interrupt mode and logos", async () => {
    const prefix = temp();
    const dir = await installKernelSpec({ scope: { kind: "prefix", prefix } });
    expect(dir).toBe(join(prefix, "share", "jupyter", "kernels", "splatbook"));
    const spec = JSON.parse(readFileSync(join(dir, "kernel.json"), "utf8"));
    expect(spec).toMatchObject({
      argv: [process.execPath, KERNEL_MAIN, "{connection_file}"],
      display_name: "TypeScript (splatbook)",
      language: "typescript",
      interrupt_mode: "signal",
    });
    for (const size of [32, 64]) {
      const png = PNG.sync.read(readFileSync(join(dir, `logo-${size}x${size}.png`)));
      expect([png.width, png.height]).toEqual([size, size]);
    }
    const env = { ...process.env, JUPYTER_PATH: join(prefix, "share", "jupyter") };
    expect(listKernels(env).splatbook).toBe(dir);

    expect(await uninstallKernelSpec({ scope: { kind: "prefix", prefix } })).toEqual([dir]);
    expect(existsSync(dir)).toBe(false);
    expect(listKernels(env).splatbook).not.toBe(dir);
  });

  it("uses jupyter's user data dir for --user and the venv's sys.prefix for --sys-prefix", async () => {
    const data = temp();
    // The venv may hold an installed splatbook kernelspec too (the set-up installs one there), and
    // jupyter_core prefers env paths inside a venv: ask it to look at the user dir first.
    const env = { ...process.env, JUPYTER_DATA_DIR: data, JUPYTER_PREFER_ENV_PATH: "0" };
    expect(jupyterDataDir({ kind: "user" }, ROOT, env)).toBe(data);
    expect(jupyterDataDir({ kind: "sys-prefix" }, ROOT, env)).toBe(
      join(ROOT, ".venv", "share", "jupyter"),
    );
    const dir = await installKernelSpec({ scope: { kind: "user" }, env });
    expect(dir).toBe(join(data, "kernels", "splatbook"));
    expect(listKernels(env).splatbook).toBe(dir);
    // Scoped, so the suite's own kernelspec in the venv (used by other tests) stays installed.
    expect(await uninstallKernelSpec({ scope: { kind: "user" }, env })).toContain(dir);
    expect(existsSync(dir)).toBe(false);
  });

  it("refuses conflicting scope flags", () => {
    expect(() => scopeFromFlags({ user: true, prefix: "/x" }, undefined)).toThrow(SplatbookError);
    expect(scopeFromFlags({ sysPrefix: true }, undefined)).toEqual({ kind: "sys-prefix" });
    expect(scopeFromFlags({}, { kind: "user" })).toEqual({ kind: "user" });
  });

  it("runs as the install and uninstall commands", async () => {
    const prefix = temp();
    const log = vi.spyOn(console, "log").mockImplementation(() => {});
    try {
      await installCommand().parseAsync(["--prefix", prefix], { from: "user" });
      const dir = join(prefix, "share", "jupyter", "kernels", "splatbook");
      expect(existsSync(join(dir, "kernel.json"))).toBe(true);
      expect(log).toHaveBeenCalledWith(`kernelspec splatbook installed in ${dir}`);
      await uninstallCommand().parseAsync(["--prefix", prefix], { from: "user" });
      expect(existsSync(dir)).toBe(false);
      expect(log).toHaveBeenCalledWith(`kernelspec removed from ${dir}`);
    } finally {
      log.mockRestore();
    }
  });
});
