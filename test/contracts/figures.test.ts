// Stage results as people read them: `splatbook status`, the status card and the lab
// extension's stage table print figures at a sensible precision, never raw floats.
import { describe, expect, it } from "vitest";
import { formatStatus } from "../../src/cli/commands/status.js";
import { EMPTY_COMPLETED_STAGES, type Checkpoint } from "../../src/contracts/checkpoint.js";
import { formatFigure, stageFigures } from "../../src/contracts/figures.js";
import { progressBundle } from "../../src/notebook/bundles.js";
import { progressPayloadFromCheckpoint } from "../../src/notebook/views.js";

const training = {
  params_path: "/out/training/final.ply",
  gaussian_count: 19993,
  psnr: 29.30674122030182,
  ssim: 0.912345678,
  steps: 1900,
  elapsed_secs: 113.2871,
  resumed_from_step: 0,
  max_resolution: 160,
  plan: "as requested",
};
const colmap = {
  registered_images: 60,
  total_images: 60,
  points: 4969,
  mean_reprojection_error: 0.9198765,
};

function checkpoint(): Checkpoint {
  const done = (result: unknown) => ({
    state: "completed",
    fingerprint: "f",
    started_at: null,
    finished_at: null,
    duration_secs: 2,
    result,
  });
  return {
    job_id: "scene",
    stage: "PlyExport",
    input_folder: "/in",
    output_folder: "/out",
    temp_folder: "/out/tmp",
    timestamp: Date.now() / 1000,
    completed_stages: { ...EMPTY_COMPLETED_STAGES, gaussian_count: 19993 },
    schema_version: 1,
    progress_percentage: 75,
    started_at: "2026-01-01T00:00:00Z",
    stages: { ColmapReconstruction: done(colmap), Training: done(training) },
    error: null,
  } as unknown as Checkpoint;
}

describe("stage figures", () => {
  it("format each stage's headline numbers", () => {
    expect(stageFigures("Training", training)).toBe(
      "psnr 29.31 dB, ssim 0.9123, 19\u2009993 splats, 1900 steps at 160 px, 1 min 53 s",
    );
    expect(stageFigures("ColmapReconstruction", colmap)).toBe(
      "60/60 registered, 4\u2009969 points, mean reprojection error 0.92 px",
    );
    expect(stageFigures("Training", { ...training, psnr: null, ssim: null })).not.toMatch(/psnr/);
    expect(stageFigures("Training", { ...training, psnr_fitted: 28.456 })).toMatch(
      /^psnr 29\.31 dB, fitted-half psnr 28\.46 dB, ssim/,
    );
    expect(stageFigures("Unknown", { a: 0.123456789, b: 3, c: "text" })).toBe("a 0.1235, b 3");
    expect(stageFigures("Training", undefined)).toBe("");
  });

  it("keep figures short", () => {
    expect(formatFigure(29.30674122030182)).toBe("29.31");
    expect(formatFigure(0.000012345)).toBe("1.23e-5");
    expect(formatFigure(123456.7)).toBe("123\u2009457");
  });

  it("appear in `splatbook status` and the status card, not raw floats", () => {
    const cp = checkpoint();
    const text = formatStatus(cp, undefined);
    expect(text).toContain("psnr 29.31 dB");
    expect(text).toContain("mean reprojection error 0.92 px");
    const card = progressBundle(progressPayloadFromCheckpoint(cp));
    for (const shown of [text, String(card["text/plain"]), String(card["text/html"])]) {
      expect(shown).not.toMatch(/\d\.\d{5,}/);
    }
    expect(String(card["text/plain"])).toContain("psnr 29.31 dB");
  });
});
