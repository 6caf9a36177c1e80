import cliProgress from "cli-progress";
import { Command, Option } from "commander";
import { resolve } from "node:path";
import type { Logger } from "../../contracts/logger.js";
import { writePly } from "../../export/index.js";
import { loadSceneModel } from "../../sfm/index.js";
import { TRAIN_DEFAULTS, train } from "../../train/train.js";
import { wholeNumber } from "../jobOptions.js";
import { installInterruptHandlers } from "../signals.js";

interface TrainFlags {
  totalSteps?: number;
  timeBudget?: number;
  evalEvery: number;
  exportEvery: number;
  exportPath: string;
  saveStatus?: boolean;
  statusFilename: string;
  maxResolution?: number;
  shDegree: number;
  maxSplats: number;
  seed: number;
  snapshotEvery: number;
  previewEvery: number;
  appearance: "affine" | "off";
  antiAliasing: "mip" | "off";
  resolutionSchedule: "coarse-to-fine" | "fixed";
  densification: "classic" | "relocate";
  fresh?: boolean;
}

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

/** Trains on `dataset` with the command's flags: progress display, Ctrl-C → snapshot and stop. */
async function runTrainCommand(dataset: string, flags: TrainFlags): Promise<void> {
  const exportPath = resolve(flags.exportPath);
  const progress = createProgress();
  const controller = new AbortController();
  // First Ctrl-C: stop after the current step and write a snapshot; a second exits at once.
  const uninstall = installInterruptHandlers(controller, (m) => progress.log.warn(m));
  try {
    const result = await train({
      dataset,
      io: { loadScene: loadSceneModel, writePly },
      outputFolder: exportPath,
      exportPath,
      statusFilename: flags.saveStatus ? flags.statusFilename : null,
      totalSteps: flags.totalSteps,
      timeBudget: flags.timeBudget,
      evalEvery: flags.evalEvery,
      exportEvery: flags.exportEvery,
      maxResolution: flags.maxResolution,
      maxShDegree: flags.shDegree,
      maxSplats: flags.maxSplats,
      seed: flags.seed,
      snapshotEvery: flags.snapshotEvery,
      previewEvery: flags.previewEvery,
      appearance: flags.appearance,
      antiAliasing: flags.antiAliasing,
      resolutionSchedule: flags.resolutionSchedule,
      densification: flags.densification,
      fresh: flags.fresh,
      signal: controller.signal,
      log: progress.log,
      onStep: progress.onStep,
    });
    progress.stop();
    console.log(
      `trained ${result.steps} steps in ${result.elapsed_secs.toFixed(1)} s: ` +
        `${result.gaussian_count} splats, held-out PSNR ${result.psnr?.toFixed(2)} dB, ` +
        `SSIM ${result.ssim?.toFixed(4)} → ${result.params_path}`,
    );
  } finally {
    progress.stop();
    uninstall();
  }
}

/** `splatbook train <dataset>`: the Brush-style standalone trainer. */
export function trainCommand(): Command {
  const d = TRAIN_DEFAULTS;
  const command = new Command("train")
    .description(
      "train Gaussian splats on a COLMAP model folder or a transforms.json (resumes from its last snapshot)",
    )
    .argument("<dataset>", "COLMAP model folder (bin/txt) or transforms.json")
    .option(
      "--total-steps <n>",
      "optimisation steps (default: chosen from the adapter and the time budget)",
      wholeNumber,
    )
    .option(
      "--time-budget <seconds>",
      "training time the run length and resolution are chosen for (default: 600 s on a CPU adapter, none on a GPU)",
      wholeNumber,
    )
    .option(
      "--eval-every <n>",
      "evaluate PSNR/SSIM on the held-out views every N steps",
      wholeNumber,
      d.evalEvery,
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
    .option(
      "--max-resolution <px>",
      "downscale images so the long side is at most this (default: chosen from the adapter and the time budget)",
      wholeNumber,
    )
    .option(
      "--sh-degree <n>",
      "maximum spherical-harmonics degree (0-3)",
      wholeNumber,
      d.maxShDegree,
    )
    .option("--max-splats <n>", "cap on the number of splats", wholeNumber, d.maxSplats)
    .option("--seed <n>", "random seed (view order, densification)", wholeNumber, d.seed)
    .option(
      "--snapshot-every <n>",
      "write a resumable snapshot every N steps (0: never)",
      wholeNumber,
      d.snapshotEvery,
    )
    .option(
      "--preview-every <n>",
      "write previews/step_N.png every N steps (0: never)",
      wholeNumber,
      d.previewEvery,
    )
    .option("--fresh", "ignore an existing snapshot and start from step 0")
    .action(runTrainCommand);
  return withFeatureOptions(command);
}

/** The training features' options (appearance, anti-aliasing, schedules), with their choices. */
function withFeatureOptions(command: Command): Command {
  const d = TRAIN_DEFAULTS;
  return command
    .addOption(
      new Option(
        "--appearance <mode>",
        "per-image exposure/white-balance compensation (the exported model is the neutral one)",
      )
        .choices(["affine", "off"])
        .default(d.appearance),
    )
    .addOption(
      new Option(
        "--anti-aliasing <mode>",
        "Mip-Splatting 3D filter (baked into exports) and 2D compensation, or classic rendering",
      )
        .choices(["mip", "off"])
        .default(d.antiAliasing),
    )
    .addOption(
      new Option(
        "--resolution-schedule <kind>",
        "coarse-to-fine (first 40 % of the steps at 1/2 and 1/4 of the final resolution) or fixed",
      )
        .choices(["coarse-to-fine", "fixed"])
        .default(d.resolutionSchedule),
    )
    .addOption(
      new Option(
        "--densification <kind>",
        "classic clone/split/prune, or relocate (transparent splats moved, opacity decay, noise)",
      )
        .choices(["classic", "relocate"])
        .default(d.densification),
    );
}
