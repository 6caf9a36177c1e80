import cliProgress from "cli-progress";
import { Command } from "commander";
import { renderSample, type SampleResult } from "../../sample/index.js";
import { positiveInt } from "../jobOptions.js";

/** Sample size flags. */
export interface SampleFlags {
  framesPerOrbit?: number;
  width?: number;
  height?: number;
}

/** Renders the sample capture with a progress bar (TTY) or a closing line. */
export async function renderSampleWithProgress(
  dir: string,
  flags: SampleFlags,
): Promise<SampleResult> {
  const tty = Boolean(process.stderr.isTTY);
  const bar = tty
    ? new cliProgress.SingleBar(
        {
          stream: process.stderr,
          format: "  rendering [{bar}] {value}/{total} frames",
          clearOnComplete: true,
        },
        cliProgress.Presets.shades_classic,
      )
    : undefined;
  let started = false;
  try {
    const result = await renderSample(dir, {
      framesPerOrbit: flags.framesPerOrbit,
      width: flags.width,
      height: flags.height,
      onProgress: (done, total) => {
        if (!bar) return;
        if (!started) bar.start(total, 0);
        started = true;
        bar.update(done);
      },
    });
    bar?.stop();
    console.log(
      `sample: ${result.videos.length} video(s) of ${result.framesPerOrbit} frames at ` +
        `${result.width}×${result.height} in ${result.seconds.toFixed(1)} s → ${dir}`,
    );
    return result;
  } finally {
    bar?.stop();
  }
}

/** Adds the sample size flags. */
export function addSampleOptions(cmd: Command): Command {
  return cmd
    .option("--frames-per-orbit <n>", "frames rendered per video (default 60)", positiveInt)
    .option("--width <px>", "frame width (default 320)", positiveInt)
    .option("--height <px>", "frame height (default 240)", positiveInt);
}

/** `splatbook sample <dir>`. */
export function sampleCommand(): Command {
  return addSampleOptions(
    new Command("sample")
      .description(
        "render the synthetic sample capture (POV-Ray orbits → mp4 with GPS, make, model)",
      )
      .argument("<dir>", "folder to write the videos into"),
  ).action(async (dir: string, flags: SampleFlags) => {
    await renderSampleWithProgress(dir, flags);
  });
}

/** Adds `sample` to the program. */
export function register(program: Command): void {
  program.addCommand(sampleCommand());
}
