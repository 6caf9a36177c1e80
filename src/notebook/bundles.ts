import {
  PROGRESS_MIME,
  SPLAT_MIME,
  TRAINING_MIME,
  type ProgressPayload,
  type SplatPayload,
  type TrainingPayload,
} from "../contracts/mime.js";
import type { MimeBundle } from "../jupyter/runtime.js";
import { completeSplatPayload } from "./payloads.js";

/** Escapes text for HTML element content and attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(
    /[&<>"']/g,
    (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!,
  );
}

const STATE_GLYPH: Record<string, string> = {
  pending: "·",
  running: "▶",
  completed: "✓",
  cached: "✓",
  skipped: "–",
  failed: "✗",
};

function bar(fraction: number, width: number): string {
  const n = Math.max(0, Math.min(width, Math.round(fraction * width)));
  return "█".repeat(n) + "░".repeat(width - n);
}

/** Progress bundle: the lab extension's MIME type plus readable HTML and plain text. */
export function progressBundle(p: ProgressPayload): MimeBundle {
  const lines = [
    `${p.job_id}: ${p.stage} ${bar(p.progress_percentage / 100, 24)} ${p.progress_percentage.toFixed(1)}%`,
    ...(p.inputs ? [`  input: ${p.inputs}`] : []),
    ...p.stages.map((s) => {
      const extra = [
        s.state === "cached" ? "cached" : s.state === "skipped" ? "skipped" : "",
        s.state === "running" && s.fraction !== null ? `${Math.round(s.fraction * 100)}%` : "",
        s.detail ?? "",
        s.duration_secs !== null && s.state !== "running" ? `${s.duration_secs.toFixed(1)}s` : "",
      ]
        .filter(Boolean)
        .join(" ");
      return `  ${STATE_GLYPH[s.state] ?? "?"} ${s.name}${extra ? ` (${extra})` : ""}`;
    }),
    ...(p.error ? [`error: ${p.error}`] : []),
  ];
  const rows = p.stages
    .map(
      (s) =>
        `<tr><td>${STATE_GLYPH[s.state] ?? "?"}</td><td>${escapeHtml(s.name)}</td><td>${escapeHtml(
          s.state,
        )}${s.state === "running" && s.fraction !== null ? ` ${Math.round(s.fraction * 100)}%` : ""}</td><td>${escapeHtml(
          s.detail ?? "",
        )}</td><td>${s.duration_secs !== null ? `${s.duration_secs.toFixed(1)} s` : ""}</td></tr>`,
    )
    .join("");
  const html =
    `<div class="splatbook-progress"><div><b>${escapeHtml(p.job_id)}</b> — ${escapeHtml(p.stage)} ` +
    `${p.progress_percentage.toFixed(1)}%</div>` +
    (p.inputs ? `<div>input: ${escapeHtml(p.inputs)}</div>` : "") +
    `<progress max="100" value="${p.progress_percentage.toFixed(1)}" style="width:100%"></progress>` +
    `<table>${rows}</table>` +
    (p.error ? `<div style="color:#b00">error: ${escapeHtml(p.error)}</div>` : "") +
    `</div>`;
  return { [PROGRESS_MIME]: p, "text/html": html, "text/plain": lines.join("\n") };
}

/** An inline SVG line plot of PSNR over steps (readable without the lab extension). */
function psnrSvg(history: [number, number][], total: number): string {
  if (history.length === 0) return "";
  const w = 320;
  const h = 120;
  const ys = history.map(([, y]) => y);
  const lo = Math.floor(Math.min(...ys) - 1);
  const hi = Math.ceil(Math.max(...ys) + 1);
  const pts = history
    .map(
      ([x, y]) =>
        `${((x / Math.max(1, total)) * w).toFixed(1)},${(h - ((y - lo) / (hi - lo)) * h).toFixed(1)}`,
    )
    .join(" ");
  return (
    `<svg width="${w}" height="${h + 14}" style="font:10px sans-serif">` +
    `<polyline fill="none" stroke="#1f77b4" stroke-width="1.5" points="${pts}"/>` +
    `<text x="0" y="${h + 12}">PSNR ${lo}–${hi} dB over ${total} steps</text></svg>`
  );
}

function pngImg(base64: string | null | undefined, alt: string): string {
  return base64
    ? `<img alt="${alt}" src="data:image/png;base64,${base64}" style="image-rendering:pixelated;max-width:320px"/>`
    : "";
}

/** Training bundle; the embedded preview (and its ground truth) show in the HTML too. */
export function trainingBundle(t: TrainingPayload): MimeBundle {
  const psnr = t.last_eval_psnr === null ? "–" : `${t.last_eval_psnr.toFixed(2)} dB`;
  const eta =
    t.estimated_remaining_seconds === null
      ? ""
      : `, ETA ${Math.round(t.estimated_remaining_seconds)} s`;
  const text =
    `training ${t.status}: step ${t.step}/${t.total} ${bar(t.step / Math.max(1, t.total), 24)} ` +
    `splats ${t.splat_count}, PSNR ${psnr}${eta}`;
  const img = pngImg(t.preview_png, "preview") + pngImg(t.ground_truth_png, "ground truth");
  const html =
    `<div class="splatbook-training"><div>${escapeHtml(text)}</div>` +
    `<progress max="${t.total}" value="${t.step}" style="width:100%"></progress>` +
    `<div style="display:flex;gap:12px;align-items:flex-start">${psnrSvg(t.psnr_history, t.total)}${img}</div></div>`;
  return { [TRAINING_MIME]: t, "text/html": html, "text/plain": text };
}

/** Splat viewer bundle; fills the server-relative path and fallback preview when not given. */
export function splatBundle(given: SplatPayload): MimeBundle {
  const s = completeSplatPayload(given);
  const text = `splat model: ${s.path}${s.gaussian_count !== null ? ` (${s.gaussian_count} splats)` : ""}`;
  return {
    [SPLAT_MIME]: s,
    "text/html": `<div class="splatbook-splat">${escapeHtml(text)}${pngImg(s.preview_png, "preview")}</div>`,
    "text/plain": text,
  };
}
