// `splatbook run` as a real process (compiled test entry, real ipykernel): exit codes, the
// one-line failure message, and the output notebook surviving a SIGKILL of the runner.
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import type { Notebook } from "../../src/runner/notebook.js";
import { buildRunnerCli, code, VENV, writeTestNotebook } from "./helpers.js";

let cli = "";
const env = { ...process.env, VIRTUAL_ENV: VENV };

beforeAll(() => {
  cli = buildRunnerCli();
});

/** PIDs of processes launched with JPY_PARENT_PID=parent (the kernels of that runner). */
function kernelsOf(parent: number): number[] {
  const pids: number[] = [];
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const environ = readFileSync(`/proc/${name}/environ`, "utf8").split("\0");
      if (environ.includes(`JPY_PARENT_PID=${parent}`)) pids.push(Number(name));
    } catch {
      // exited or not ours
    }
  }
  return pids;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("splatbook run (process)", () => {
  it("exits 0 on success and 1 with a one-line message naming the failing cell", () => {
    const ok = writeTestNotebook([code("x = 1", ["parameters"]), code("print(x)")]);
    const okOut = join(mkdtempSync(join(tmpdir(), "runner-cli-")), "out.ipynb");
    const r1 = spawnSync("node", [cli, "run", ok, okOut, "-p", "x", "5", "--no-progress-bar"], {
      env,
      encoding: "utf8",
    });
    expect(r1.status).toBe(0);
    // The kernel was shut down with the run, not left behind.
    expect(kernelsOf(r1.pid!)).toEqual([]);
    expect(r1.stderr).toMatch(/cell 3\/3 completed/);
    const nb = JSON.parse(readFileSync(okOut, "utf8")) as Notebook;
    expect(nb.cells[2]!.outputs).toEqual([{ output_type: "stream", name: "stdout", text: "5\n" }]);

    const bad = writeTestNotebook([
      code("1"),
      code("2"),
      code("raise RuntimeError('third')"),
      code("4"),
    ]);
    const r2 = spawnSync("node", [cli, "run", bad, "--log-output"], { env, encoding: "utf8" });
    expect(r2.status).toBe(1);
    const last = r2.stderr.trim().split("\n").at(-1)!;
    expect(last).toMatch(
      /^splatbook run: In \[3\] \(cell 3\) failed: RuntimeError: third — see .*in\.out\.ipynb$/,
    );
    // --log-output copied the traceback to stderr.
    expect(r2.stderr).toContain("RuntimeError");
    expect(existsSync(bad.replace(/in\.ipynb$/, "in.out.ipynb"))).toBe(true);

    const r3 = spawnSync("node", [cli, "run", "/nonexistent/x.ipynb"], { env, encoding: "utf8" });
    expect(r3.status).toBe(1);
    expect(r3.stderr.trim()).toBe("splatbook: /nonexistent/x.ipynb: cannot read notebook (ENOENT)");
  });

  it("leaves a valid partial notebook when killed mid-run, and the kernel exits too", async () => {
    const input = writeTestNotebook([
      code("print('one')"),
      code("print('two')"),
      code("import time\ntime.sleep(120)"),
      code("print('four')"),
    ]);
    const output = join(mkdtempSync(join(tmpdir(), "runner-cli-")), "out.ipynb");
    const child = spawn("node", [cli, "run", input, output, "--no-progress-bar"], {
      env,
      stdio: "ignore",
    });
    const read = () => {
      try {
        return JSON.parse(readFileSync(output, "utf8")) as Notebook;
      } catch {
        return undefined;
      }
    };
    const deadline = Date.now() + 60_000;
    while (read()?.cells[2]?.metadata.papermill?.status !== "running") {
      if (Date.now() > deadline) throw new Error("the runner never reached cell 3");
      await sleep(100);
    }
    const kernels = kernelsOf(child.pid!);
    expect(kernels.length).toBeGreaterThan(0);
    child.kill("SIGKILL");
    await new Promise((r) => child.once("exit", r));

    const nb = read()!;
    expect(nb.cells.map((c) => c.metadata.papermill!.status)).toEqual([
      "completed",
      "completed",
      "running",
      "pending",
    ]);
    expect(nb.cells[0]!.outputs).toEqual([
      { output_type: "stream", name: "stdout", text: "one\n" },
    ]);
    expect(nb.cells[1]!.outputs).toEqual([
      { output_type: "stream", name: "stdout", text: "two\n" },
    ]);
    // No temp files left beside it, and the orphaned kernel notices its parent is gone.
    expect(readdirSync(join(output, "..")).filter((f) => f !== "out.ipynb")).toEqual([]);
    const gone = Date.now() + 10_000;
    while (kernels.some((pid) => existsSync(`/proc/${pid}`)) && Date.now() < gone) await sleep(200);
    expect(kernels.filter((pid) => existsSync(`/proc/${pid}`))).toEqual([]);
  });

  it("SIGINT interrupts the running cell, marks it failed and exits 130", async () => {
    const input = writeTestNotebook([
      code("print('one')"),
      code("import time\ntime.sleep(120)"),
      code("print('three')"),
    ]);
    const output = join(mkdtempSync(join(tmpdir(), "runner-cli-")), "out.ipynb");
    const child = spawn("node", [cli, "run", input, output, "--no-progress-bar"], {
      env,
      stdio: ["ignore", "ignore", "pipe"],
    });
    let stderr = "";
    child.stderr!.on("data", (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((r) => child.once("exit", (c) => r(c)));
    const deadline = Date.now() + 60_000;
    const status = () => {
      try {
        return (JSON.parse(readFileSync(output, "utf8")) as Notebook).cells[1]?.metadata.papermill
          ?.status;
      } catch {
        return undefined;
      }
    };
    while (status() !== "running") {
      if (Date.now() > deadline) throw new Error("the runner never reached cell 2");
      await sleep(100);
    }
    await sleep(300);
    child.kill("SIGINT");
    expect(await exited).toBe(130);
    expect(stderr).toMatch(/In \[2\] \(cell 2\) failed: KeyboardInterrupt/);
    const nb = JSON.parse(readFileSync(output, "utf8")) as Notebook;
    expect(nb.cells.map((c) => c.metadata.papermill?.status)).toEqual([
      undefined,
      "completed",
      undefined,
      "failed",
      "pending",
    ]);
  });
});
