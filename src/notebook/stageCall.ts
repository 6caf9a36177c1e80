/**
 * How a stage call shows in a notebook: its returned value (the typed `StageCallResult`) carries
 * a one-line summary as its MIME bundle, so a call as a cell's last expression prints figures,
 * not a dump of the result object; a cached Training call shows the training summary it showed
 * when it ran (PSNR curve, preview beside the ground truth, figures), from the job's files.
 */
import { stageFigures } from "../contracts/figures.js";
import type { StageName } from "../contracts/stages.js";
import type { StageOutcome } from "../engine/job.js";
import { MIME_BUNDLE, display, type MimeBundle } from "../jupyter/runtime.js";
import { escapeHtml, trainingBundle } from "./bundles.js";
import { readTrainingPayload } from "./payloads.js";

/** One line: `Training: cached — psnr 29.31 dB, ssim 0.9123, 19 993 splats, …`. */
export function stageCallText(outcome: StageOutcome & { result?: unknown }): string {
  const how =
    outcome.status === "skipped"
      ? `skipped (${outcome.reason ?? "not needed"})`
      : outcome.cached
        ? "cached (completed earlier with the same parameters and inputs)"
        : `completed in ${outcome.durationSecs?.toFixed(1) ?? "?"} s`;
  const figures = stageFigures(outcome.stage, outcome.result);
  return `${outcome.stage}: ${how}${figures ? ` — ${figures}` : ""}`;
}

/** Gives the outcome its summary bundle (a non-enumerable symbol: the value is unchanged). */
export function withSummary<T extends StageOutcome>(outcome: T): T {
  Object.defineProperty(outcome, MIME_BUNDLE, {
    enumerable: false,
    configurable: true,
    value: (): MimeBundle => {
      const text = stageCallText(outcome);
      return { "text/plain": text, "text/html": `<div>${escapeHtml(text)}</div>` };
    },
  });
  return outcome;
}

/** For a cached stage, shows again what its run showed (training: the training summary). */
export function showCachedDisplay(
  stage: StageName,
  job: { outputFolder: string; jobId: string },
): void {
  if (stage !== "Training") return;
  const payload = readTrainingPayload(job.outputFolder, job.jobId);
  if (payload) display(trainingBundle(payload));
}
