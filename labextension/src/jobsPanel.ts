/**
 * The left-area panel: every job under the configured folder with its stage, progress, PSNR,
 * splat count and last update; failures highlighted, stale jobs marked. Selecting a job shows
 * its details below the list. The list is polled while the panel is visible. Above it, a notice
 * says when the extension's, the server extension's and the kernel's versions differ, or the
 * kernel is missing.
 */
import type { Poll } from "@lumino/polling";
import { Panel, Widget } from "@lumino/widgets";
import type { JobFiles } from "./api";
import type { LabContext } from "./context";
import { formatAgo, formatCount, formatPercent, formatPsnr } from "./format";
import { JobDetail } from "./jobDetail";
import { jobRow, type JobRow } from "./jobRow";
import { startLivePoll } from "./livePoll";
import { createProgressBar } from "./progressBar";
import { LAB_VERSION, versionNotices } from "./version";

function rowElement(row: JobRow, selected: boolean): HTMLLIElement {
  const li = document.createElement("li");
  li.className = "splatbook-job";
  li.classList.toggle("splatbook-failed", row.failed);
  li.classList.toggle("splatbook-stale", row.stale);
  li.classList.toggle("splatbook-completed", row.completed);
  li.classList.toggle("jp-mod-selected", selected);
  li.dataset.path = row.path;
  li.tabIndex = 0;
  li.setAttribute("role", "option");
  li.setAttribute("aria-selected", String(selected));
  const title = document.createElement("div");
  title.className = "splatbook-job-title";
  title.textContent = row.jobId;
  title.title = row.path;
  const stage = document.createElement("span");
  stage.className = "splatbook-job-stage";
  stage.textContent = row.stale ? `${row.stage} · stale` : row.stage;
  title.appendChild(stage);
  const bar = createProgressBar(`Progress of ${row.jobId}`);
  bar.set(row.percent, 100, formatPercent(row.percent));
  const facts = document.createElement("div");
  facts.className = "splatbook-job-facts";
  facts.textContent = [
    ...(row.inputs ? [row.inputs] : []),
    `PSNR ${formatPsnr(row.psnr)}`,
    `${formatCount(row.splats)} splats`,
    `updated ${formatAgo(row.updated)}`,
  ].join(" · ");
  li.append(title, bar.node, facts);
  if (row.error) {
    const err = document.createElement("div");
    err.className = "splatbook-error";
    err.textContent = row.error;
    li.appendChild(err);
  }
  return li;
}

/** The panel widget. */
export class JobsPanel extends Panel {
  private readonly list = document.createElement("ul");
  private readonly header = document.createElement("div");
  private readonly notice = document.createElement("div");
  private poll: Poll | undefined;
  private jobs: JobFiles[] = [];
  private selected: string | null = null;
  private detail: JobDetail | undefined;

  constructor(private readonly ctx: LabContext) {
    super();
    this.id = "splatbook-jobs";
    this.addClass("splatbook-panel");
    this.header.className = "splatbook-panel-header";
    this.notice.className = "splatbook-version-notice";
    this.notice.setAttribute("role", "status");
    this.notice.hidden = true;
    this.list.className = "splatbook-jobs";
    this.list.setAttribute("role", "listbox");
    this.list.setAttribute("aria-label", "Splatbook jobs");
    this.list.addEventListener("click", (e) => this.onPick(e));
    this.list.addEventListener("keydown", (e) => {
      if (e.key === "Enter" || e.key === " ") this.onPick(e);
    });
    const top = new Widget();
    top.node.append(this.header, this.notice, this.list);
    this.addWidget(top);
  }

  /** Fetches the list now (and restarts polling, e.g. after a settings change). */
  refresh(): void {
    this.poll?.dispose();
    this.poll = undefined;
    if (this.isVisible) this.startPolling();
  }

  /** Selects a job by its root-relative path. */
  select(path: string | null): void {
    this.selected = path;
    this.detail?.dispose();
    this.detail = undefined;
    if (path) {
      this.detail = new JobDetail(this.ctx.api, path);
      this.addWidget(this.detail);
    }
    this.draw();
    const job = this.jobs.find((j) => j.path === path);
    if (job) void this.detail?.refresh(job);
  }

  protected override onAfterShow(): void {
    this.startPolling();
  }

  protected override onAfterAttach(): void {
    if (this.isVisible) this.startPolling();
  }

  override dispose(): void {
    this.poll?.dispose();
    super.dispose();
  }

  private startPolling(): void {
    if (this.poll) return;
    this.checkVersions();
    const s = this.ctx.settings();
    this.header.textContent = `Jobs under ${s.folder ? `${s.folder}/` : "the server root"} (depth ${s.depth})`;
    this.poll = startLivePoll<JobFiles[]>({
      name: "splatbook:jobs",
      interval: s.pollInterval * 1000,
      fetch: () => this.ctx.api.listJobs(s.folder, s.depth),
      onData: (jobs) => this.onJobs(jobs),
      isFinal: () => false,
      isHidden: () => !this.isVisible,
    });
    this.poll.ticked.connect((_, tick) => {
      if (tick.phase === "rejected") {
        this.header.dataset.error = "true";
        this.header.textContent = `Cannot list jobs: ${String((tick.payload as Error)?.message ?? "")}`;
      }
    });
  }

  /** Asks the server extension for the versions once per start of polling (each refresh). */
  private checkVersions(): void {
    this.ctx.api.version().then(
      (report) => this.showNotices(versionNotices(LAB_VERSION, report)),
      (err: unknown) =>
        this.showNotices([`Cannot check the splatbook versions: ${(err as Error).message}`]),
    );
  }

  private showNotices(lines: string[]): void {
    this.notice.replaceChildren(
      ...lines.map((line) => {
        const p = document.createElement("p");
        p.textContent = line;
        return p;
      }),
    );
    this.notice.hidden = lines.length === 0;
    this.notice.dataset.checked = "true";
  }

  private onJobs(jobs: JobFiles[]): void {
    const s = this.ctx.settings();
    delete this.header.dataset.error;
    this.header.textContent = `${jobs.length} job${jobs.length === 1 ? "" : "s"} under ${s.folder ? `${s.folder}/` : "the server root"}`;
    // Newest activity first.
    this.jobs = [...jobs].sort((a, b) => (b.updated ?? 0) - (a.updated ?? 0));
    this.draw();
    const job = this.jobs.find((j) => j.path === this.selected);
    if (job) void this.detail?.refresh(job);
  }

  private draw(): void {
    const stale = this.ctx.settings().staleAfter;
    this.list.replaceChildren(
      ...this.jobs.map((j) => rowElement(jobRow(j, stale), j.path === this.selected)),
    );
    if (this.jobs.length === 0) {
      const empty = document.createElement("li");
      empty.className = "splatbook-empty";
      empty.textContent = "No jobs yet: a folder with a .checkpoint.json appears here.";
      this.list.appendChild(empty);
    }
  }

  private onPick(e: Event): void {
    const li = (e.target as HTMLElement).closest<HTMLElement>("li.splatbook-job");
    if (!li?.dataset.path) return;
    e.preventDefault();
    this.select(li.dataset.path === this.selected ? null : li.dataset.path);
  }
}
