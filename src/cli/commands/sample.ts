import cliProgress from "cli-progress";
import { Command } from "commander";
import { CORPUS, CORPUS_NAMES, renderCorpusCapture } from "../../sample/corpus.js";
import { renderSample, type SampleResult } from "../../sample/index.js";
import { SplatbookError } from "../../util/errors.js";
import { positiveInt } from "../jobOptions.js";

/** Sample size flags. */
export interface SampleFlags {
  framesPerOrbit?: number;
  width?: number;
  height?: number;
}

/** A progress bar on a TTY stderr, else nothing. */
function frameProgress() {
  const bar = process.stderr.isTTY
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
  return {
    onProgress: (done: number, total: number) => {
      if (!bar) return;
      if (!started) bar.start(total, 0);
      started = true;
      bar.update(done);
    },
    stop: () => bar?.stop(),
  };
}

/** Renders the sample capture with a progress bar (TTY) or a closing line. */
export async function renderSampleWithProgress(
  dir: string,
  flags: SampleFlags,
): Promise<SampleResult> {
  const progress = frameProgress();
  try {
    const result = await renderSample(dir, {
      framesPerOrbit: flags.framesPerOrbit,
      width: flags.width,
      height: flags.height,
      onProgress: progress.onProgress,
    });
    progress.stop();
    console.log(
      `sample: ${result.videos.length} video(s) of ${result.framesPerOrbit} frames at ` +
        `${result.width}×${result.height} in ${result.seconds.toFixed(1)} s → ${dir}`,
    );
    return result;
  } finally {
    progress.stop();
  }
}

/** Renders one capture of the corpus into `dir`. */
async function renderCaptureWithProgress(name: string, dir: string): Promise<void> {
  const progress = frameProgress();
  const t0 = performance.now();
  try {
    const videos = await renderCorpusCapture(name, dir, { onProgress: progress.onProgress });
    progress.stop();
    const seconds = ((performance.now() - t0) / 1000).toFixed(1);
    console.log(
      `capture ${name}: ${videos.length} file(s) in ${seconds} s → ${dir} (true cameras: ${dir}.truth.json)`,
    );
  } finally {
    progress.stop();
  }
}

/** Adds the sample size flags. */
export function addSampleOptions(cmd: Command): Command {
  return cmd
    .option("--frames-per-orbit <n>", "frames rendered per video (default 60)", positiveInt)
    .option("--width <px>", "frame width (default 320)", positiveInt)
    .option("--height <px>", "frame height (default 240)", positiveInt);
}

const CAPTURE_HELP = CORPUS.map((c) => `  ${c.name}: ${c.description}`).join("\n");

/** `splatbook sample [--capture NAME] <dir>`. */
export function sampleCommand(): Command {
  return addSampleOptions(
    new Command("sample")
      .description(
        "render the synthetic sample capture (POV-Ray orbits → mp4 with GPS, make, model), " +
          "or another capture of the corpus with --capture",
      )
      .argument("<dir>", "folder to write the videos into")
      .option("--capture <name>", `a capture of the corpus: ${CORPUS_NAMES.join(", ")}`)
      .addHelpText("after", `\nCorpus captures:\n${CAPTURE_HELP}`),
  ).action(async (dir: string, flags: SampleFlags & { capture?: string }) => {
    if (flags.capture === undefined) return void (await renderSampleWithProgress(dir, flags));
    if (flags.framesPerOrbit ?? flags.width ?? flags.height) {
      throw new SplatbookError(
        "--capture renders a corpus capture as defined; size flags apply to the sample only",
      );
    }
    await renderCaptureWithProgress(flags.capture, dir);
  });
}

/** Adds `sample` to the program. */
export function register(program: Command): void {
  program.addCommand(sampleCommand());
}
