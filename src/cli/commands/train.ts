import cliProgress from "cli-progress";
import { Command, Option } from "commander";
import { resolve } from "node:path";
import type { Logger } from "../../contracts/logger.js";
import { writePly } from "../../export/index.js";
import { loadSceneModel } from "../../sfm/index.js";
import { TrainingParamsSchema, type TrainSettings } from "../../contracts/params.js";
import { train } from "../../train/train.js";
import { SplatbookError } from "../../util/errors.js";
import { wholeNumber } from "../jobOptions.js";
import { paramOption, paramOptions, paramsFromFlags } from "../paramOptions.js";
import { installInterruptHandlers } from "../signals.js";

/** The flags of `train` besides the Training parameters: where outputs go, and resume control. */
interface OutputFlags {
  /** Brush's spelling of `--steps`. */
  totalSteps?: number;
  exportEvery: number;
  exportPath: string;
  saveStatus?: boolean;
  statusFilename: string;
  fresh?: boolean;
}

type TrainFlags = OutputFlags & { readonly [attribute: string]: unknown };

/** Progress display: a cli-progress bar (steps/s, ETA) on a terminal, plain lines otherwise. */
function createProgress(): {
  log: Logger;
  onStep(p: { step: number; total: number; splats: number }): void;
  stop(): void;
} {
  const tty = Boolean(process.stderr.isTTY);
  const started = performance.now();
  let firstStep: number | null = null;
  const rate = (step: number) => {
    if (firstStep === null) firstStep = step - 1;
    const secs = (performance.now() - started) / 1000;
    return secs > 0 ? (step - firstStep) / secs : 0;
  };
  if (!tty) {
    return {
      log: {
        info: (m) => console.log(m),
        warn: (m) => console.error(`warning: ${m}`),
        debug: () => {},
      },
      onStep: ({ step, total, splats }) => {
        const r = rate(step);
        const every = Math.max(1, Math.round(total / 20));
        if (step % every !== 0 && step !== total) return;
        const eta = r > 0 ? Math.round((total - step) / r) : 0;
        console.log(
          `step ${step}/${total}  ${r.toFixed(2)} steps/s  ETA ${eta}s  ${splats} splats`,
        );
      },
      stop: () => {},
    };
  }
  const bar = new cliProgress.SingleBar(
    {
      format:
        "Training |{bar}| {value}/{total} steps | {speed} steps/s | ETA {eta_formatted} | {splats} splats",
      hideCursor: true,
      etaBuffer: 50,
      stream: process.stderr,
    },
    cliProgress.Presets.shades_classic,
  );
  let started_ = false;
  // Clear the bar's line before a message; the bar redraws itself on the next update.
  const print = (m: string) => process.stderr.write((started_ ? "\r\x1b[K" : "") + m + "\n");
  const log: Logger = {
    info: print,
    warn: (m) => print(`warning: ${m}`),
    debug: () => {},
  };
  return {
    log,
    onStep: ({ step, total, splats }) => {
      const speed = rate(step).toFixed(2);
      if (!started_) {
        bar.start(total, step, { speed, splats });
        started_ = true;
      } else bar.update(step, { speed, splats });
    },
    stop: () => {
      if (started_) bar.stop();
    },
  };
}

/** The Training parameters the flags give, resolved by the stage's schema (defaults filled in). */
export function trainSettingsFromFlags(flags: TrainFlags): TrainSettings {
  const given = paramsFromFlags(paramOptions(TrainingParamsSchema), flags);
  if (flags.totalSteps !== undefined) {
    if (given.steps !== undefined && given.steps !== flags.totalSteps) {
      throw new SplatbookError(
        `--steps ${String(given.steps)} and --total-steps ${flags.totalSteps} disagree (--total-steps is another name for --steps)`,
      );
    }
    given.steps = flags.totalSteps;
  }
  return TrainingParamsSchema.parse(given);
}

/** Trains on `dataset` with the command's flags: progress display, Ctrl-C → snapshot and stop. */
async function runTrainCommand(dataset: string, flags: TrainFlags): Promise<void> {
  const settings = trainSettingsFromFlags(flags);
  const exportPath = resolve(flags.exportPath);
  const progress = createProgress();
  const controller = new AbortController();
  // First Ctrl-C: stop after the current step and write a snapshot; a second exits at once.
  const uninstall = installInterruptHandlers(controller, (m) => progress.log.warn(m));
  try {
    const result = await train({
      settings,
      dataset,
      io: { loadScene: loadSceneModel, writePly },
      outputFolder: exportPath,
      exportPath,
      exportEvery: flags.exportEvery,
      statusFilename: flags.saveStatus ? flags.statusFilename : null,
      fresh: flags.fresh,
      signal: controller.signal,
      log: progress.log,
      onStep: progress.onStep,
    });
    progress.stop();
    console.log(
      `trained ${result.steps} steps in ${result.elapsed_secs.toFixed(1)} s: ` +
        `${result.gaussian_count} splats, held-out PSNR ${result.psnr?.toFixed(2)} dB` +
        // With appearance compensation: the PSNR after fitting each view's colour on its left half.
        (result.psnr_fitted == null
          ? ", "
          : ` (fitted-half ${result.psnr_fitted.toFixed(2)} dB), `) +
        `SSIM ${result.ssim?.toFixed(4)} → ${result.params_path}`,
    );
  } finally {
    progress.stop();
    uninstall();
  }
}

/**
 * `splatbook train <dataset>`: the Brush-style standalone trainer. Its training flags are the
 * Training stage's (generated from the same schema as `process`'s, with the same names, ranges
 * and defaults); `--total-steps` is Brush's name for `--steps`.
 */
export function trainCommand(): Command {
  const cmd = new Command("train")
    .description(
      "train Gaussian splats on a COLMAP model folder or a transforms.json (resumes from its last snapshot)",
    )
    .argument("<dataset>", "COLMAP model folder (bin/txt) or transforms.json");
  for (const [, option] of paramOptions(TrainingParamsSchema)) cmd.addOption(option);
  return cmd
    .addOption(
      new Option("--total-steps <n>", "Brush's name for --steps").argParser(
        paramOption("steps", TrainingParamsSchema.shape.steps).parseArg!,
      ),
    )
    .option(
      "--export-every <n>",
      "write export_<step>.ply every N steps (0: only the final model)",
      wholeNumber,
      0,
    )
    .option(
      "--export-path <dir>",
      "folder for exports, the status file, metrics, previews and snapshots",
      ".",
    )
    .option("--save-status", "write the training status JSON file")
    .option(
      "--status-filename <file>",
      "status file name inside the export path",
      "training_status.json",
    )
    .option("--fresh", "ignore an existing snapshot and start from step 0")
    .action(runTrainCommand);
}
