/** Renderer of `application/vnd.splatbook.progress+json`: the job's stages and overall progress. */
import type { IRenderMime } from "@jupyterlab/rendermime-interfaces";
import type { Poll } from "@lumino/polling";
import { Widget } from "@lumino/widgets";
import { PROGRESS_MIME, ProgressPayloadSchema, type ProgressPayload } from "@splatbook/contracts";
import { jobIsFinal, progressPayloadFromCheckpoint } from "@splatbook/views";
import type { JobFiles } from "./api";
import type { LabContext } from "./context";
import { formatDuration, formatPercent } from "./format";
import { startLivePoll } from "./livePoll";
import { readPayload } from "./payload";
import { createProgressBar, type ProgressBar } from "./progressBar";
import { renderStageTable } from "./stageTable";

/** Overall progress in percent, counting the running stage's own fraction. */
export function overallPercent(p: ProgressPayload): number {
  if (p.stage === "Completed") return 100;
  const running = p.stages.find((s) => s.state === "running");
  const share = p.stages.length > 0 ? 100 / p.stages.length : 0;
  return Math.min(100, p.progress_percentage + (running?.fraction ?? 0) * share);
}

/** Seconds of work recorded: finished stages' durations (the running one has none yet). */
export function workSeconds(p: ProgressPayload): number {
  return p.stages.reduce((sum, s) => sum + (s.duration_secs ?? 0), 0);
}

/** Draws a progress payload into `host` (also used by the panel's job view). */
export class ProgressView {
  readonly node = document.createElement("div");
  private readonly bar: ProgressBar = createProgressBar("Job progress");
  private readonly title = document.createElement("div");
  private readonly table = document.createElement("div");
  private readonly error = document.createElement("div");

  constructor() {
    this.node.className = "splatbook-progress-view";
    this.title.className = "splatbook-title";
    this.error.className = "splatbook-error";
    this.error.setAttribute("role", "alert");
    this.node.append(this.title, this.bar.node, this.table, this.error);
  }

  /** Shows `p`. */
  render(p: ProgressPayload): void {
    const pct = overallPercent(p);
    const stage = p.stage === "Completed" ? "completed" : p.stage;
    const inputs = p.inputs ? ` · ${p.inputs}` : "";
    this.title.textContent = `${p.job_id} — ${stage}${inputs} · ${formatDuration(workSeconds(p))} of work`;
    this.bar.set(pct, 100, formatPercent(pct));
    this.node.dataset.stage = p.stage;
    this.node.classList.toggle("splatbook-failed", p.error !== null);
    this.table.replaceChildren(renderStageTable(p.stages));
    this.error.textContent = p.error ? `Failed: ${p.error}` : "";
    this.error.hidden = !p.error;
  }
}

/**
 * The rendermime renderer. Renders the kernel's payload; while the payload says its call is
 * live and the kernel has gone quiet (a reopened notebook, a dead kernel, the job continued
 * from a terminal), it polls the job's checkpoint through the server extension.
 */
export class ProgressWidget extends Widget implements IRenderMime.IRenderer {
  private readonly view = new ProgressView();
  private payload: ProgressPayload | undefined;
  private lastModelAt = 0;
  private poll: Poll | undefined;

  constructor(private readonly ctx: LabContext) {
    super();
    this.addClass("splatbook-progress");
    this.node.appendChild(this.view.node);
  }

  /** Renders a (new or updated) bundle from the kernel. */
  async renderModel(model: IRenderMime.IMimeModel): Promise<void> {
    const payload = readPayload(this.node, model, PROGRESS_MIME, ProgressPayloadSchema, "progress");
    if (!payload) return;
    this.payload = payload;
    this.lastModelAt = Date.now();
    this.view.render(payload);
    if (payload.live && payload.job_path != null) this.startPolling(payload.job_path);
    else this.stopPolling();
  }

  protected override onAfterAttach(): void {
    const p = this.payload;
    if (p?.live && p.job_path != null) this.startPolling(p.job_path);
  }

  protected override onBeforeDetach(): void {
    this.stopPolling();
  }

  override dispose(): void {
    this.stopPolling();
    super.dispose();
  }

  private startPolling(jobPath: string): void {
    if (this.poll) return;
    const interval = this.ctx.settings().pollInterval * 1000;
    this.poll = startLivePoll<JobFiles>({
      name: `splatbook:progress:${jobPath}`,
      interval,
      // While the kernel is updating this output it is the fresher source.
      fetch: async () =>
        Date.now() - this.lastModelAt < 2 * interval ? undefined : this.ctx.api.job(jobPath),
      onData: (job) => this.showPolled(job, jobPath),
      isFinal: (job) => job.checkpoint !== null && jobIsFinal(job.checkpoint),
      isHidden: () => !this.isVisible,
    });
  }

  private showPolled(job: JobFiles, jobPath: string): void {
    if (!job.checkpoint || !this.payload) return;
    if (job.checkpoint.timestamp <= (this.payload.updated_at ?? 0)) return;
    const polled = progressPayloadFromCheckpoint(job.checkpoint, { jobPath, live: true });
    this.payload = polled;
    this.view.render(polled);
  }

  private stopPolling(): void {
    this.poll?.dispose();
    this.poll = undefined;
  }
}
