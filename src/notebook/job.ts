import { existsSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { CHECKPOINT_FILENAME, CheckpointSchema, type Checkpoint } from "../contracts/checkpoint.js";
import type { JobStage, StageName } from "../contracts/stages.js";
import { Job as EngineJob, type StageOutcome } from "../engine/job.js";
import { jobIdForOutput } from "../engine/jobId.js";
import { loadStageTable } from "../engine/stageTable.js";
import type { Logger } from "../contracts/logger.js";
import type { JobParams } from "../contracts/params.js";
import { MIME_BUNDLE, display, getCellAbortSignal, type MimeBundle } from "../kernel/runtime.js";
import { SplatbookError } from "../util/errors.js";
import { progressBundle, splatBundle } from "./bundles.js";
import { ProgressView, progressPayloadFromCheckpoint } from "./progressView.js";

/** Options of {@link Job.open}. */
export interface JobOpenOptions {
  /** Folder of captured videos (or a precalibrated COLMAP model / transforms.json). */
  input: string;
  /** Output folder (checkpoint, frames, COLMAP, model files). */
  output: string;
  /** Defaults for every stage; each call's parameters are merged on top and remembered. */
  params?: JobParams;
  jobId?: string;
  /** Ignore an existing checkpoint on the first call. */
  fresh?: boolean;
  maxCheckpointAgeHours?: number;
  /** Show live progress displays (default: true inside a kernel, where displays render). */
  display?: boolean;
}

/** What a stage call returns: the recorded result, and whether it was reused. */
export type StageCallResult<R = unknown> = StageOutcome & { result: R };

// Work started by an interrupted cell may still be winding down (and holding the lock) when
// the user reruns the cell; later calls on the same output folder wait for it.
const inFlight = new Map<string, Promise<unknown>>();

const notebookLogger: Logger = {
  info: (m) => console.log(m),
  warn: (m) => console.warn(`warning: ${m}`),
  debug: () => {},
};

/**
 * A video→3DGS job as notebook cells. Each method runs one stage (running missing or stale
 * upstream stages first) on the same engine and checkpoint as the CLI, so a job can move between
 * a notebook and `splatbook process` freely. Completed stages with unchanged parameters return
 * their recorded result at once and say so; the lock is held only while a call runs.
 */
export class Job {
  private params: JobParams;
  private fresh: boolean;

  private constructor(
    readonly inputFolder: string,
    readonly outputFolder: string,
    readonly jobId: string,
    private readonly opts: JobOpenOptions,
  ) {
    this.params = { ...(opts.params ?? {}) };
    this.fresh = opts.fresh ?? false;
  }

  /** Opens a job; nothing runs until a stage method is called. */
  static async open(opts: JobOpenOptions): Promise<Job> {
    const input = resolve(opts.input);
    const output = resolve(opts.output);
    if (!existsSync(input)) {
      throw new SplatbookError(`${input}: input folder does not exist`, { file: input });
    }
    const existing = readCheckpointSync(output);
    const jobId = opts.jobId ?? existing?.job_id ?? jobIdForOutput(output);
    return new Job(input, output, jobId, opts);
  }

  /** Parameters in effect for the next call. */
  get currentParams(): Readonly<JobParams> {
    return this.params;
  }

  validate(params?: JobParams) {
    return this.stage("Validation", params);
  }
  extractFrames(params?: JobParams) {
    return this.stage("FrameExtraction", params);
  }
  extractMetadata(params?: JobParams) {
    return this.stage("MetadataExtraction", params);
  }
  writeManifest(params?: JobParams) {
    return this.stage("ManifestGeneration", params);
  }
  reconstruct(params?: JobParams) {
    return this.stage("ColmapReconstruction", params);
  }
  train(params?: JobParams) {
    return this.stage("Training", params);
  }
  exportPly(params?: JobParams) {
    return this.stage("PlyExport", params);
  }
  async exportSplat(params?: JobParams) {
    const out = await this.stage("SplatExport", params);
    const r = out.result as { splat_path?: string; gaussian_count?: number } | undefined;
    if (r?.splat_path && this.showDisplays()) {
      display(splatBundle({ path: r.splat_path, gaussian_count: r.gaussian_count ?? null }));
    }
    return out;
  }

  /** Runs every stage still to do (up to `until`). */
  async run(params?: JobParams, opts: { until?: JobStage } = {}) {
    return this.withEngine(params, (engine, signal) => engine.run({ until: opts.until, signal }));
  }

  /** The checkpoint as on disk now (undefined before the first call). */
  status(): Checkpoint | undefined {
    return readCheckpointSync(this.outputFolder);
  }

  /** Status card when a Job is a cell's last expression. */
  [MIME_BUNDLE](): MimeBundle {
    const cp = this.status();
    if (!cp) {
      const text = `${this.jobId}: not started (input ${this.inputFolder}, output ${this.outputFolder})`;
      return { "text/plain": text, "text/html": `<div>${text}</div>` };
    }
    return progressBundle(progressPayloadFromCheckpoint(cp));
  }

  /** Plain-text form for console.log and nbconvert. */
  toString(): string {
    return String(this[MIME_BUNDLE]()["text/plain"]);
  }

  private showDisplays(): boolean {
    return this.opts.display ?? true;
  }

  private async stage(name: StageName, params?: JobParams): Promise<StageCallResult> {
    const outcome = await this.withEngine(params, (engine, signal) =>
      engine.runStage(name, { signal }),
    );
    if (outcome.cached) {
      console.log(`${name}: cached — completed earlier with the same parameters and inputs`);
    } else if (outcome.status === "skipped") {
      console.log(`${name}: skipped — ${outcome.reason ?? "not needed"}`);
    }
    return outcome as StageCallResult;
  }

  private async withEngine<T>(
    params: JobParams | undefined,
    work: (engine: EngineJob, signal: AbortSignal) => Promise<T>,
  ): Promise<T> {
    if (params) this.params = { ...this.params, ...params };
    const previous = inFlight.get(this.outputFolder);
    if (previous) await previous.catch(() => {});
    const signal = getCellAbortSignal();
    const task = (async () => {
      const stages = await loadStageTable();
      let view: ProgressView | undefined;
      const engine = await EngineJob.open({
        input: this.inputFolder,
        output: this.outputFolder,
        stages,
        params: this.params,
        jobId: this.jobId,
        fresh: this.fresh,
        maxCheckpointAgeHours: this.opts.maxCheckpointAgeHours,
        signal,
        logger: notebookLogger,
      });
      this.fresh = false;
      try {
        if (this.showDisplays()) {
          view = new ProgressView(engine.checkpoint);
          engine.subscribe(view.onEvent);
        }
        return await work(engine, signal);
      } finally {
        view?.finish();
        await engine.close();
      }
    })();
    inFlight.set(this.outputFolder, task);
    try {
      return await task;
    } finally {
      if (inFlight.get(this.outputFolder) === task) inFlight.delete(this.outputFolder);
    }
  }
}

function readCheckpointSync(output: string): Checkpoint | undefined {
  const file = join(output, CHECKPOINT_FILENAME);
  if (!existsSync(file)) return undefined;
  try {
    const parsed = CheckpointSchema.safeParse(JSON.parse(readFileSync(file, "utf8")));
    return parsed.success ? (parsed.data as Checkpoint) : undefined;
  } catch {
    return undefined;
  }
}
