/**
 * What a capture of the corpus is, as the corpus list (corpus.ts) and the modules that build its
 * captures (drone, hand-held, photo) share it: a module below all of them.
 */
import type { SidecarSpec } from "./corpusCache.js";
import type { VideoSpec } from "./render.js";
import type { PhotoSeriesSpec } from "./stills.js";
import type { CaptureTruth } from "./truth.js";

/** What a corpus video varies, for choosing captures and checking the corpus covers enough. */
export interface VideoInfo {
  fileName: string;
  width: number;
  height: number;
  frames: number;
  fovDeg: number;
  path: "orbit" | "walk";
  handHeld: boolean;
  rotation: number;
  tags: Readonly<Record<string, string>>;
  /** Exposure and white balance change from frame to frame (auto-exposure). */
  autoExposure?: boolean;
}

/**
 * A capture of the corpus: what it varies, its videos, photos and sidecars as render
 * specifications, and the renderer's true cameras.
 */
export interface CorpusCapture {
  name: string;
  /** One line: what this capture is and what makes it different. */
  description: string;
  videos(): VideoInfo[];
  specs(): VideoSpec[];
  photos?(): PhotoSeriesSpec[];
  sidecars?(): SidecarSpec[];
  truth(): CaptureTruth;
}
