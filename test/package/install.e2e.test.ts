// The release artifacts, installed as a user installs them (test/package/installed.ts): the
// wheel into a fresh venv, the npm tarball into a fresh global prefix, both outside the checkout,
// run from another folder with PATH and JUPYTER_PATH pointing only at them (and the system). Then
// Jupyter lists the extensions, a notebook on the splatbook kernel runs a small job headless with
// papermill injecting a parameter, the notebook says what is missing when the npm package or
// Node.js is, JupyterLab in Chromium renders the panel and an inline widget, and uninstalling
// both leaves nothing behind. Also: what `npm pack` ships, and no build-machine path in either
// artifact. The time of each step is printed.
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Notebook } from "../../src/runner/notebook.js";
import { code, splatbookNotebook } from "../runner/helpers.js";
import { writeColmapTextModel } from "../train/colmapFixture.js";
import { syntheticScene } from "../train/syntheticScene.js";
import {
  buildArtifacts,
  installedEnv,
  installTarball,
  installWheel,
  uninstallBoth,
  newInstallation,
  runInstalled,
  TARBALL,
  VERSION,
  WHEEL,
} from "./installed.js";
import { runLabChecks } from "./labChecks.js";
import { artifactFindings, packedFiles } from "./artifacts.js";

const inst = newInstallation();
const started = Date.now();
let npmLog = "";

/** A job input with its own camera model (stages 1–4 skip), so the job is small: training on
 * WebGPU, PLY and SPLAT export, through the installed package's native modules. */
async function writeScene(dir: string): Promise<void> {
  const scene = await syntheticScene({ seed: 7, views: 9, size: 20, splats: 8 });
  writeColmapTextModel(dir, scene);
}

function writeJobNotebook(): void {
  const nb = splatbookNotebook([
    { ...code("let steps: number = 5;", ["parameters"]), id: "params" },
    {
      ...code(
        'import { Job } from "splatbook";\n' +
          'const job = await Job.open({ input: "scenes/scene", output: "out/scene", params: { maxResolution: 20, shDegree: 1, evalEvery: 10, previewEvery: 10, snapshotEvery: 10 } });\n' +
          "console.log(`kernel: ${process.argv[1]}`);",
      ),
      id: "open",
    },
    { ...code("const run = await job.run({ steps: steps });"), id: "run" },
    {
      ...code(
        "const t = await job.train();\nconsole.log(JSON.stringify({ stage: run.stage, status: t.status, steps: t.result?.steps }));",
      ),
      id: "check",
    },
  ]);
  writeFileSync(join(inst.cwd, "job.ipynb"), JSON.stringify(nb, null, 1));
}

/** The text of a notebook's stream outputs and errors, cell by cell. */
function outputs(path: string): string[] {
  const nb = JSON.parse(readFileSync(path, "utf8")) as Notebook;
  return nb.cells.map((c) =>
    ((c as { outputs?: Record<string, unknown>[] }).outputs ?? [])
      .map((o) => (o.output_type === "error" ? `${o.ename}: ${o.evalue}` : String(o.text ?? "")))
      .join(""),
  );
}

beforeAll(async () => {
  buildArtifacts(inst);
  installWheel(inst);
  npmLog = installTarball(inst);
  await writeScene(join(inst.cwd, "scenes", "scene"));
  writeJobNotebook();
}, 1_800_000);

afterAll(() => {
  const steps = Object.entries(inst.seconds).map(([k, v]) => `${k} ${v.toFixed(1)} s`);
  console.log(
    `installed-package test: ${steps.join(", ")}; better-sqlite3 ${inst.sqliteBinary}; ` +
      `${((Date.now() - started) / 1000).toFixed(0)} s in all`,
  );
  rmSync(inst.work, { recursive: true, force: true });
});

describe("the npm package and the wheel, installed outside the checkout", () => {
  it("builds exactly the two artifacts, neither holding a path of this machine", () => {
    expect(readdirSync(inst.dist).sort()).toEqual([TARBALL, WHEEL].sort());
    expect(artifactFindings(inst)).toEqual([]);
  });

  it("packs no test, fixture or cache file into the npm package, and what the CLI needs", () => {
    const files = packedFiles();
    const unwanted = files.filter((f) =>
      /(^|\/)(test|tests|__tests__|fixtures?|\.cache|cache|coverage|test-artifacts|bench)\/|\.test\.|\.tsbuildinfo$|\.map$/.test(
        f,
      ),
    );
    expect(unwanted).toEqual([]);
    for (const f of [
      "lib/cli/main.js",
      "lib/index.d.ts",
      "lib/kernel/main.js",
      "kernel/kernel.json",
    ]) {
      expect(files).toContain(f);
    }
    expect(files.filter((f) => f.endsWith(".wgsl")).length).toBeGreaterThan(10);
  });

  it("installs the native modules from the binaries their packages ship", () => {
    // zeromq and webgpu carry prebuilt binaries in their npm packages: nothing is compiled.
    expect(npmLog).toMatch(/> zeromq@[\d.]+ install/);
    expect(npmLog).not.toContain("Building addon node via cmake-ts");
    expect(npmLog).toMatch(/> webgpu@[\d.]+ postinstall/);
    const r = runInstalled(inst, "splatbook", ["--version"]);
    expect(r.stdout.trim(), r.stderr).toBe(VERSION);
  });

  it("shows the lab extension and the server extension enabled, and the kernelspec", () => {
    const strip = (s: string) =>
      s.replace(new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*m`, "g"), "");
    const labs = runInstalled(inst, "jupyter", ["labextension", "list"]);
    expect(strip(labs.stdout + labs.stderr)).toMatch(
      new RegExp(
        `splatbook-labextension v${VERSION.replace(/\./g, "\\.")} enabled OK \\(python, splatbook-jupyter\\)`,
      ),
    );
    const serverList = runInstalled(inst, "jupyter", ["server", "extension", "list"]);
    const servers = strip(serverList.stdout + serverList.stderr);
    expect(servers).toMatch(/splatbook_jupyter enabled/);
    expect(servers).toContain(`splatbook_jupyter ${VERSION} OK`);
    const specs = JSON.parse(
      runInstalled(inst, "jupyter", ["kernelspec", "list", "--json"]).stdout,
    );
    expect(specs.kernelspecs.splatbook.resource_dir).toBe(
      join(inst.venv, "share", "jupyter", "kernels", "splatbook"),
    );
    expect(specs.kernelspecs.splatbook.spec.argv).toEqual([
      "python",
      "-m",
      "splatbook_jupyter.launcher",
      "{connection_file}",
    ]);
  });

  it("runs a small job from a notebook on the splatbook kernel, papermill injecting steps", () => {
    const r = runInstalled(
      inst,
      "papermill",
      ["job.ipynb", "job.out.ipynb", "-k", "splatbook", "-p", "steps", "30"],
      { timeoutS: 900 },
    );
    expect(r.status, `${r.stdout}\n${r.stderr}`).toBe(0);
    const out = join(inst.cwd, "job.out.ipynb");
    const nb = JSON.parse(readFileSync(out, "utf8")) as Notebook;
    expect([nb.cells[1]!.source].flat().join("")).toBe("// Parameters\nlet steps = 30;\n");
    const text = outputs(out);
    // The kernel is the installed package's, started through the wheel's launcher.
    expect(text[2]).toBe(`kernel: ${join(inst.prefix, "bin", "splatbook")}\n`);
    expect(JSON.parse(/\{"stage".*\}/.exec(text[4]!)?.[0] ?? text[4]!)).toEqual({
      stage: "Completed",
      status: "cached",
      steps: 30,
    });
    // The ledger (better-sqlite3) from the installed CLI.
    const batch = runInstalled(inst, "splatbook", [
      "batch",
      "scenes",
      "batch-out",
      "--until",
      "Validation",
      "--db-dir",
      "ledger",
    ]);
    expect(batch.status, batch.stderr).toBe(0);
    const db = readdirSync(join(inst.cwd, "ledger")).find((f) => f.endsWith(".db"))!;
    const report = runInstalled(inst, "splatbook", ["ledger", join("ledger", db)]);
    expect(report.status, report.stderr).toBe(0);
    expect(report.stdout).toMatch(/scene/);
  }, 900_000);

  it("splatbook install from the npm package writes the kernelspec only and names the wheel", () => {
    const prefix = join(inst.work, "install-prefix");
    const r = runInstalled(inst, "splatbook", ["install", "--prefix", prefix]);
    expect(r.status, r.stderr).toBe(0);
    const dir = join(prefix, "share", "jupyter", "kernels", "splatbook");
    expect(r.stdout).toBe(
      `kernelspec splatbook installed in ${dir}\n` +
        "the JupyterLab extension, server extension and papermill translator come with the Python package: pip install splatbook-jupyter\n",
    );
    const spec = JSON.parse(readFileSync(join(dir, "kernel.json"), "utf8"));
    const main = join(inst.prefix, "lib", "node_modules", "splatbook", "lib", "kernel", "main.js");
    expect(spec.argv.slice(1)).toEqual([main, "{connection_file}"]);
    expect(readdirSync(prefix)).toEqual(["share"]);
    expect(runInstalled(inst, "splatbook", ["uninstall", "--prefix", prefix]).status).toBe(0);
    expect(existsSync(dir)).toBe(false);
  });

  it("says in the notebook what is missing when the npm package or Node.js is not found", () => {
    const venvBin = join(inst.venv, "bin");
    const cases: [string[], RegExp][] = [
      [[venvBin], /no `splatbook` command is on the PATH[\s\S]*npm install -g splatbook/],
      [[venvBin, join(inst.prefix, "bin")], /Node\.js was not found: .*splatbook runs with `node`/],
    ];
    for (const [path, message] of cases) {
      const out = `missing-${path.length}.ipynb`;
      const r = runInstalled(
        inst,
        join(venvBin, "papermill"),
        ["job.ipynb", out, "-k", "splatbook"],
        {
          env: installedEnv(inst, path),
        },
      );
      expect(r.status).not.toBe(0);
      const failed = outputs(join(inst.cwd, out)).find((t) =>
        t.includes("SplatbookKernelUnavailable"),
      );
      expect(failed, r.stderr).toMatch(message);
    }
  }, 300_000);

  it("renders the jobs panel and an inline widget in JupyterLab (Chromium)", async () => {
    await runLabChecks(inst);
  }, 900_000);

  it("uninstalls both, leaving no kernelspec, extension or file behind", () => {
    uninstallBoth(inst);
  }, 300_000);
});
