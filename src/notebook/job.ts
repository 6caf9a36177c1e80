import { existsSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { CHECKPOINT_FILENAME, CheckpointSchema, type Checkpoint } from "../contracts/checkpoint.js";
import type { Logger } from "../contracts/logger.js";
import type { JobParams, StageParams } from "../contracts/params.js";
import type { StageResult } from "../contracts/stageResults.js";
import { STAGES, type JobStage, type StageName } from "../contracts/stages.js";
import {
  JobRun,
  type JobRunOpenOptions,
  type JobRunResult,
  type StageOutcome,
} from "../engine/job.js";
import { jobIdForOutput } from "../engine/jobId.js";
import { checkNamedParams, mergeParams, type ParamValues } from "../engine/jobParams.js";
import { loadStageTable } from "../engine/stageTable.js";
import { MIME_BUNDLE, display, getCellAbortSignal, type MimeBundle } from "../jupyter/runtime.js";
import { SplatbookError } from "../util/errors.js";
import { exportRecord } from "../export/georefSidecar.js";
import { progressBundle, splatBundle } from "./bundles.js";
import { georeferenceResult, type GeoreferenceResult } from "./georefView.js";
import { paramsHtml, paramsInEffect, paramsText } from "./paramsView.js";
import { ProgressView } from "./progressView.js";
import { serverPath } from "./serverRoot.js";
import { showCachedDisplay, withSummary } from "./stageCall.js";
import { progressPayloadFromCheckpoint } from "./views.js";

/**
 * Options of {@link Job.open}: the engine's (`fresh` applies to the first stage call only), the
 * parameters as the contract types them, and the displays.
 */
export interface JobOpenOptions extends Pick<
  JobRunOpenOptions,
  "input" | "output" | "fresh" | "maxCheckpointAgeHours"
> {
  /**
   * Parameters for any stage, named on the first call (recorded in the checkpoint like a
   * call's own). Parameters nobody names keep the values the checkpoint recorded.
   */
  params?: JobParams;
  /**
   * The job's id in the checkpoint and status files (default: the recorded one, else one made
   * from the output folder's name).
   */
  jobId?: string;
  /** Show live progress displays (default: true inside a kernel, where displays render). */
  display?: boolean;
}

/**
 * What a stage call returns: `stage`, `status` (`completed` | `cached` | `skipped`), `cached`,
 * `reason` (why it was skipped), `durationSecs`, `fingerprint`, and the stage's recorded `result`
 * (undefined when the stage was skipped).
 */
export type StageCallResult<R = unknown> = StageOutcome & { result: R };

// Work started by an interrupted cell may still be winding down (and holding the lock) when
// the user reruns the cell; later calls on the same output folder wait for it.
const inFlight = new Map<string, Promise<unknown>>();

/** The pipeline's stages as parameter owners (their contract schemas). */
const CONTRACT_STAGES = STAGES.map((name) => ({ name }));

const notebookLogger: Logger = {
  info: (m) => console.log(m),
  warn: (m) => console.warn(`warning: ${m}`),
  debug: () => {},
};

/**
 * A video→3DGS job as notebook cells. Each method runs one stage (running missing or stale
 * upstream stages first) on the same engine and checkpoint as the CLI, so a job can move between
 * a notebook and `splatbook process` freely. A call names only the parameters it changes: the
 * others keep the values the job's checkpoint recorded (from the CLI or earlier calls), so a
 * finished stage returns its recorded result at once and says so. A key a stage does not take
 * is an error naming it and the accepted keys. The lock is held only while a call runs.
 */
export class Job {
  private openParams: JobParams;
  private fresh: boolean;

  private constructor(
    readonly inputFolder: string,
    readonly outputFolder: string,
    readonly jobId: string,
    private readonly opts: JobOpenOptions,
  ) {
    this.openParams = { ...(opts.params ?? {}) };
    this.fresh = opts.fresh ?? false;
  }

  /** Opens a job; nothing runs until a stage method is called. */
  static async open(opts: JobOpenOptions): Promise<Job> {
    if (opts.params) checkNamedParams(CONTRACT_STAGES, opts.params as ParamValues);
    const input = resolve(opts.input);
    const output = resolve(opts.output);
    if (!existsSync(input)) {
      throw new SplatbookError(`${input}: input folder does not exist`, { file: input });
    }
    const existing = readCheckpointSync(output);
    const jobId = opts.jobId ?? existing?.job_id ?? jobIdForOutput(output);
    return new Job(input, output, jobId, opts);
  }

  /**
   * The parameters named for this job so far (recorded in the checkpoint, plus `Job.open`'s
   * until the first call); stage defaults apply to the rest. The status card shows them all.
   */
  get currentParams(): Readonly<JobParams> {
    const recorded = this.fresh ? {} : (this.status()?.params ?? {});
    return mergeParams(recorded, this.openParams as ParamValues) as JobParams;
  }

  /** Stage 0: probes every input file (ffprobe); non-video files are skipped with a warning. */
  validate(
    params?: StageParams<"Validation">,
  ): Promise<StageCallResult<StageResult<"Validation">>> {
    return this.stage("Validation", params);
  }
  /** Stage 1: samples frames from every video into `frames/`. */
  extractFrames(
    params?: StageParams<"FrameExtraction">,
  ): Promise<StageCallResult<StageResult<"FrameExtraction">>> {
    return this.stage("FrameExtraction", params);
  }
  /** Stage 2: GPS, make, model, creation time, rotation, fps → `metadata.json`. */
  extractMetadata(
    params?: StageParams<"MetadataExtraction">,
  ): Promise<StageCallResult<StageResult<"MetadataExtraction">>> {
    return this.stage("MetadataExtraction", params);
  }
  /** Stage 3: `manifest.json` with the frames and a camera intrinsics prior. */
  writeManifest(
    params?: StageParams<"ManifestGeneration">,
  ): Promise<StageCallResult<StageResult<"ManifestGeneration">>> {
    return this.stage("ManifestGeneration", params);
  }
  /** Stage 4: COLMAP reconstruction into `colmap/`, undistorted for training. */
  reconstruct(
    params?: StageParams<"ColmapReconstruction">,
  ): Promise<StageCallResult<StageResult<"ColmapReconstruction">>> {
    return this.stage("ColmapReconstruction", params);
  }
  /**
   * The reconstruction's georeference (ColmapReconstruction runs first when needed): ENU metres
   * around the median GPS fix, or z gravity up with an unknown scale when there is no usable GPS.
   * As a cell's value it shows the cameras top-down (north up) beside their GPS fixes, outliers
   * marked, and the residuals; `distance(a, b)` measures the model in metres. The map CRS is the
   * one the exports name (`crs`, else the origin's UTM zone).
   */
  async georeference(params?: StageParams<"ColmapReconstruction">): Promise<GeoreferenceResult> {
    const out = await this.stage("ColmapReconstruction", params);
    const georef = out.result?.georef;
    if (!georef) {
      throw new SplatbookError(
        out.status === "skipped"
          ? `${this.outputFolder}: no georeference: ColmapReconstruction was skipped (${out.reason})`
          : `${this.outputFolder}: the reconstruction has no georeference (an older release made it; run it again with fresh: true)`,
      );
    }
    const crs = this.currentParams.crs;
    const record = georef.origin ? await exportRecord(georef, crs) : georef;
    return georeferenceResult({
      job_id: this.jobId,
      output_folder: this.outputFolder,
      georef: record,
    });
  }
  /** Stage 5: trains the splats (live progress, PSNR plot and preview in the notebook). */
  train(params?: StageParams<"Training">): Promise<StageCallResult<StageResult<"Training">>> {
    return this.stage("Training", params);
  }
  /** Stage 6: `model.ply` in the INRIA layout. */
  exportPly(params?: StageParams<"PlyExport">): Promise<StageCallResult<StageResult<"PlyExport">>> {
    return this.stage("PlyExport", params);
  }
  /** Stage 7: `model.splat` (antimatter15 layout), shown in a splat viewer. */
  async exportSplat(
    params?: StageParams<"SplatExport">,
  ): Promise<StageCallResult<StageResult<"SplatExport">>> {
    const out = await this.stage("SplatExport", params);
    const r = out.result;
    if (r && this.showDisplays()) {
      display(splatBundle({ path: r.splat_path, gaussian_count: r.gaussian_count }));
    }
    return out;
  }

  /**
   * Runs every stage still to do (up to `until`), naming `params` for any stage first. Returns
   * `{ jobId, stage, completed, outcomes, checkpoint }`: the stage reached (`Completed`, or the
   * next one after `until`) and one outcome per stage evaluated.
   */
  async run(params?: JobParams, opts: { until?: JobStage } = {}): Promise<JobRunResult> {
    if (params) checkNamedParams(CONTRACT_STAGES, params as ParamValues);
    return this.withEngine(async (engine, signal) => {
      if (params) engine.setParams(params as ParamValues);
      return engine.run({ until: opts.until, signal });
    });
  }

  /** The checkpoint as on disk now (undefined before the first call). */
  status(): Checkpoint | undefined {
    return readCheckpointSync(this.outputFolder);
  }

  /** Status card when a Job is a cell's last expression: stages, then parameters in effect. */
  [MIME_BUNDLE](): MimeBundle {
    const rows = paramsInEffect(this.currentParams as ParamValues);
    const cp = this.status();
    let bundle: MimeBundle;
    if (!cp) {
      const text = `${this.jobId}: not started (input ${this.inputFolder}, output ${this.outputFolder})`;
      bundle = { "text/plain": text, "text/html": `<div>${text}</div>` };
    } else {
      bundle = progressBundle(
        progressPayloadFromCheckpoint(cp, { jobPath: serverPath(cp.output_folder) }),
      );
    }
    return {
      ...bundle,
      "text/plain": `${String(bundle["text/plain"])}\n${paramsText(rows)}`,
      "text/html": `${String(bundle["text/html"])}${paramsHtml(rows)}`,
    };
  }

  /** Plain-text form for console.log and nbconvert. */
  toString(): string {
    return String(this[MIME_BUNDLE]()["text/plain"]);
  }

  private showDisplays(): boolean {
    return this.opts.display ?? true;
  }

  private async stage<S extends StageName>(
    name: S,
    params?: StageParams<S>,
  ): Promise<StageCallResult<StageResult<S>>> {
    // Checked before the job is opened, so a misspelt key leaves nothing behind.
    if (params) checkNamedParams(CONTRACT_STAGES, params as ParamValues, { name });
    const outcome = await this.withEngine((engine, signal) =>
      engine.runStage(name, { params: params as ParamValues | undefined, signal }),
    );
    if (outcome.cached) {
      console.log(`${name}: cached — completed earlier with the same parameters and inputs`);
      if (this.showDisplays()) showCachedDisplay(name, this);
    } else if (outcome.status === "skipped") {
      console.log(`${name}: skipped — ${outcome.reason ?? "not needed"}`);
    }
    return withSummary(outcome) as StageCallResult<StageResult<S>>;
  }

  private async withEngine<T>(
    work: (engine: JobRun, signal: AbortSignal) => Promise<T>,
  ): Promise<T> {
    const previous = inFlight.get(this.outputFolder);
    if (previous) await previous.catch(() => {});
    const signal = getCellAbortSignal();
    const task = (async () => {
      const stages = await loadStageTable();
      let view: ProgressView | undefined;
      const engine = await JobRun.open({
        input: this.inputFolder,
        output: this.outputFolder,
        stages,
        params: this.openParams as ParamValues,
        jobId: this.jobId,
        fresh: this.fresh,
        maxCheckpointAgeHours: this.opts.maxCheckpointAgeHours,
        signal,
        logger: notebookLogger,
      });
      // Recorded from now on (the engine writes them with the first stage it starts).
      this.fresh = false;
      this.openParams = {};
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
