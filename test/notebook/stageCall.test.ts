// A stage call's value in a notebook: the typed result, shown as one line of figures (its MIME
// bundle), and a cached Training call showing the training summary again from the job's files.
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { TRAINING_MIME, type TrainingPayload } from "../../src/contracts/mime.js";
import { installKernelHooks, MIME_BUNDLE, type MimeBundle } from "../../src/jupyter/runtime.js";
import { showCachedDisplay, withSummary } from "../../src/notebook/stageCall.js";
import { tempDir } from "../engine/helpers.js";

const outcome = () => ({
  stage: "Training" as const,
  status: "cached" as const,
  cached: true,
  reason: null,
  durationSecs: 113,
  fingerprint: "abc",
  result: { gaussian_count: 19993, psnr: 29.30674122030182, ssim: 0.9, steps: 1900 },
});

afterEach(() => installKernelHooks(undefined));

describe("stage call results", () => {
  it("stay the typed result and show as one line of figures", () => {
    const plain = outcome();
    const shown = withSummary(outcome());
    expect(JSON.stringify(shown)).toBe(JSON.stringify(plain));
    expect(Object.keys(shown)).toEqual(Object.keys(plain));
    const bundle = (shown as unknown as Record<symbol, () => MimeBundle>)[MIME_BUNDLE]!();
    expect(bundle["text/plain"]).toBe(
      "Training: cached (completed earlier with the same parameters and inputs) — " +
        "psnr 29.31 dB, ssim 0.9000, 19\u2009993 splats, 1900 steps",
    );
  });

  it("a cached Training call shows the training summary from the job's files", () => {
    const out = tempDir("stage-call");
    mkdirSync(join(out, "previews"));
    const status = {
      current_iteration: 1900,
      total_iterations: 1900,
      progress_percentage: 100,
      elapsed_time_seconds: 113,
      estimated_remaining_seconds: 0,
      current_splat_count: 19993,
      last_eval_psnr: 29.3,
      last_eval_ssim: 0.9,
      export_path: out,
      current_export_file: null,
      status: "completed",
      last_updated: "2026-01-01T00:00:00Z",
      error_message: null,
      psnr_history: [
        [500, 24.1],
        [1900, 29.3],
      ],
    };
    writeFileSync(join(out, "training_status.json"), JSON.stringify(status));
    const shown: MimeBundle[] = [];
    installKernelHooks({
      cellSignal: () => new AbortController().signal,
      display: (data) => void shown.push(data),
      clearOutput: () => {},
      input: async () => "",
    });
    showCachedDisplay("Training", { outputFolder: out, jobId: "scene" });
    expect(shown).toHaveLength(1);
    const payload = shown[0]![TRAINING_MIME] as TrainingPayload;
    expect(payload.status).toBe("completed");
    expect(payload.psnr_history).toEqual(status.psnr_history);
    expect(String(shown[0]!["text/html"])).toContain("<polyline");
    showCachedDisplay("ColmapReconstruction", { outputFolder: out, jobId: "scene" });
    expect(shown).toHaveLength(1);
  });
});
