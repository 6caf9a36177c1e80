/**
 * `splatbook train` (the commander command) on a tiny COLMAP text model, run in-process with
 * SPLATBOOK_TRAIN_BACKEND=reference so it needs no GPU; plain-line progress (not a TTY).
 */
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { testSeed } from "../../seed.js";
import { trainCommand } from "../../../src/cli/commands/train.js";
import { TrainingStatusSchema } from "../../../src/contracts/trainingStatus.js";
import { readPly } from "../../../src/export/index.js";
import { writeColmapTextModel } from "../../train/colmapFixture.js";
import { syntheticScene } from "../../train/syntheticScene.js";

describe("splatbook train (reference backend)", () => {
  let lines: string[];
  beforeEach(() => {
    process.env.SPLATBOOK_TRAIN_BACKEND = "reference";
    lines = [];
    vi.spyOn(console, "log").mockImplementation((m: unknown) => void lines.push(String(m)));
  });
  afterEach(() => {
    delete process.env.SPLATBOOK_TRAIN_BACKEND;
    vi.restoreAllMocks();
  });

  it("trains with Brush's flags, writes the status file, exports and prints progress lines", async () => {
    const scene = await syntheticScene({ seed: testSeed(), views: 9, size: 20, splats: 8 });
    const root = writeColmapTextModel(mkdtempSync(join(tmpdir(), "cli-model-")), scene);
    const out = mkdtempSync(join(tmpdir(), "cli-out-"));
    await trainCommand().parseAsync(
      [
        join(root, "sparse"),
        "--total-steps",
        "40",
        "--eval-every",
        "20",
        "--export-every",
        "20",
        "--export-path",
        out,
        "--save-status",
        "--status-filename",
        "status.json",
        "--max-resolution",
        "16",
        "--sh-degree",
        "1",
        "--max-splats",
        "50",
        "--seed",
        "9",
        "--snapshot-every",
        "20",
        "--preview-every",
        "40",
      ],
      { from: "user" },
    );
    const status = TrainingStatusSchema.parse(
      JSON.parse(readFileSync(join(out, "status.json"), "utf8")),
    );
    expect(status.status).toBe("completed");
    expect(status.total_iterations).toBe(40);
    expect(status.export_path).toBe(out);
    expect((await readPly(join(out, "export_00020.ply"))).count).toBeGreaterThan(0);
    expect(existsSync(join(out, "export_00040.ply"))).toBe(true);
    expect(existsSync(join(out, "training", "final.ply"))).toBe(true);
    expect(existsSync(join(out, "previews", "step_00040.png"))).toBe(true);
    expect(lines.some((l) => /^step 40\/40 .*steps\/s .*ETA/.test(l))).toBe(true);
    expect(lines.at(-1)).toMatch(/^trained 40 steps .*held-out PSNR \d+\.\d\d dB/);
  });

  it("rejects a bad flag value and reports a missing dataset by name", async () => {
    const cmd = trainCommand()
      .exitOverride()
      .configureOutput({ writeErr: () => {} });
    await expect(cmd.parseAsync(["x", "--total-steps", "abc"], { from: "user" })).rejects.toThrow(
      /whole number/,
    );
    const out = mkdtempSync(join(tmpdir(), "cli-missing-"));
    await expect(
      trainCommand().parseAsync([join(out, "nope"), "--export-path", out, "--save-status"], {
        from: "user",
      }),
    ).rejects.toThrow(/nope/);
    const status = JSON.parse(readFileSync(join(out, "training_status.json"), "utf8"));
    expect(status.status).toBe("error");
    expect(status.error_message).toMatch(/nope/);
  });
});
