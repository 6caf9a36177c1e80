// The real `splatbook` CLI (src/cli/main.ts compiled with tsc, run as a node process): one-line
// errors, exit codes, status output, /health after a failure, and a real capture run.
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { request } from "node:http";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { CheckpointSchema } from "../../src/contracts/checkpoint.js";
import { HealthSchema } from "../../src/contracts/health.js";
import { freePort } from "../../src/util/net.js";
import { ROOT, compileEntry, spawnNode, tempDir, waitFor } from "../engine/helpers.js";

let cli = "";
beforeAll(() => {
  cli = compileEntry(join(ROOT, "src/cli/main.ts"), "splatbook-cli-test");
}, 300_000);

async function splatbook(args: string[], env: NodeJS.ProcessEnv = {}) {
  const s = spawnNode(cli, args, { HEALTH_CHECK_ENABLED: "", ...env });
  const exit = await s.exited;
  return { code: exit.code, out: s.output() };
}

function getJson(url: string): Promise<unknown> {
  return new Promise((resolve, reject) => {
    request(url, (res) => {
      let body = "";
      res.on("data", (d) => (body += d));
      res.on("end", () => resolve(JSON.parse(body)));
    })
      .on("error", reject)
      .end();
  });
}

/** The events of a `--json-log` run, one JSON object a line. */
function jsonLines(out: string): Array<Record<string, unknown>> {
  return out
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

/** The stages named by events of one type, in order. */
function stagesOf(events: Array<Record<string, unknown>>, type: string): unknown[] {
  return events.filter((l) => l.type === type).map((l) => l.stage);
}

/** A `.checkpoint.json`, parsed with its contract. */
function readCheckpointFile(path: string) {
  return CheckpointSchema.parse(JSON.parse(readFileSync(path, "utf8")));
}

type Health = ReturnType<typeof HealthSchema.parse>;

/** Polls /health on `port` every 50 ms until it reports `state` or `tries` polls have passed. */
async function pollHealth(port: number, state: Health["state"], tries: number) {
  let health: Health | undefined;
  for (let i = 0; i < tries && health?.state !== state; i++) {
    await new Promise((r) => setTimeout(r, 50));
    health = await getJson(`http://127.0.0.1:${port}/health`)
      .then((j) => HealthSchema.parse(j))
      .catch(() => undefined);
  }
  return health;
}

describe("splatbook CLI", () => {
  it("lists its commands", async () => {
    const { code, out } = await splatbook(["--help"]);
    expect(code).toBe(0);
    for (const c of ["process", "status", "watch", "cleanup", "sample", "demo"]) {
      expect(out).toMatch(new RegExp(`^  ${c} `, "m"));
    }
  });

  it("expected errors are one line with no stack trace and exit 1", async () => {
    const root = tempDir("cli");
    const { code, out } = await splatbook(["process", join(root, "missing"), join(root, "o")]);
    expect(code).toBe(1);
    expect(out).toBe(`splatbook: ${join(root, "missing")}: input folder does not exist\n`);
    const status = await splatbook(["status", root]);
    expect(status.code).toBe(1);
    expect(status.out).toBe(
      `splatbook: ${root}: no .checkpoint.json (not a splatbook job folder)\n`,
    );
    const bad = await splatbook(["process", root, join(root, "o"), "--until", "Bogus"]);
    expect(bad.code).toBe(1);
    expect(bad.out).toMatch(/unknown stage "Bogus"/);
    // A CRS the schema accepts but the registry says is geographic fails before any stage runs.
    mkdirSync(join(root, "in"), { recursive: true });
    const crs = await splatbook([
      "process",
      join(root, "in"),
      join(root, "o"),
      "--crs",
      "EPSG:4326",
    ]);
    expect(crs.code).toBe(1);
    expect(crs.out).toMatch(/^splatbook: --crs EPSG:4326 \(WGS 84\) is not a projected CRS/);
    expect(existsSync(join(root, "o", ".checkpoint.json"))).toBe(false);
  });

  it("a failed job: one-line cause, checkpoint error, `status`, and /health in error", async () => {
    const root = tempDir("cli");
    const input = join(root, "empty scene");
    mkdirSync(input);
    const output = join(root, "out");
    const port = await freePort();
    const s = spawnNode(cli, ["process", input, output], {
      HEALTH_CHECK_ENABLED: "true",
      HEALTH_CHECK_PORT: String(port),
      HEALTH_CHECK_LINGER_SECS: "5",
    });
    // The job fails at once (no video); /health keeps serving for the linger time.
    const health = await pollHealth(port, "error", 200);
    expect(health?.state).toBe("error");
    expect(health?.error_message).toContain("no usable video");
    expect(health?.current_job).toMatchObject({
      job_id: "out",
      stage: "Validation",
      progress_percentage: 0,
    });
    const exit = await s.exited;
    expect(exit.code).toBe(1);
    const errLines = s
      .output()
      .split("\n")
      .filter((l) => l.startsWith("splatbook:"));
    expect(errLines).toEqual([`splatbook: ${input}: no usable video or photo (folder is empty)`]);
    expect(s.output()).not.toMatch(/^\s+at /m);

    const cp = readCheckpointFile(join(output, ".checkpoint.json"));
    expect(cp.stage).toBe("Validation");
    expect(cp.error?.message).toBe(`${input}: no usable video or photo (folder is empty)`);
    const human = await splatbook(["status", output]);
    expect(human.code).toBe(0);
    expect(human.out).toMatch(/stage\s+Validation \(0%\)/);
    expect(human.out).toMatch(/Validation\s+failed/);
    expect(human.out).toContain("last error: Validation:");
    const json = await splatbook(["status", output, "--json"]);
    expect(JSON.parse(json.out)).toMatchObject({ stage: "Validation", running_pid: null });
  });

  it("processes the real sample capture up to ManifestGeneration, then resumes with nothing to redo", async () => {
    const root = tempDir("cli");
    const sample = join(root, "sample dir");
    const output = join(root, "out");
    const r = await splatbook(["sample", sample, "--frames-per-orbit", "12"]);
    expect(r.code, r.out).toBe(0);
    writeFileSync(join(sample, "readme.txt"), "not a video");
    const upToManifest = ["process", sample, output, "--until", "ManifestGeneration"];
    const first = await splatbook([...upToManifest, "--frames-per-video", "6"]);
    expect(first.code, first.out).toBe(0);
    expect(first.out).toContain("ManifestGeneration done in");
    const cp = readCheckpointFile(join(output, ".checkpoint.json"));
    expect(cp.stage).toBe("ColmapReconstruction");
    expect(cp.progress_percentage).toBe(50);
    expect(cp.completed_stages).toMatchObject({ video_count: 2, total_frames: 12 });
    expect(cp.completed_stages.manifest_path).toBe(join(output, "manifest.json"));
    expect(cp.params).toEqual({ framesPerVideo: 6 });

    const again = await splatbook([...upToManifest, "--frames-per-video", "6", "--json-log"]);
    expect(again.code, again.out).toBe(0);
    const lines = jsonLines(again.out);
    expect(
      lines.some((l) => l.msg === "Resuming from checkpoint at stage ColmapReconstruction"),
    ).toBe(true);
    expect(stagesOf(lines, "stage-cached")).toEqual([
      "Validation",
      "FrameExtraction",
      "MetadataExtraction",
      "ManifestGeneration",
    ]);
    // A changed frame count reruns FrameExtraction and what follows, not Validation.
    const changed = await splatbook([...upToManifest, "--frames-per-video", "4", "--json-log"]);
    const events = jsonLines(changed.out);
    expect(stagesOf(events, "stage-cached")).toEqual(["Validation"]);
    expect(stagesOf(events, "stage-complete")).toEqual([
      "FrameExtraction",
      "MetadataExtraction",
      "ManifestGeneration",
    ]);
    const cp2 = readCheckpointFile(join(output, ".checkpoint.json"));
    expect(cp2.completed_stages.total_frames).toBe(8);
  });

  it("watch: quarantines a failing scene with error.txt, reports watching, SIGTERM exits 143", async () => {
    const root = tempDir("cli-watch");
    const inputRoot = join(root, "in");
    const outputRoot = join(root, "out");
    mkdirSync(join(inputRoot, "empty scene"), { recursive: true });
    writeFileSync(join(inputRoot, "empty scene", "notes.txt"), "no video here");
    mkdirSync(outputRoot);
    const port = await freePort();
    const w = spawnNode(
      cli,
      ["watch", "--stable-secs", "0.5", "--poll-secs", "0.2", "--max-attempts", "1"],
      {
        INPUT_PATH: inputRoot,
        OUTPUT_PATH: outputRoot,
        HEALTH_CHECK_ENABLED: "true",
        HEALTH_CHECK_PORT: String(port),
      },
    );
    const errorTxt = join(inputRoot, ".failed", "empty scene", "error.txt");
    await waitFor(() => existsSync(errorTxt), 60_000, "quarantine");
    expect(readFileSync(errorTxt, "utf8")).toMatch(/cause: .*empty scene: no usable video/);
    const health = await pollHealth(port, "watching", 100);
    expect(health?.state).toBe("watching");
    expect(health?.error_message).toMatch(/^empty-scene: .*no usable video/);
    const cp = readCheckpointFile(join(outputRoot, "empty-scene", ".checkpoint.json"));
    expect(cp.error?.stage).toBe("Validation");
    w.child.kill("SIGTERM");
    expect((await w.exited).code, w.output()).toBe(143);
  });

  it("demo renders the sample into <dir>/sample and processes it into <dir>/output", async () => {
    const dir = join(tempDir("cli-demo"), "demo");
    const first = await splatbook([
      "demo",
      dir,
      "--until",
      "Validation",
      "--frames-per-orbit",
      "6",
    ]);
    expect(first.code, first.out).toBe(0);
    expect(first.out).toMatch(/sample: 2 video\(s\) of 6 frames/);
    const cp = readCheckpointFile(join(dir, "output", ".checkpoint.json"));
    expect(cp).toMatchObject({
      job_id: "output",
      stage: "FrameExtraction",
      input_folder: join(dir, "sample"),
    });
    expect(cp.completed_stages.video_count).toBe(2);
    const again = await splatbook(["demo", dir, "--until", "Validation"]);
    expect(again.code, again.out).toBe(0);
    expect(again.out).toContain(`sample: reusing ${join(dir, "sample")}`);
    expect(again.out).toContain("Validation: unchanged, reusing the earlier result");
  });

  it("SIGKILL in the middle of ColmapReconstruction: the same command resumes there and completes", async () => {
    const root = tempDir("cli-kill");
    const sample = join(root, "sample");
    const output = join(root, "out");
    expect((await splatbook(["sample", sample, "--frames-per-orbit", "12"])).code).toBe(0);
    const args = ["process", sample, output, "--until", "ColmapReconstruction", "--json-log"];
    // Detached: its own process group, so the kill takes COLMAP down with it, like a crash.
    const child = spawn(process.execPath, [cli, ...args], { detached: true, stdio: "ignore" });
    const cpPath = join(output, ".checkpoint.json");
    const colmapRunning = () => {
      try {
        const cp = JSON.parse(readFileSync(cpPath, "utf8"));
        return cp.stages?.ColmapReconstruction?.state === "running";
      } catch {
        return false;
      }
    };
    await waitFor(colmapRunning, 120_000, "ColmapReconstruction to start");
    await new Promise((r) => setTimeout(r, 1500));
    process.kill(-child.pid!, "SIGKILL");
    await new Promise((r) => child.on("exit", r));
    expect(colmapRunning()).toBe(true);

    const again = await splatbook(args);
    expect(again.code, again.out).toBe(0);
    const lines = jsonLines(again.out);
    expect(
      lines.some((l) => l.msg === "Resuming from checkpoint at stage ColmapReconstruction"),
    ).toBe(true);
    expect(lines.some((l) => String(l.msg).includes(`left by dead process pid ${child.pid}`))).toBe(
      true,
    );
    expect(stagesOf(lines, "stage-cached")).toEqual([
      "Validation",
      "FrameExtraction",
      "MetadataExtraction",
      "ManifestGeneration",
    ]);
    expect(stagesOf(lines, "stage-start")).toEqual(["ColmapReconstruction"]);
    const cp = readCheckpointFile(cpPath);
    expect(cp.stage).toBe("Training");
    expect(cp.completed_stages.video_count).toBe(2);
    expect(cp.completed_stages.colmap_points).toBeGreaterThan(0);
  }, 480_000); // COLMAP twice (killed, then resumed) on 2 shared cores
});
