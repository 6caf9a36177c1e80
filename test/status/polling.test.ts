// A separate reader process polls .checkpoint.json and training_status.json in a tight loop
// while this process rewrites them through the real writers; it must never see a partial or
// invalid file.
import { spawn } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { CheckpointSchema } from "../../src/contracts/checkpoint.js";
import { createCheckpointWriter, newCheckpoint } from "../../src/engine/checkpointStore.js";
import { createTrainingStatusWriter } from "../../src/status/index.js";
import { tempDir } from "../engine/helpers.js";

const READER = `
import { readFileSync, existsSync } from "node:fs";
const [cpPath, tsPath, stopPath, minReads] = process.argv.slice(1);
let reads = 0, bad = 0, missing = 0;
const firstBad = [];
while (!existsSync(stopPath) || reads < Number(minReads)) {
  for (const p of [cpPath, tsPath]) {
    let text;
    try { text = readFileSync(p, "utf8"); } catch { missing++; continue; }
    reads++;
    try {
      const v = JSON.parse(text);
      const ok = p === cpPath ? typeof v.job_id === "string" && v.completed_stages && v.stages
                              : typeof v.current_iteration === "number" && Array.isArray(v.psnr_history);
      if (!ok) throw new Error("fields missing");
    } catch (e) { bad++; if (firstBad.length < 3) firstBad.push(text.slice(0, 120)); }
  }
}
console.log(JSON.stringify({ reads, bad, missing, firstBad }));
`;

describe("atomic status files under polling", () => {
  it("a reader polling thousands of times never sees a partial or invalid file", async () => {
    const dir = tempDir("poll");
    const cpPath = join(dir, ".checkpoint.json");
    const tsPath = join(dir, "training_status.json");
    const stop = join(dir, "stop");
    const cpWriter = createCheckpointWriter(dir);
    const cp = newCheckpoint({
      jobId: "poll",
      inputFolder: "/in",
      outputFolder: dir,
      tempFolder: "/tmp/x",
      params: {},
    });
    await cpWriter.write(cp);
    const ts = createTrainingStatusWriter(tsPath, { throttleMs: 0 });
    const base = {
      total_iterations: 1000,
      elapsed_time_seconds: 0,
      estimated_remaining_seconds: null,
      current_splat_count: 0,
      last_eval_psnr: null,
      last_eval_ssim: null,
      export_path: dir,
      current_export_file: null,
      last_updated: "2026-01-01T00:00:00Z",
    };
    await ts.write({
      ...base,
      current_iteration: 0,
      progress_percentage: 0,
      status: "starting",
      psnr_history: [],
    });

    const reader = spawn(
      process.execPath,
      ["--input-type=module", "-e", READER, cpPath, tsPath, stop, "4000"],
      {
        stdio: ["ignore", "pipe", "inherit"],
      },
    );
    let out = "";
    reader.stdout.on("data", (d) => (out += d));
    const done = new Promise<number | null>((r) => reader.on("exit", r));

    // Sizes vary a lot between writes, so a torn read would show as truncated JSON.
    let writes = 0;
    const started = Date.now();
    while (writes < 600 || Date.now() - started < 1500) {
      const n = (writes * 37) % 200;
      cp.videos = Object.fromEntries(
        Array.from({ length: n }, (_, i) => [
          `video ${i} ñ.mp4`,
          { frames_extracted: i, done: i % 2 === 0 },
        ]),
      );
      await cpWriter.write(cp);
      await ts.write({
        ...base,
        current_iteration: writes,
        progress_percentage: writes / 10,
        status: "training",
        psnr_history: Array.from({ length: n }, (_, i) => [i, 20 + i / 100] as [number, number]),
      });
      writes++;
    }
    writeFileSync(stop, "");
    expect(await done).toBe(0);
    const result = JSON.parse(out) as {
      reads: number;
      bad: number;
      missing: number;
      firstBad: string[];
    };
    expect(result.firstBad).toEqual([]);
    expect(result.bad).toBe(0);
    expect(result.missing).toBe(0);
    expect(result.reads).toBeGreaterThanOrEqual(4000);
    CheckpointSchema.parse(cp);
    console.log(`polling: ${result.reads} reads during ${writes * 2} writes, 0 partial`);
  });
});
