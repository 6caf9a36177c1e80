/**
 * Corpus captures of photographs and telemetry: a drone survey of geotagged photos (EXIF GPS with
 * noise, DJI XMP), a hand-held photo set from two camera models with mixed EXIF orientations, a
 * mixed folder (photos and a clip), and a drone video with a DJI-style `.SRT` sidecar. Each knows
 * its true cameras (truth.ts); every random draw is seeded, so the files are deterministic.
 */
import type { CorpusCapture } from "./corpusCapture.js";
import { droneSurvey, droneVideoSrt } from "./droneCaptures.js";
import { handheldPhotos, mixedCourtyard } from "./handheldCaptures.js";

export { droneSurvey, SURVEY, type SurveyOptions } from "./droneCaptures.js";

/** The photo and telemetry captures of the corpus. */
export const PHOTO_CAPTURES: readonly CorpusCapture[] = [
  handheldPhotos(),
  mixedCourtyard(),
  droneVideoSrt(),
  droneSurvey(),
];
