/** The eight-stage table of a progress payload. */
import type { ProgressPayload } from "@splatbook/contracts";
import { formatDuration } from "./format";

type StageRow = ProgressPayload["stages"][number];

const STATE_TEXT: Record<string, string> = {
  pending: "pending",
  running: "running",
  completed: "done",
  cached: "cached",
  skipped: "skipped",
  failed: "failed",
};

/** The state column's text: `running 40 %` while a fraction is known. */
export function stageStateText(row: StageRow): string {
  const base = STATE_TEXT[row.state] ?? row.state;
  return row.state === "running" && row.fraction !== null
    ? `${base} ${Math.round(row.fraction * 100)} %`
    : base;
}

/** A table with one row per stage: name, state, duration, detail (error or skip reason). */
export function renderStageTable(rows: readonly StageRow[]): HTMLTableElement {
  const table = document.createElement("table");
  table.className = "splatbook-stages";
  const head = table.createTHead().insertRow();
  for (const title of ["Stage", "State", "Time", ""]) {
    const th = document.createElement("th");
    th.textContent = title;
    th.scope = "col";
    head.appendChild(th);
  }
  const body = table.createTBody();
  for (const row of rows) {
    const tr = body.insertRow();
    tr.className = `splatbook-stage splatbook-state-${row.state}`;
    tr.dataset.stage = row.name;
    const cells = [
      row.name,
      stageStateText(row),
      row.state === "running" ? "" : formatDuration(row.duration_secs),
      row.detail ?? "",
    ];
    for (const text of cells) tr.insertCell().textContent = text === "–" ? "" : text;
  }
  return table;
}
