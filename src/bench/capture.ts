/**
 * `npm run bench:capture`: frame extraction against plain ffmpeg producing the same frames
 * (ratio, goal ≤ 1.1), and COLMAP on the sample capture with the sequential versus the
 * exhaustive matcher. All figures come from this one run.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { extractFrames, validateInput } from "../capture/index.js";
import { renderSample } from "../sample/index.js";
import { benchFrameExtraction } from "./captureExtraction.js";
import { benchColmapMatchers } from "./colmapMatchers.js";
import { makeTestClip } from "./quickScenes.js";

const framesPerVideo = Number(process.env.BENCH_FRAMES_PER_VIDEO ?? 30);
const work = await mkdtemp(join(tmpdir(), "splatbook-bench-capture-"));
try {
  // A 1280×720, 10 s clip: big enough that decoding, not process start, dominates.
  const hd = join(work, "hd.mp4");
  await makeTestClip(hd, { size: "1280x720", rate: 30, seconds: 10 });
  console.log("frame extraction (median of 3; ours vs one plain ffmpeg command, same frames):");
  for (const [label, video, frames] of [["720p 10 s clip", hd, 60]] as const) {
    const r = await benchFrameExtraction(video, { frames, runs: 3 });
    console.log(
      `  ${label}: ${r.frames} frames at ${r.width}×${r.height}: ours ${r.oursSec.toFixed(2)} s, ` +
        `plain ${r.plainSec.toFixed(2)} s, ratio ${r.ratio.toFixed(2)} (goal ≤ 1.1), ` +
        `${r.identicalFrames}/${r.frames} byte-identical, strategy ${r.strategy}`,
    );
  }

  const sampleDir = join(work, "sample");
  const t0 = performance.now();
  const sample = await renderSample(sampleDir);
  console.log(
    `sample capture: ${sample.videos.length} videos rendered in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
  );
  const sampleVideo = sample.videos[0]!;
  const rs = await benchFrameExtraction(sampleVideo, { frames: framesPerVideo, runs: 3 });
  console.log(
    `  sample video: ${rs.frames} frames at ${rs.width}×${rs.height}: ours ${rs.oursSec.toFixed(2)} s, ` +
      `plain ${rs.plainSec.toFixed(2)} s, ratio ${rs.ratio.toFixed(2)}`,
  );

  const out = join(work, "out");
  const validation = await validateInput(sampleDir);
  await extractFrames(out, validation.videos, {
    framesPerVideo,
    fps: null,
    maxLongSide: 1600,
    sharpest: false,
  });
  console.log(`COLMAP on the sample (${framesPerVideo} frames per video):`);
  const c = await benchColmapMatchers(join(out, "frames"), {});
  for (const [name, m] of [
    ["sequential", c.sequential],
    ["exhaustive", c.exhaustive],
  ] as const) {
    console.log(
      `  ${name.padEnd(10)} ${m.seconds.toFixed(1)} s (matching ${m.matchSeconds.toFixed(1)} s), ` +
        `registered ${m.registered}/${m.total}, ${m.points} points, ` +
        `mean reprojection error ${m.meanReprojectionError.toFixed(3)} px`,
    );
  }
  console.log(
    `  sequential/exhaustive time ratio ${(c.sequential.seconds / c.exhaustive.seconds).toFixed(2)}`,
  );
} finally {
  await rm(work, { recursive: true, force: true });
}
