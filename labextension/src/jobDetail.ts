/** The selected job in the panel: stage table, PSNR plot and preview, and the viewer once exported. */
import { Panel } from "@lumino/widgets";
import { progressPayloadFromCheckpoint } from "@splatbook/views";
import type { JobFiles, SplatbookApi } from "./api";
import { ProgressView } from "./progressWidget";
import { SplatViewer } from "./splatViewer";
import { TrainingFollower, TrainingView } from "./trainingWidget";

/** Shows one job; `refresh` is fed by the panel's poll. */
export class JobDetail extends Panel {
  private readonly progress = new ProgressView();
  private readonly training = new TrainingView();
  private readonly follower: TrainingFollower;
  private viewer: SplatViewer | undefined;

  constructor(
    private readonly api: SplatbookApi,
    readonly path: string,
  ) {
    super();
    this.addClass("splatbook-detail");
    this.node.dataset.path = path;
    this.node.appendChild(this.progress.node);
    this.training.hide();
    this.addWidget(this.training);
    this.follower = new TrainingFollower(api, this.training);
  }

  /** Redraws from the job's latest files. */
  async refresh(job: JobFiles): Promise<void> {
    if (job.checkpoint) {
      this.progress.render(progressPayloadFromCheckpoint(job.checkpoint, { jobPath: job.path }));
    }
    if (job.training_status) {
      this.training.show();
      await this.follower.follow(job, job.path);
    }
    const exported = job.checkpoint?.stages?.SplatExport?.state === "completed";
    if (exported && job.model && !this.viewer) {
      this.viewer = new SplatViewer(this.api);
      this.addWidget(this.viewer);
      await this.viewer.load({
        path: job.model,
        file: job.model,
        gaussian_count: job.checkpoint?.completed_stages?.gaussian_count ?? null,
        preview_png: null,
        cameras_file: job.cameras ?? null,
      });
    }
  }
}
