// `splatbook install --prefix P` / `uninstall --prefix P`: the prebuilt lab extension and the
// server extension's config land in P and Jupyter (from the venv) finds them there.
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it, vi } from "vitest";
import { installCommand, uninstallCommand } from "../../src/cli/commands/install.js";
import { ROOT, VENV_BIN } from "./jupyterServer.js";

const prefix = mkdtempSync(join(tmpdir(), "splatbook-lab-install-"));
afterAll(() => rmSync(prefix, { recursive: true, force: true }));

describe("splatbook install --prefix", () => {
  it("installs the prebuilt extension and enables the server extension, and removes both", async () => {
    expect(
      existsSync(join(ROOT, "labextension", "splatbook_labextension", "package.json")),
      "built by .ci/setup",
    ).toBe(true);
    const log = vi.spyOn(console, "log").mockImplementation(() => {});
    try {
      await installCommand().parseAsync(["--prefix", prefix], { from: "user" });
      const ext = join(prefix, "share", "jupyter", "labextensions", "splatbook-labextension");
      const built = JSON.parse(readFileSync(join(ext, "package.json"), "utf8"));
      expect(built.jupyterlab._build.load).toMatch(/^static\/remoteEntry\.[0-9a-f]+\.js$/);
      expect(existsSync(join(ext, built.jupyterlab._build.load))).toBe(true);
      expect(existsSync(join(ext, "schemas", "splatbook-labextension", "panel.json"))).toBe(true);
      expect(JSON.parse(readFileSync(join(ext, "install.json"), "utf8")).packageName).toBe(
        "splatbook",
      );
      const config = join(
        prefix,
        "etc",
        "jupyter",
        "jupyter_server_config.d",
        "splatbook_jupyter.json",
      );
      expect(JSON.parse(readFileSync(config, "utf8"))).toEqual({
        ServerApp: { jpserver_extensions: { splatbook_jupyter: true } },
      });
      const env = {
        ...process.env,
        JUPYTER_PATH: join(prefix, "share", "jupyter"),
        JUPYTER_CONFIG_PATH: join(prefix, "etc", "jupyter"),
      };
      const listed = spawnSync(join(VENV_BIN, "jupyter"), ["labextension", "list"], {
        env,
        encoding: "utf8",
      });
      // Colour codes stripped (ESC [ ... m).
      const text = (listed.stdout + listed.stderr).replace(
        new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*m`, "g"),
        "",
      );
      expect(text).toMatch(
        new RegExp(
          `${prefix}/share/jupyter/labextensions\\s+splatbook-labextension v0\\.1\\.0 enabled OK`,
        ),
      );
      await uninstallCommand().parseAsync(["--prefix", prefix], { from: "user" });
      expect(existsSync(ext)).toBe(false);
      expect(existsSync(config)).toBe(false);
    } finally {
      log.mockRestore();
    }
  });
});
