/**
 * DJI-style `.SRT` telemetry sidecars: one subtitle per video frame whose text carries the frame
 * count, a timestamp and bracketed fields, among them `[latitude: …] [longitude: …]` and
 * `[rel_alt: … abs_alt: …]` (the layout of recent DJI drones).
 */
import type { GeoPoint } from "../util/geodesy.js";

/** "HH:MM:SS,mmm" of `ms` milliseconds. */
function srtTime(ms: number): string {
  const t = Math.round(ms);
  const pad = (n: number, w = 2) => String(n).padStart(w, "0");
  return `${pad(Math.floor(t / 3600000))}:${pad(Math.floor(t / 60000) % 60)}:${pad(Math.floor(t / 1000) % 60)},${pad(t % 1000, 3)}`;
}

/**
 * The `.SRT` text of a clip at `fps` whose frame i was taken at `fixes[i]`; `startMs` is the
 * wall-clock time (UTC) of the first frame, `relAlt` the height above take-off per frame and
 * `focal35mm` the lens's 35 mm-equivalent focal length (DJI's `focal_len`).
 */
export function formatDjiSrt(
  fixes: readonly GeoPoint[],
  fps: number,
  startMs: number,
  relAlt: readonly number[],
  focal35mm: number,
): string {
  const blocks = fixes.map((g, i) => {
    const [from, to] = [(i * 1000) / fps, ((i + 1) * 1000) / fps];
    const wall = new Date(startMs + from).toISOString().replace("T", " ").slice(0, 23);
    return [
      String(i + 1),
      `${srtTime(from)} --> ${srtTime(to)}`,
      `<font size="28">FrameCnt: ${i + 1}, DiffTime: ${Math.round(to - from)}ms`,
      wall,
      `[iso: 100] [shutter: 1/500.0] [fnum: 2.8] [ev: 0] [ct: 5500] [color_md: default] ` +
        `[focal_len: ${focal35mm.toFixed(2)}] [latitude: ${g.latitude.toFixed(6)}] [longitude: ${g.longitude.toFixed(6)}] ` +
        `[rel_alt: ${relAlt[i]!.toFixed(3)} abs_alt: ${g.altitude.toFixed(3)}] </font>`,
      "",
    ].join("\n");
  });
  return blocks.join("\n");
}
