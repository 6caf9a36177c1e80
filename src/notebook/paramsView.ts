/**
 * The parameters in effect on a job, per stage, for its status card: each stage's parameters with
 * defaults filled in, the ones the job named (recorded in `.checkpoint.json`) marked.
 */
import { STAGE_PARAMS } from "../contracts/params.js";
import { STAGES, type StageName } from "../contracts/stages.js";
import { resolveStageParams, type ParamValues } from "../engine/jobParams.js";
import { escapeHtml } from "./bundles.js";

/** One stage's row: every parameter's value and whether the job named it. */
export interface StageParamsRow {
  stage: StageName;
  values: Array<{ key: string; value: unknown; named: boolean }>;
}

/** Rows for every stage that takes parameters, in pipeline order. */
export function paramsInEffect(effective: ParamValues): StageParamsRow[] {
  return STAGES.filter((stage) => Object.keys(STAGE_PARAMS[stage].shape).length > 0).map(
    (stage) => {
      const resolved = resolveStageParams({ name: stage }, effective);
      return {
        stage,
        values: Object.keys(STAGE_PARAMS[stage].shape).map((key) => ({
          key,
          value: resolved[key],
          named: effective[key] !== undefined,
        })),
      };
    },
  );
}

const show = (v: unknown) =>
  v === undefined ? "–" : typeof v === "string" ? v : JSON.stringify(v);

/** Plain text: one line per stage, named values marked `*`. */
export function paramsText(rows: StageParamsRow[]): string {
  return [
    "parameters (* = set for this job, others are defaults):",
    ...rows.map(
      (r) =>
        `  ${r.stage}: ` +
        r.values.map((v) => `${v.key}=${show(v.value)}${v.named ? "*" : ""}`).join(", "),
    ),
  ].join("\n");
}

/** An HTML table: stage, then `key = value` cells, named values in bold. */
export function paramsHtml(rows: StageParamsRow[]): string {
  const cell = (v: StageParamsRow["values"][number]) => {
    const text = `${escapeHtml(v.key)} = ${escapeHtml(show(v.value))}`;
    return v.named ? `<b>${text}</b>` : text;
  };
  const body = rows
    .map((r) => `<tr><td>${r.stage}</td><td>${r.values.map(cell).join(", ")}</td></tr>`)
    .join("");
  return (
    `<details class="splatbook-params"><summary>parameters (bold: set for this job)</summary>` +
    `<table>${body}</table></details>`
  );
}
