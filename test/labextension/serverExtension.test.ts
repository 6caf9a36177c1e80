// The splatbook server extension in a real Jupyter server (the working tree's Python package, on PYTHONPATH):
// listing with bounded depth, one job, artefacts, and every way out of the root refused.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ROOT, startJupyter, type RunningServer } from "./jupyterServer.js";

const root = mkdtempSync(join(tmpdir(), "splatbook-srvext-root-"));
const outside = mkdtempSync(join(tmpdir(), "splatbook-srvext-outside-"));
let server: RunningServer;

function job(path: string, checkpoint: object): void {
  mkdirSync(join(root, path, "previews"), { recursive: true });
  writeFileSync(join(root, path, ".checkpoint.json"), JSON.stringify(checkpoint));
}

beforeAll(async () => {
  job("out/a", { job_id: "a", stage: "Training" });
  writeFileSync(join(root, "out/a/training_status.json"), JSON.stringify({ status: "training" }));
  writeFileSync(join(root, "out/a/previews/step_00010.png"), "png-10");
  writeFileSync(join(root, "out/a/previews/step_00020.png"), "png-20");
  writeFileSync(join(root, "out/a/previews/ground_truth.png"), "gt");
  writeFileSync(join(root, "out/a/model.splat"), "splat");
  writeFileSync(join(root, "out/a/notes.txt"), "private");
  writeFileSync(join(root, "out/a/cameras.json"), '{"version":1}');
  writeFileSync(join(root, "out/a/metadata.json"), "private json");
  job("d1/d2/d3/d4/deep", { job_id: "deep", stage: "Completed" });
  job(".hidden/job", { job_id: "hidden", stage: "Completed" });
  writeFileSync(join(root, "broken.json"), "{");
  mkdirSync(join(root, "broken"));
  writeFileSync(join(root, "broken/.checkpoint.json"), "{not json");
  writeFileSync(join(outside, "secret.png"), "secret");
  mkdirSync(join(outside, "job"));
  writeFileSync(join(outside, "job/.checkpoint.json"), "{}");
  symlinkSync(outside, join(root, "out/escape"));
  symlinkSync(join(outside, "secret.png"), join(root, "out/a/previews/link.png"));
  server = await startJupyter({
    app: "server",
    root,
    args: ["--ServerApp.jpserver_extensions=splatbook_jupyter=True"],
    env: {
      PYTHONPATH: join(ROOT, "kernel", "python"),
      // The Node kernel the version route reports: this checkout's CLI.
      SPLATBOOK_COMMAND: `${process.execPath} ${join(ROOT, "lib", "cli", "main.js")}`,
    },
  });
}, 180_000);

afterAll(async () => {
  await server?.stop();
  rmSync(root, { recursive: true, force: true });
  rmSync(outside, { recursive: true, force: true });
});

async function get(route: string, auth = true): Promise<{ status: number; body: string }> {
  const r = await fetch(`${server.url}splatbook/api/${route}`, {
    headers: auth ? { Authorization: `token ${server.token}` } : {},
  });
  return { status: r.status, body: await r.text() };
}

describe("splatbook server extension", () => {
  it("lists jobs to the requested depth, skipping hidden folders and symlinks out", async () => {
    const shallow = JSON.parse((await get("jobs?depth=3")).body).jobs;
    expect(shallow.map((j: { path: string }) => j.path).sort()).toEqual(["broken", "out/a"]);
    const deep = JSON.parse((await get("jobs?depth=5")).body).jobs;
    expect(deep.map((j: { path: string }) => j.path).sort()).toEqual([
      "broken",
      "d1/d2/d3/d4/deep",
      "out/a",
    ]);
    const under = JSON.parse((await get("jobs?folder=d1/d2/d3&depth=2")).body).jobs;
    expect(under.map((j: { path: string }) => j.path)).toEqual(["d1/d2/d3/d4/deep"]);
  });

  it("returns one job's files and the paths of its artefacts", async () => {
    const a = JSON.parse((await get("job?path=out/a")).body);
    expect(a.checkpoint).toEqual({ job_id: "a", stage: "Training" });
    expect(a.training_status).toEqual({ status: "training" });
    expect(a.preview).toBe("out/a/previews/step_00020.png");
    expect(a.ground_truth).toBe("out/a/previews/ground_truth.png");
    expect(a.model).toBe("out/a/model.splat");
    expect(a.cameras).toBe("out/a/cameras.json");
    const broken = JSON.parse((await get("job?path=broken")).body);
    expect(broken.checkpoint).toBeNull();
    expect(broken.errors[0]).toMatch(/^\.checkpoint\.json: /);
    expect((await get("job?path=out")).status).toBe(404);
  });

  it("serves artefacts only", async () => {
    const png = await get("file?path=out/a/previews/step_00020.png");
    expect(png).toEqual({ status: 200, body: "png-20" });
    expect((await get("file?path=out/a/model.splat")).body).toBe("splat");
    expect((await get("file?path=out/a/notes.txt")).status).toBe(403);
    // The capture cameras by name; other JSON files of the job stay private.
    expect((await get("file?path=out/a/cameras.json")).body).toBe('{"version":1}');
    expect((await get("file?path=out/a/metadata.json")).status).toBe(403);
    expect((await get("file?path=out/a/missing.png")).status).toBe(404);
  });

  it.each([
    ["..", "job?path=.."],
    ["../ in the middle", "job?path=out/../.."],
    ["absolute path", `job?path=${encodeURIComponent(outside)}`],
    ["absolute folder", `jobs?folder=${encodeURIComponent(outside)}`],
    ["URL-encoded ..", "job?path=out%2F%2E%2E%2F%2E%2E"],
    ["double-encoded ..", "job?path=out%2F%252E%252E%2F%252E%252E"],
    ["backslash", "job?path=out%5C..%5C.."],
    ["symlinked folder out of the root", "job?path=out/escape/job"],
    ["symlinked file out of the root", "file?path=out/a/previews/link.png"],
    ["file through a symlinked folder", "file?path=out/escape/secret.png"],
    ["hidden folder", "job?path=.hidden/job"],
    ["hidden file", "file?path=out/a/.checkpoint.json"],
  ])("refuses %s", async (_name, route) => {
    const r = await get(route);
    expect([400, 403]).toContain(r.status);
    expect(r.body).not.toContain("secret");
    expect(JSON.parse(r.body).message).toBeTruthy();
  });

  it("refuses unauthenticated requests", async () => {
    for (const route of ["jobs", "job?path=out/a", "file?path=out/a/model.splat", "version"]) {
      const r = await get(route, false);
      expect(r.status).toBe(403);
      expect(r.body).not.toContain("splat");
    }
  });

  it("reports its version and the Node kernel's", async () => {
    const { version } = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8"));
    const r = await get("version");
    expect(r.status).toBe(200);
    expect(JSON.parse(r.body)).toEqual({
      version,
      kernel: {
        command: [process.execPath, join(ROOT, "lib", "cli", "main.js")],
        version,
        problem: null,
      },
    });
  });
});
