/**
 * `splatbook train` (the commander command) on a tiny COLMAP text model, run in-process with
 * SPLATBOOK_TRAIN_BACKEND=reference so it needs no GPU; plain-line progress (not a TTY).
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { ROOT } from "../../engine/helpers.js";
import { testSeed } from "../../seed.js";
import { trainCommand, trainSettingsFromFlags } from "../../../src/cli/commands/train.js";
import { TrainingParamsSchema, paramInfo } from "../../../src/contracts/params.js";
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
    expect(lines.at(-1)).toMatch(
      /^trained 40 steps .*held-out PSNR \d+\.\d\d dB( \(fitted-half \d+\.\d\d dB\))?, SSIM/,
    );
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

  it("--total-steps is --steps under Brush's name; the two must agree when both are given", async () => {
    // The flags as the command's action receives them (the action itself is not run).
    const flags = (args: string[]) => {
      let got: Record<string, unknown> = {};
      const cmd = trainCommand().action((_dataset: string, opts: Record<string, unknown>) => {
        got = opts;
      });
      cmd.parse(["x", ...args], { from: "user" });
      return got;
    };
    expect(trainSettingsFromFlags(flags(["--total-steps", "70"]) as never).steps).toBe(70);
    expect(trainSettingsFromFlags(flags(["--steps", "70"]) as never).steps).toBe(70);
    expect(() =>
      trainSettingsFromFlags(flags(["--steps", "70", "--total-steps", "80"]) as never),
    ).toThrow(/--steps 70 and --total-steps 80 disagree/);
    // Unnamed parameters take the schema's defaults, as in a job.
    expect(trainSettingsFromFlags(flags([]) as never)).toEqual(TrainingParamsSchema.parse({}));
  });
});

/** `splatbook <command> --help` from the built CLI: each option's help entry, by long flag. */
function helpEntries(command: string): Map<string, string> {
  const r = spawnSync(process.execPath, [join(ROOT, "lib", "cli", "main.js"), command, "--help"], {
    encoding: "utf8",
  });
  expect(r.status, r.stderr).toBe(0);
  const entries = new Map<string, string>();
  let current: string | null = null;
  for (const line of r.stdout.split("\n")) {
    const start = /^ {2}(-\w, )?(--[\w-]+)/.exec(line);
    if (start) {
      current = start[2]!;
      entries.set(current, line.trim());
    } else if (current && /^ {4,}\S/.test(line)) {
      entries.set(current, `${entries.get(current)} ${line.trim()}`);
    } else current = null;
  }
  // Column widths differ between the commands; the words do not.
  for (const [k, v] of entries) entries.set(k, v.replace(/\s+/g, " "));
  return entries;
}

describe("splatbook train --help and process --help", () => {
  it("show every Training parameter with the same name, help, range and default", () => {
    const train = helpEntries("train");
    const processHelp = helpEntries("process");
    for (const [key, field] of Object.entries(TrainingParamsSchema.shape)) {
      const flag = paramInfo.get(field)!.flag.split(" ")[0]!;
      expect(train.get(flag), `${key}: ${flag} in train --help`).toBeDefined();
      expect(train.get(flag), `${key}: ${flag}`).toBe(processHelp.get(flag));
      const fallback = (field as { def: { defaultValue?: unknown } }).def.defaultValue;
      if (fallback !== undefined) expect(train.get(flag)).toContain(`default ${String(fallback)}`);
    }
    expect(train.get("--sh-degree")).toContain("≥ 0 and ≤ 3");
    expect(train.get("--total-steps")).toContain("--steps");
  });
});
