// @vitest-environment jsdom
// The lab extension's widgets in jsdom, with an in-memory stand-in for the server extension's
// API (hence "fake-api"): rendering, aria values, job rows, and the polling policy.
import { Widget } from "@lumino/widgets";
import { afterEach, describe, expect, it, vi } from "vitest";
import {
  EMPTY_COMPLETED_STAGES,
  STAGES,
  type Checkpoint,
  type ProgressPayload,
  type TrainingPayload,
} from "../../src/contracts/index.js";
import { PROGRESS_MIME, SPLAT_MIME, TRAINING_MIME } from "../../src/contracts/mime.js";
import { progressPayloadFromCheckpoint } from "../../src/notebook/views.js";
import { ApiError, type JobFiles, type SplatbookApi } from "../../labextension/src/api.js";
import { DEFAULT_SETTINGS, type LabContext } from "../../labextension/src/context.js";
import { jobRow } from "../../labextension/src/jobRow.js";
import { JobsPanel } from "../../labextension/src/jobsPanel.js";
import { overallPercent, ProgressWidget } from "../../labextension/src/progressWidget.js";
import { SplatViewerWidget } from "../../labextension/src/splatViewer.js";
import { trainingSummary, TrainingWidget } from "../../labextension/src/trainingWidget.js";
import { LAB_VERSION, type VersionReport } from "../../labextension/src/version.js";
import { makeRandom, testSeed } from "../seed.js";

// jsdom has no DragEvent, which @lumino/dragdrop subclasses when loaded.
vi.hoisted(() => {
  (globalThis as Record<string, unknown>).DragEvent ??= class extends MouseEvent {};
});

function checkpoint(stage: Checkpoint["stage"], extra: Partial<Checkpoint> = {}): Checkpoint {
  const done = {
    state: "completed",
    fingerprint: "f",
    started_at: null,
    finished_at: null,
    duration_secs: 2,
  };
  const upto = stage === "Completed" ? STAGES.length : STAGES.indexOf(stage);
  return {
    job_id: "scene-1",
    stage,
    input_folder: "/data/in",
    output_folder: "/data/out",
    temp_folder: "/data/out/tmp",
    timestamp: Date.now() / 1000,
    completed_stages: { ...EMPTY_COMPLETED_STAGES, video_count: 2, total_frames: 32 },
    schema_version: 1,
    progress_percentage: (upto / 8) * 100,
    started_at: "2026-01-01T00:00:00Z",
    stages: Object.fromEntries(STAGES.slice(0, upto).map((s) => [s, done])),
    error: null,
    ...extra,
  } as Checkpoint;
}

function jobFiles(cp: Checkpoint | null, extra: Partial<JobFiles> = {}): JobFiles {
  return {
    path: "out/scene",
    checkpoint: cp,
    training_status: null,
    errors: [],
    updated: Date.now() / 1000,
    metrics: null,
    preview: null,
    ground_truth: null,
    model: null,
    ...extra,
  };
}

function fakeApi(
  job: () => Promise<JobFiles>,
  versions: VersionReport = {
    version: LAB_VERSION,
    kernel: { command: ["/usr/bin/splatbook"], version: LAB_VERSION, problem: null },
  },
): SplatbookApi & { calls: number } {
  const api = {
    calls: 0,
    listJobs: async () => [await job()],
    job: async () => {
      api.calls++;
      return job();
    },
    file: async () => new ArrayBuffer(0),
    version: async () => versions,
  };
  return api;
}

function context(api: SplatbookApi, pollInterval = 0.05): LabContext {
  return { api, settings: () => ({ ...DEFAULT_SETTINGS, pollInterval }) };
}

function model(mime: string, data: unknown) {
  return { data: { [mime]: data }, metadata: {}, trusted: true, setData: () => {} } as never;
}

const attached: Widget[] = [];
function attach<T extends Widget>(w: T): T {
  Widget.attach(w, document.body);
  attached.push(w);
  return w;
}
afterEach(() => {
  for (const w of attached.splice(0)) w.dispose();
});

describe("progress renderer", () => {
  it("shows the stage table, the current stage and an aria progress bar", async () => {
    const p = progressPayloadFromCheckpoint(checkpoint("Training"), { jobPath: null });
    p.stages[5] = { ...p.stages[5]!, state: "running", fraction: 0.5 };
    const w = attach(new ProgressWidget(context(fakeApi(async () => jobFiles(null)))));
    await w.renderModel(model(PROGRESS_MIME, p));
    const bar = w.node.querySelector('[role="progressbar"]')!;
    expect(bar.getAttribute("aria-valuenow")).toBe("68.75");
    expect(bar.getAttribute("aria-valuemax")).toBe("100");
    expect(bar.getAttribute("aria-valuetext")).toBe("68.8 %");
    const rows = [...w.node.querySelectorAll("tbody tr")];
    expect(rows).toHaveLength(8);
    expect(rows[4]!.textContent).toContain("done");
    expect(rows[5]!.textContent).toContain("running 50 %");
    expect(rows[6]!.className).toContain("splatbook-state-pending");
    expect(w.node.textContent).toContain("scene-1 — Training · 2 videos ·");
  });

  it("shows the error of a failed job", async () => {
    const cp = checkpoint("ColmapReconstruction", {
      error: { stage: "ColmapReconstruction", message: "only 3 of 32 frames registered", at: "x" },
    });
    cp.stages.ColmapReconstruction = {
      state: "failed",
      fingerprint: null,
      started_at: null,
      finished_at: null,
      duration_secs: 5,
      error: "only 3 of 32 frames registered",
    };
    const w = attach(new ProgressWidget(context(fakeApi(async () => jobFiles(null)))));
    await w.renderModel(model(PROGRESS_MIME, progressPayloadFromCheckpoint(cp)));
    const alert = w.node.querySelector('[role="alert"]') as HTMLElement;
    expect(alert.hidden).toBe(false);
    expect(alert.textContent).toBe("Failed: ColmapReconstruction: only 3 of 32 frames registered");
    expect(w.node.querySelector(".splatbook-failed")).not.toBeNull();
  });

  it("reports an unreadable payload instead of throwing", async () => {
    const w = attach(new ProgressWidget(context(fakeApi(async () => jobFiles(null)))));
    await w.renderModel(model(PROGRESS_MIME, { job_id: 3 }));
    expect(w.node.textContent).toMatch(/^splatbook: unreadable progress payload/);
  });

  it("polls a live payload's job once the kernel is quiet, and stops at Completed", async () => {
    let cp = checkpoint("Training");
    const api = fakeApi(async () => jobFiles(cp));
    const w = attach(new ProgressWidget(context(api)));
    const live: ProgressPayload = {
      ...progressPayloadFromCheckpoint(checkpoint("Training")),
      live: true,
      job_path: "out/scene",
      updated_at: Date.now() / 1000 - 60,
    };
    await w.renderModel(model(PROGRESS_MIME, live));
    const bar = () => w.node.querySelector('[role="progressbar"]')!.getAttribute("aria-valuenow");
    cp = checkpoint("PlyExport");
    await vi.waitFor(() => expect(bar()).toBe("75"), { timeout: 5000 });
    cp = checkpoint("Completed");
    await vi.waitFor(() => expect(bar()).toBe("100"), { timeout: 5000 });
    const calls = api.calls;
    await new Promise((r) => setTimeout(r, 400));
    expect(api.calls).toBe(calls);
  });

  it("does not poll a payload whose call has finished", async () => {
    const api = fakeApi(async () => jobFiles(checkpoint("Completed")));
    const w = attach(new ProgressWidget(context(api)));
    await w.renderModel(
      model(PROGRESS_MIME, {
        ...progressPayloadFromCheckpoint(checkpoint("Training")),
        live: false,
        job_path: "out/scene",
      }),
    );
    await new Promise((r) => setTimeout(r, 400));
    expect(api.calls).toBe(0);
  });

  it("backs off while the job's files are missing", async () => {
    // On fake timers: the delays between fetches are what the poll scheduled, whatever the load.
    // Poll draws each backoff delay at random; the draws are seeded so a failure replays.
    vi.spyOn(Math, "random").mockImplementation(makeRandom(testSeed()));
    vi.useFakeTimers();
    try {
      const fetchedAt: number[] = [];
      const api = fakeApi(async () => {
        fetchedAt.push(Date.now());
        throw new ApiError(404, "no job in this folder");
      });
      const w = attach(new ProgressWidget(context(api, 0.02)));
      await w.renderModel(
        model(PROGRESS_MIME, {
          ...progressPayloadFromCheckpoint(checkpoint("Training")),
          live: true,
          job_path: "out/scene",
          updated_at: 0,
        }),
      );
      await vi.advanceTimersByTimeAsync(5000);
      w.dispose();
      const delays = fetchedAt.slice(1).map((t, i) => t - fetchedAt[i]!);
      // It keeps trying, at most every 10 × the 20 ms interval, and that often once backed off:
      // without backoff, 5 s would hold 250 fetches.
      expect(delays.length).toBeGreaterThan(5);
      expect(Math.max(...delays)).toBe(200);
      expect(delays.length).toBeLessThan(250 / 3);
    } finally {
      vi.useRealTimers();
      vi.restoreAllMocks();
    }
  });
});

describe("overall percentage", () => {
  it("adds the running stage's fraction of its eighth", () => {
    const p = progressPayloadFromCheckpoint(checkpoint("FrameExtraction"));
    expect(overallPercent(p)).toBe(12.5);
    p.stages[1] = { ...p.stages[1]!, state: "running", fraction: 0.2 };
    expect(overallPercent(p)).toBeCloseTo(15);
    expect(overallPercent(progressPayloadFromCheckpoint(checkpoint("Completed")))).toBe(100);
  });
});

const training: TrainingPayload = {
  job_id: "scene-1",
  status: "training",
  step: 150,
  total: 300,
  splat_count: 12345,
  last_eval_psnr: 21.234,
  last_eval_ssim: 0.7123,
  psnr_history: [
    [50, 18.2],
    [100, 20.1],
    [150, 21.234],
  ],
  preview_path: null,
  status_file: "/data/out/training_status.json",
  elapsed_time_seconds: 30,
  estimated_remaining_seconds: 30,
  steps_per_second: 5,
  preview_png: "iVBORw0KGgo=",
  ground_truth_png: null,
  job_path: null,
};

describe("training renderer", () => {
  it("shows steps, splats, PSNR, SSIM, rate and ETA, and the embedded preview", async () => {
    const w = attach(new TrainingWidget(context(fakeApi(async () => jobFiles(null)))));
    await w.renderModel(model(TRAINING_MIME, training));
    const bar = w.node.querySelector('[role="progressbar"]')!;
    expect(bar.getAttribute("aria-valuenow")).toBe("150");
    expect(bar.getAttribute("aria-valuemax")).toBe("300");
    expect(bar.getAttribute("aria-valuetext")).toBe("step 150 / 300 (50.0 %)");
    expect(w.node.querySelector(".splatbook-summary")!.textContent).toBe(
      "training · 12\u2009345 splats · PSNR 21.23 dB · SSIM 0.712 · 5.0 steps/s · elapsed 30 s · ETA 30 s",
    );
    const img = w.node.querySelector("img.splatbook-preview") as HTMLImageElement;
    expect(img.src).toBe("data:image/png;base64,iVBORw0KGgo=");
  });

  it("drops the ETA once training is over and shows the error", () => {
    expect(trainingSummary({ ...training, status: "completed" })).not.toContain("ETA");
    expect(
      trainingSummary({ ...training, status: "error", error_message: "non-finite loss" }),
    ).toContain("non-finite loss");
  });
});

describe("splat viewer", () => {
  it("shows the embedded preview where WebGL2 is missing (jsdom has none)", async () => {
    const w = attach(new SplatViewerWidget(context(fakeApi(async () => jobFiles(null)))));
    await w.renderModel(
      model(SPLAT_MIME, {
        path: "/data/out/model.splat",
        gaussian_count: 10,
        file: "out/model.splat",
        preview_png: "AAAA",
      }),
    );
    const viewer = w.node.querySelector(".splatbook-viewer") as HTMLElement;
    expect(viewer.dataset.state).toBe("fallback");
    expect((viewer.querySelector("img.splatbook-fallback") as HTMLImageElement).src).toBe(
      "data:image/png;base64,AAAA",
    );
    expect(viewer.textContent).toContain("WebGL2 is not available");
  });
});

describe("jobs panel", () => {
  it("derives rows: training progress inside its stage, failures, stale jobs", () => {
    const now = Date.now();
    const status = {
      current_iteration: 150,
      total_iterations: 300,
      last_eval_psnr: 20.5,
      current_splat_count: 900,
    };
    const row = jobRow(
      jobFiles(checkpoint("Training"), { training_status: status as never }),
      300,
      now,
    );
    expect(row.percent).toBeCloseTo(62.5 + 6.25);
    expect(row).toMatchObject({
      jobId: "scene-1",
      psnr: 20.5,
      splats: 900,
      failed: false,
      stale: false,
    });
    const old = jobRow(jobFiles(checkpoint("Training"), { updated: now / 1000 - 3600 }), 300, now);
    expect(old.stale).toBe(true);
    const done = jobRow(
      jobFiles(checkpoint("Completed"), { updated: now / 1000 - 3600 }),
      300,
      now,
    );
    expect(done).toMatchObject({ completed: true, stale: false, percent: 100 });
    // "N photos, M videos" once Validation ran; a checkpoint of an older release has no photo count.
    expect(row.inputs).toBe("2 videos");
    const mixed = checkpoint("Training", {
      completed_stages: { ...EMPTY_COMPLETED_STAGES, video_count: 1, photo_count: 12 },
    });
    expect(jobRow(jobFiles(mixed), 300, now).inputs).toBe("12 photos, 1 video");
    const fresh = checkpoint("Validation", { completed_stages: EMPTY_COMPLETED_STAGES });
    expect(jobRow(jobFiles(fresh), 300, now).inputs).toBeNull();
    const unreadable = jobRow(jobFiles(null, { errors: [".checkpoint.json: bad JSON"] }), 300, now);
    expect(unreadable).toMatchObject({ failed: true, error: ".checkpoint.json: bad JSON" });
  });

  it("lists jobs from the API and shows a selected job's stage table", async () => {
    const api = fakeApi(async () => jobFiles(checkpoint("PlyExport")));
    const panel = attach(new JobsPanel(context(api)));
    panel.refresh();
    await vi.waitFor(() => expect(panel.node.querySelector("li.splatbook-job")).not.toBeNull(), {
      timeout: 5000,
    });
    const li = panel.node.querySelector("li.splatbook-job") as HTMLElement;
    expect(li.dataset.path).toBe("out/scene");
    expect(li.querySelector('[role="progressbar"]')!.getAttribute("aria-valuenow")).toBe("75");
    expect(li.querySelector(".splatbook-job-facts")!.textContent).toMatch(/^2 videos · PSNR/);
    li.click();
    await vi.waitFor(
      () => expect(panel.node.querySelectorAll(".splatbook-detail tbody tr")).toHaveLength(8),
      { timeout: 5000 },
    );
    expect(panel.node.querySelector("li.splatbook-job")!.getAttribute("aria-selected")).toBe(
      "true",
    );
  });

  it("says in the panel when the kernel's version differs or the kernel is missing", async () => {
    const job = async () => jobFiles(checkpoint("PlyExport"));
    const notice = (p: JobsPanel) =>
      p.node.querySelector(".splatbook-version-notice") as HTMLElement;
    const agree = attach(new JobsPanel(context(fakeApi(job))));
    agree.refresh();
    await vi.waitFor(() => expect(agree.node.querySelector("li.splatbook-job")).not.toBeNull());
    expect(notice(agree).hidden).toBe(true);

    const other = fakeApi(job, {
      version: LAB_VERSION,
      kernel: { command: ["/opt/bin/splatbook"], version: "9.8.7", problem: null },
    });
    const differ = attach(new JobsPanel(context(other)));
    differ.refresh();
    await vi.waitFor(() => expect(notice(differ).hidden).toBe(false));
    expect(notice(differ).textContent).toContain(
      `the splatbook kernel (/opt/bin/splatbook) is 9.8.7, this JupyterLab extension ${LAB_VERSION}`,
    );

    const missing = fakeApi(job, {
      version: "0.0.1",
      kernel: { command: null, version: null, problem: "no `splatbook` command is on the PATH" },
    });
    const absent = attach(new JobsPanel(context(missing)));
    absent.refresh();
    await vi.waitFor(() => expect(notice(absent).hidden).toBe(false));
    const lines = [...notice(absent).querySelectorAll("p")].map((p) => p.textContent);
    expect(lines).toEqual([
      `The splatbook server extension is 0.0.1 and this JupyterLab extension ${LAB_VERSION}: reinstall the Python package splatbook-jupyter and reload the page.`,
      "no `splatbook` command is on the PATH",
    ]);
  });
});
