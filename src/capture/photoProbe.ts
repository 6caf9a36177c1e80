/**
 * Photos in the input: which files are photographs (JPEG, PNG, TIFF, HEIC/HEIF, by extension or
 * by their first bytes), and whether each is usable: its size and EXIF orientation from exiftool,
 * a full decode (ffmpeg; HEIC through libheif's heif-convert) to catch truncated or corrupt files,
 * and a refusal with a one-line cause for RAW files, zero-byte files, images too large to decode
 * safely and images with transparent pixels.
 */
import { mkdtemp, rm, stat } from "node:fs/promises";
import { availableParallelism, tmpdir } from "node:os";
import { extname, join } from "node:path";
import { runTool } from "../util/exec.js";
import { mapWithLimit } from "./pool.js";
import type { FileIssue } from "./probe.js";
import { ffmpegInputUrl } from "./probe.js";
import type { PhotoProbe } from "../contracts/stageResults.js";

export type { PhotoProbe } from "../contracts/stageResults.js";

/** Outcome of probing one photo. */
export type PhotoOutcome =
  { kind: "photo"; photo: PhotoProbe } | { kind: "broken"; issue: FileIssue };

const PHOTO_EXT: Record<string, PhotoProbe["format"]> = {
  jpg: "jpeg",
  jpeg: "jpeg",
  jpe: "jpeg",
  png: "png",
  tif: "tiff",
  tiff: "tiff",
  heic: "heif",
  heif: "heif",
  hif: "heif",
};
/** Camera RAW formats: DNG is TIFF inside, so its extension decides, as does exiftool's type. */
const RAW_EXT = new Set(
  "dng cr2 cr3 crw nef nrw arw srf sr2 raf orf rw2 rwl pef srw 3fr iiq x3f erf mrw kdc dcr".split(
    " ",
  ),
);
/** Decoded images larger than this a side are refused (a 200 MP phone sensor is 16 320 px wide). */
export const MAX_SIDE = 16384;

/** Whether a file is meant as a photo, judging by its extension or its first bytes. */
export function photoKind(filename: string, head: Buffer): PhotoProbe["format"] | "raw" | null {
  const ext = extname(filename).slice(1).toLowerCase();
  if (RAW_EXT.has(ext)) return "raw";
  if (PHOTO_EXT[ext]) return PHOTO_EXT[ext];
  if (head[0] === 0xff && head[1] === 0xd8 && head[2] === 0xff) return "jpeg";
  if (head.subarray(0, 4).toString("latin1") === "\x89PNG") return "png";
  const magic = head.subarray(0, 4).toString("latin1");
  if (magic === "II*\0" || magic === "MM\0*") return "tiff";
  const brand = head.subarray(8, 12).toString("latin1");
  if (
    head.subarray(4, 8).toString("latin1") === "ftyp" &&
    /^(heic|heix|hevc|heim|heis|mif1|msf1)$/.test(brand)
  )
    return "heif";
  return null;
}

type Exif = Record<string, unknown>;

const num = (v: unknown): number | null => (typeof v === "number" && Number.isFinite(v) ? v : null);

/** One line from a decoder's complaints: the first warning or error it printed. */
function decoderComplaint(stderr: string): string | null {
  const line = stderr
    .split("\n")
    .map((l) => l.replace(/^\[[^\]]*\]\s*/, "").trim())
    .find((l) =>
      /EOI missing|overread|premature|invalid|corrupt|error|truncat|incomplete|unexpected end/i.test(
        l,
      ),
    );
  return line ? line.slice(0, 120) : null;
}

/** Decodes the whole picture; a cause when it is truncated, corrupt, or has transparent pixels. */
async function decodeCause(
  path: string,
  format: PhotoProbe["format"],
  exif: Exif,
  signal?: AbortSignal,
) {
  let source = path;
  let scratch: string | null = null;
  try {
    if (format === "heif") {
      scratch = await mkdtemp(join(tmpdir(), "splatbook-heif-"));
      source = join(scratch, "decoded.png");
      const r = await runTool("heif-convert", [path, source], { signal });
      if (r.code !== 0)
        return `undecodable HEIF (${(r.stderr || r.stdout).trim().split("\n").pop()?.slice(0, 100)})`;
    }
    const alpha =
      format === "heif" ? await decodedHasAlpha(source, signal) : hasAlphaChannel(format, exif);
    const filters = alpha
      ? ["-vf", "alphaextract,signalstats,metadata=print:key=lavfi.signalstats.YMIN:file=-"]
      : [];
    const r = await runTool(
      "ffmpeg",
      [
        "-nostdin",
        "-v",
        "warning",
        "-noautorotate",
        "-i",
        ffmpegInputUrl(source),
        ...filters,
        "-f",
        "null",
        "-",
      ],
      { signal },
    );
    const complaint = decoderComplaint(r.stderr);
    if (r.code !== 0 || complaint) {
      const what =
        format === "jpeg" && /EOI|overread|premature/i.test(complaint ?? "")
          ? "truncated JPEG"
          : "corrupt image";
      return `${what} (${complaint ?? `decoder exit ${r.code}`})`;
    }
    const min = /YMIN=(\d+)/.exec(r.stdout);
    if (alpha && min && Number(min[1]) < 255)
      return "transparent pixels (alpha channel): not a photograph";
    return null;
  } finally {
    if (scratch) await rm(scratch, { recursive: true, force: true });
  }
}

/** PNG colour types 4 and 6 and a tRNS chunk carry alpha; TIFF extra samples may. */
function hasAlphaChannel(format: PhotoProbe["format"], exif: Exif): boolean {
  if (format === "png")
    return [4, 6].includes(num(exif.ColorType) ?? 0) || exif.Transparency !== undefined;
  return format === "tiff" && exif.ExtraSamples !== undefined;
}

/** Whether a decoded picture has an alpha channel (its pixel format says so). */
async function decodedHasAlpha(path: string, signal?: AbortSignal): Promise<boolean> {
  const r = await runTool(
    "ffprobe",
    ["-v", "error", "-show_entries", "stream=pix_fmt", "-of", "csv=p=0", ffmpegInputUrl(path)],
    { signal },
  );
  return /^(rgba|bgra|argb|abgr|ya|yuva|gbrap)/.test(r.stdout.trim());
}

/** The cause that makes a photo unusable before decoding it, or null. */
function headerCause(filename: string, exif: Exif): string | null {
  const type = typeof exif.FileType === "string" ? exif.FileType : "";
  if (RAW_EXT.has(type.toLowerCase()))
    return `RAW image (${type}): not supported, export it as JPEG or TIFF`;
  if (typeof exif.Error === "string") return `unreadable (${exif.Error})`;
  const [w, h] = [num(exif.ImageWidth), num(exif.ImageHeight)];
  if (!w || !h) return "unreadable (no image size)";
  if (w > MAX_SIDE || h > MAX_SIDE)
    return `image too large (${w}×${h} px; at most ${MAX_SIDE} px a side)`;
  return null;
}

/**
 * Probes the photos (paths relative to `folder`): exiftool once for all, then a decode of each.
 * Never throws for bad input: each unusable photo comes back broken with a one-line cause.
 */
export async function probePhotos(
  folder: string,
  files: readonly { filename: string; format: PhotoProbe["format"] | "raw" }[],
  options: { signal?: AbortSignal } = {},
): Promise<PhotoOutcome[]> {
  const out: PhotoOutcome[] = [];
  const candidates: {
    filename: string;
    format: PhotoProbe["format"];
    path: string;
    size: number;
    mtimeMs: number;
  }[] = [];
  for (const f of files) {
    const path = join(folder, f.filename);
    const s = await stat(path);
    const ext = extname(f.filename).slice(1).toUpperCase();
    if (s.size === 0)
      out.push({ kind: "broken", issue: { filename: f.filename, cause: "zero-byte file" } });
    else if (f.format === "raw")
      out.push({
        kind: "broken",
        issue: {
          filename: f.filename,
          cause: `RAW image (.${ext}): not supported, export it as JPEG or TIFF`,
        },
      });
    else candidates.push({ ...f, format: f.format, path, size: s.size, mtimeMs: s.mtimeMs });
  }
  const exif = await readPhotoExif(
    candidates.map((c) => c.path),
    options.signal,
  );
  const checked = await mapWithLimit(
    candidates,
    availableParallelism(),
    async (c): Promise<PhotoOutcome> => {
      const e = exif.get(c.path) ?? {};
      const cause =
        headerCause(c.filename, e) ?? (await decodeCause(c.path, c.format, e, options.signal));
      if (cause) return { kind: "broken", issue: { filename: c.filename, cause } };
      const [w, h] = [num(e.ImageWidth)!, num(e.ImageHeight)!];
      const o = c.format === "heif" ? 1 : Math.round(num(e.Orientation) ?? 1);
      const orientation = o >= 1 && o <= 8 ? o : 1;
      const swap = orientation >= 5;
      return {
        kind: "photo",
        photo: {
          ...{
            filename: c.filename,
            path: c.path,
            size: c.size,
            mtimeMs: c.mtimeMs,
            format: c.format,
          },
          ...{ width: w, height: h, orientation },
          ...{ display_width: swap ? h : w, display_height: swap ? w : h },
        },
      };
    },
  );
  return [...out, ...checked];
}

/** exiftool's records (-n: numbers as numbers) keyed by path. */
async function readPhotoExif(
  paths: readonly string[],
  signal?: AbortSignal,
): Promise<Map<string, Exif>> {
  const map = new Map<string, Exif>();
  if (paths.length === 0) return map;
  const r = await runTool("exiftool", ["-json", "-n", "-charset", "filename=utf8", ...paths], {
    signal,
  });
  let records: Exif[] = [];
  try {
    records = JSON.parse(r.stdout || "[]") as Exif[];
  } catch {
    records = [];
  }
  for (const rec of records) if (typeof rec.SourceFile === "string") map.set(rec.SourceFile, rec);
  return map;
}
