/**
 * A real `kill -9` while the CLI georeferences: the small drone survey goes through COLMAP; its
 * metadata.json (which the georeferencing reads after COLMAP's result is saved) is swapped for a
 * named pipe, so the process blocks inside georeferencing until the test kills its whole process
 * group. The same command then resumes: no new COLMAP attempt, the saved reconstruction is
 * georeferenced.
 */
import { execFileSync, spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CheckpointSchema } from "../../src/contracts/checkpoint.js";
import type { ColmapReconstructionResult } from "../../src/contracts/stageResults.js";
import { cachedRender, contentOf } from "../../src/sample/corpus.js";
import { droneSurvey } from "../../src/sample/photoCaptures.js";
import { ROOT, compileEntry, spawnNode, tempDir, waitFor } from "../engine/helpers.js";
import { SMALL_SURVEY } from "../sfm/georef/synthetic.js";

let cli = "";
let input = "";
const root = tempDir("georef-kill");
beforeAll(async () => {
  cli = compileEntry(join(ROOT, "src/cli/main.ts"), "splatbook-cli-test");
  const survey = droneSurvey(SMALL_SURVEY); // the survey e2e test's capture, cached
  input = (await cachedRender(survey.name, contentOf(survey))).dir;
}, 900_000);
afterAll(() => rm(root, { recursive: true, force: true }));

function checkpoint(path: string) {
  try {
    return CheckpointSchema.parse(JSON.parse(readFileSync(path, "utf8")));
  } catch {
    return null; // not written yet
  }
}

describe("kill -9 during georeferencing", () => {
  it("the same command resumes with the saved reconstruction and georeferences it", async () => {
    const output = join(root, "out");
    const args = ["process", input, output, "--until", "ColmapReconstruction", "--json-log"];
    const cpPath = join(output, ".checkpoint.json");
    // Detached: its own process group, so the kill takes everything down, like a crash.
    const child = spawn(process.execPath, [cli, ...args], { detached: true, stdio: "ignore" });
    const exited = new Promise((r) => child.on("exit", r));
    const state = () => checkpoint(cpPath)?.stages?.ColmapReconstruction?.state;
    await waitFor(() => state() === "running", 300_000, "ColmapReconstruction to start");
    const metadata = join(output, "metadata.json");
    const content = await readFile(metadata);
    await rm(metadata);
    execFileSync("mkfifo", [metadata]); // opening it for reading blocks until a writer comes
    const saved = () => checkpoint(cpPath)?.stage_steps?.steps?.sfm !== undefined;
    await waitFor(saved, 1_200_000, "COLMAP's result to be saved");
    await new Promise((r) => setTimeout(r, 1000)); // it is now waiting on the pipe
    process.kill(-child.pid!, "SIGKILL");
    await exited;
    expect(state()).toBe("running");
    expect(existsSync(join(output, "georef.json"))).toBe(false);
    await rm(metadata);
    await writeFile(metadata, content);

    const again = spawnNode(cli, args, { HEALTH_CHECK_ENABLED: "" });
    const exit = await again.exited;
    const lines = again
      .output()
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(exit.code, again.output()).toBe(0);
    const msgs = lines.map((l) => String(l.msg ?? ""));
    expect(msgs).toContain(
      "COLMAP: the interrupted run's reconstruction is reused; georeferencing it",
    );
    expect(msgs.some((m) => m.startsWith("COLMAP attempt"))).toBe(false);
    expect(lines.filter((l) => l.type === "stage-start").map((l) => l.stage)).toEqual([
      "ColmapReconstruction",
    ]);
    const cp = checkpoint(cpPath)!;
    const result = cp.stages!.ColmapReconstruction!.result as ColmapReconstructionResult;
    expect(result.georef!.method).toBe("gps");
    expect(result.georef!.inliers).toBeGreaterThanOrEqual(30);
  }, 1_800_000); // COLMAP once on 36 small photos, on 2 shared cores
});
