/**
 * The headline figures of a stage's recorded result, as people read them: `psnr 29.31 dB, ssim
 * 0.9123, 19 993 splats`, `60/60 registered, 4 969 points, mean reprojection error 0.47 px`.
 * One formatter for `splatbook status`, the notebook's status card and stage calls, and the lab
 * extension's stage tables.
 */

type Fields = Record<string, unknown>;

const num = (v: unknown): number | null => (typeof v === "number" && Number.isFinite(v) ? v : null);

/** `12 345` (thin-space thousands), for counts. */
export function formatInteger(n: number): string {
  return Math.round(n)
    .toString()
    .replace(/\B(?=(\d{3})+(?!\d))/g, "\u2009");
}

/** A number at a precision that suits it: integers whole, others to 4 significant digits. */
export function formatFigure(n: number): string {
  if (Number.isInteger(n)) return formatInteger(n);
  const a = Math.abs(n);
  if (a >= 1000) return formatInteger(n);
  if (a >= 1e-3) return String(Number(n.toPrecision(4)));
  return n.toExponential(2);
}

/** `45 s`, `1 min 53 s`, `1 h 02 min`. */
export function formatSeconds(s: number): string {
  if (s < 10) return `${s.toFixed(1)} s`;
  if (s < 60) return `${Math.round(s)} s`;
  const t = Math.round(s);
  const h = Math.floor(t / 3600);
  const m = Math.floor((t % 3600) / 60);
  if (h > 0) return `${h} h ${String(m).padStart(2, "0")} min`;
  return `${m} min ${String(t % 60).padStart(2, "0")} s`;
}

/** Parts of a summary whose value is present, formatted. */
function parts(list: [unknown, (v: number) => string][]): string[] {
  return list.flatMap(([v, f]) => (num(v) === null ? [] : [f(v as number)]));
}

const count = (unit: string) => (n: number) => `${formatInteger(n)} ${unit}`;

const BY_STAGE: Record<string, (r: Fields) => string[]> = {
  Validation: (r) => parts([[r.video_count, count("videos")]]),
  FrameExtraction: (r) => parts([[r.total_frames, count("frames")]]),
  ManifestGeneration: (r) => parts([[r.total_frames, count("frames")]]),
  ColmapReconstruction: (r) => [
    ...(num(r.registered_images) !== null && num(r.total_images) !== null
      ? [`${r.registered_images}/${r.total_images} registered`]
      : []),
    ...parts([
      [r.points, count("points")],
      [r.mean_reprojection_error, (v) => `mean reprojection error ${v.toFixed(2)} px`],
    ]),
  ],
  Training: (r) => [
    ...parts([
      [r.psnr, (v) => `psnr ${v.toFixed(2)} dB`],
      [r.psnr_fitted, (v) => `fitted-half psnr ${v.toFixed(2)} dB`],
      [r.ssim, (v) => `ssim ${v.toFixed(4)}`],
      [r.gaussian_count, count("splats")],
    ]),
    ...(num(r.steps) !== null
      ? [`${r.steps} steps${num(r.max_resolution) !== null ? ` at ${r.max_resolution} px` : ""}`]
      : []),
    ...parts([[r.elapsed_secs, formatSeconds]]),
  ],
  PlyExport: (r) =>
    parts([
      [r.gaussian_count, count("splats")],
      [r.sh_degree, (v) => `SH degree ${v}`],
    ]),
  SplatExport: (r) => parts([[r.gaussian_count, count("splats")]]),
};

/** Scalar fields of any other result, each at a sensible precision (at most six). */
function generic(r: Fields): string[] {
  const out: string[] = [];
  for (const [k, v] of Object.entries(r)) {
    if (typeof v === "number") out.push(`${k} ${formatFigure(v)}`);
    else if (typeof v === "boolean") out.push(`${k} ${v}`);
    if (out.length >= 6) break;
  }
  return out;
}

/** One line of a stage result's headline figures ("" when it has none). */
export function stageFigures(stage: string, result: unknown): string {
  if (!result || typeof result !== "object") return "";
  const r = result as Fields;
  const known = BY_STAGE[stage];
  return (known ? known(r) : generic(r)).join(", ");
}
