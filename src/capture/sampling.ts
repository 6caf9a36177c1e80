import { FrameExtractionParamsSchema, type ResolvedStageParams } from "../contracts/params.js";
import type { VideoProbe } from "./probe.js";
import type { ExtractionOptions } from "../contracts/stageResults.js";

export type { ExtractionOptions } from "../contracts/stageResults.js";

/** FrameExtraction's defaults, from its parameter schema. */
export const DEFAULT_FRAMES_PER_VIDEO =
  FrameExtractionParamsSchema.shape.framesPerVideo.def.defaultValue;
export const DEFAULT_MAX_LONG_SIDE = FrameExtractionParamsSchema.shape.maxLongSide.def.defaultValue;

/**
 * What a FrameExtraction run records of its parameters (resolved by the stage's schema, so
 * defaults and ranges are the schema's): `fps` null when frames are counted per video.
 */
export function extractionOptions(
  params: Readonly<ResolvedStageParams<"FrameExtraction">>,
): ExtractionOptions {
  const { framesPerVideo, fps, maxLongSide, sharpest } = params;
  return { framesPerVideo, fps: fps ?? null, maxLongSide, sharpest };
}

/** FrameExtraction's options when every parameter has its default. */
export function defaultExtractionOptions(): ExtractionOptions {
  return extractionOptions(FrameExtractionParamsSchema.parse({}));
}

/** Size of the written frames: display size scaled so the long side ≤ maxLongSide, never up. */
export function outputSize(
  displayWidth: number,
  displayHeight: number,
  maxLongSide: number,
): { width: number; height: number } {
  const scale = Math.min(1, maxLongSide / Math.max(displayWidth, displayHeight));
  return {
    width: Math.max(1, Math.round(displayWidth * scale)),
    height: Math.max(1, Math.round(displayHeight * scale)),
  };
}

/** The video's duration split into `count` equal windows of `step` seconds from `start`. */
export interface SamplingPlan {
  count: number;
  step: number;
  start: number;
  /** Half a frame interval (0 if the rate is unknown): lets the frame nearest a centre win. */
  halfFrame: number;
}

/** One window per requested frame (or per 1/fps seconds). */
export function samplingPlan(video: VideoProbe, opts: ExtractionOptions): SamplingPlan {
  const d = video.duration_secs;
  const count = opts.fps ? Math.max(1, Math.floor(d * opts.fps)) : opts.framesPerVideo;
  // Slightly over half a frame so a frame exactly half an interval early is not a float tie.
  const halfFrame = video.fps ? (0.5 / video.fps) * 1.001 : 0;
  return { count, step: d / count, start: video.start_time, halfFrame };
}

/**
 * A select-filter expression keeping, in one decoding pass, the frame nearest each window's
 * centre (the first frame past centre − half a frame interval). Variable 0 holds the next window
 * to fill; a frame past several centres (a gap in a variable-frame-rate video) fills only one, so
 * the count never exceeds the plan.
 */
export function uniformSelectExpression(plan: SamplingPlan): string {
  const s = plan.step.toPrecision(12);
  const origin = plan.start - plan.halfFrame;
  const t = origin < 0 ? `(t+${(-origin).toPrecision(12)})` : `(t-${origin.toPrecision(12)})`;
  return (
    `if(lt(ld(0),${plan.count})*gte(${t},(ld(0)+0.5)*${s}),` + `st(0,floor(${t}/${s}-0.5)+1),0)`
  );
}

/** A select-filter expression keeping exactly the decoded frames with these indices. */
export function indexSelectExpression(indices: readonly number[]): string {
  return indices.map((n) => `eq(n,${n})`).join("+");
}
