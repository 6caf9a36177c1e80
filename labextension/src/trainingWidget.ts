/**
 * Renderer of `application/vnd.splatbook.training+json`: step bar with steps/s and ETA, splat
 * count, PSNR/SSIM, the PSNR plot and the latest preview beside its ground truth.
 */
import type { IRenderMime } from "@jupyterlab/rendermime-interfaces";
import type { Poll } from "@lumino/polling";
import { Panel } from "@lumino/widgets";
import { TRAINING_MIME, TrainingPayloadSchema, type TrainingPayload } from "@splatbook/contracts";
import { trainingIsFinal, trainingPayloadFromStatus } from "@splatbook/views";
import type { JobFiles, SplatbookApi } from "./api";
import type { LabContext } from "./context";
import { formatCount, formatDuration, formatPercent, formatPsnr, formatRate } from "./format";
import { startLivePoll } from "./livePoll";
import { parseMetrics } from "./metrics";
import { readPayload } from "./payload";
import { PreviewPair, pngBlobUrl, pngDataUrl } from "./previewPair";
import { createProgressBar } from "./progressBar";
import { PsnrPlot } from "./psnrPlot";

/** The one-line summary under the bar. */
export function trainingSummary(t: TrainingPayload): string {
  const parts = [
    t.status,
    `${formatCount(t.splat_count)} splats`,
    `PSNR ${formatPsnr(t.last_eval_psnr)}`,
    `SSIM ${t.last_eval_ssim === null ? "–" : t.last_eval_ssim.toFixed(3)}`,
    formatRate(t.steps_per_second),
    `elapsed ${formatDuration(t.elapsed_time_seconds)}`,
  ];
  if (!trainingIsFinal(t.status) && t.estimated_remaining_seconds !== null) {
    parts.push(`ETA ${formatDuration(t.estimated_remaining_seconds)}`);
  }
  if (t.status === "error" && typeof t.error_message === "string") parts.push(t.error_message);
  return parts.join(" · ");
}

/** Draws training payloads (also used by the panel's job view). */
export class TrainingView extends Panel {
  private readonly bar = createProgressBar("Training steps");
  private readonly summary = document.createElement("div");
  private readonly plot = new PsnrPlot();
  private readonly previews = new PreviewPair();
  private shownPoints = -1;
  private ssim: [number, number][] = [];

  constructor() {
    super();
    this.addClass("splatbook-training-view");
    const head = new Panel();
    head.node.append(this.bar.node, this.summary);
    this.summary.className = "splatbook-summary";
    const body = new Panel();
    body.addClass("splatbook-training-body");
    body.addWidget(this.plot);
    body.node.appendChild(this.previews.node);
    this.addWidget(head);
    this.addWidget(body);
  }

  /** Shows `t`; the plot redraws only when the history changed. */
  render(t: TrainingPayload): Promise<void> {
    const pct = t.total > 0 ? (t.step / t.total) * 100 : 0;
    this.bar.set(t.step, t.total, `step ${t.step} / ${t.total} (${formatPercent(pct)})`);
    this.summary.textContent = trainingSummary(t);
    this.node.dataset.status = t.status;
    this.node.classList.toggle("splatbook-failed", t.status === "error");
    this.previews.set(pngDataUrl(t.preview_png), pngDataUrl(t.ground_truth_png));
    if (t.ssim_history && t.ssim_history.length >= this.ssim.length) this.ssim = t.ssim_history;
    return this.redrawPlot(t.psnr_history);
  }

  /** Newer images fetched from the server (blob: URLs). */
  setImages(preview: string | null, truth: string | null): void {
    this.previews.set(preview, truth);
  }

  /** A newer metrics history (PSNR and SSIM) read from `metrics.arrow`. */
  setHistory(psnr: [number, number][], ssim: [number, number][]): Promise<void> {
    this.ssim = ssim;
    this.shownPoints = -1;
    return this.redrawPlot(psnr);
  }

  private redrawPlot(psnr: readonly (readonly [number, number])[]): Promise<void> {
    const points = psnr.length * 1000 + this.ssim.length;
    if (points === this.shownPoints) return Promise.resolve();
    this.shownPoints = points;
    return this.plot.draw(psnr, this.ssim);
  }

  override dispose(): void {
    this.previews.dispose();
    super.dispose();
  }
}

/** Fetches what changed since the last poll: metrics when the history grew, the new preview. */
export class TrainingFollower {
  private preview: string | null = null;
  private truth: string | null = null;
  private points = -1;

  constructor(
    private readonly api: SplatbookApi,
    private readonly view: TrainingView,
  ) {}

  /** Builds the payload from a polled job and updates the view's images and history. */
  async follow(job: JobFiles, jobPath: string): Promise<TrainingPayload | undefined> {
    const s = job.training_status;
    if (!s) return undefined;
    const t = trainingPayloadFromStatus(s, {
      outputFolder: job.checkpoint?.output_folder ?? jobPath,
      jobId: job.checkpoint?.job_id ?? jobPath,
      jobPath,
    });
    await this.view.render(t);
    const points = s.psnr_history?.length ?? 0;
    if (job.metrics && points !== this.points) {
      const m = await parseMetrics(await this.api.file(job.metrics));
      this.points = points;
      await this.view.setHistory(m.psnr, m.ssim);
    }
    if (job.preview && job.preview !== this.preview) {
      this.preview = job.preview;
      this.view.setImages(pngBlobUrl(await this.api.file(job.preview)), null);
    }
    if (job.ground_truth && !this.truth) {
      this.truth = job.ground_truth;
      this.view.setImages(null, pngBlobUrl(await this.api.file(job.ground_truth)));
    }
    return t;
  }
}

/**
 * The rendermime renderer: the kernel's payload (with its embedded history and preview), then,
 * while training is not finished and the kernel is quiet, the job's files polled from the server.
 */
export class TrainingWidget extends Panel implements IRenderMime.IRenderer {
  private readonly view = new TrainingView();
  private readonly follower: TrainingFollower;
  private payload: TrainingPayload | undefined;
  private lastModelAt = 0;
  private poll: Poll | undefined;

  constructor(private readonly ctx: LabContext) {
    super();
    this.addClass("splatbook-training");
    this.addWidget(this.view);
    this.follower = new TrainingFollower(ctx.api, this.view);
  }

  /** Renders a (new or updated) bundle from the kernel. */
  async renderModel(model: IRenderMime.IMimeModel): Promise<void> {
    const payload = readPayload(this.node, model, TRAINING_MIME, TrainingPayloadSchema, "training");
    if (!payload) return;
    this.payload = payload;
    this.lastModelAt = Date.now();
    await this.view.render(payload);
    this.syncPolling();
  }

  protected override onAfterAttach(): void {
    this.syncPolling();
  }

  protected override onBeforeDetach(): void {
    this.poll?.dispose();
    this.poll = undefined;
  }

  override dispose(): void {
    this.poll?.dispose();
    super.dispose();
  }

  private syncPolling(): void {
    const p = this.payload;
    if (!p || p.job_path == null || trainingIsFinal(p.status)) {
      this.poll?.dispose();
      this.poll = undefined;
      return;
    }
    if (this.poll || !this.isAttached) return;
    const jobPath = p.job_path;
    const interval = this.ctx.settings().pollInterval * 1000;
    this.poll = startLivePoll<TrainingPayload>({
      name: `splatbook:training:${jobPath}`,
      interval,
      fetch: async () => {
        if (Date.now() - this.lastModelAt < 2 * interval) return undefined;
        return this.follower.follow(await this.ctx.api.job(jobPath), jobPath);
      },
      onData: (t) => (this.payload = t),
      isFinal: (t) => trainingIsFinal(t.status),
      isHidden: () => !this.isVisible,
    });
  }
}
