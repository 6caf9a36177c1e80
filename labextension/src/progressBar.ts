/** An accessible progress bar (`role=progressbar` with aria values) styled by the lab theme. */

/** A bar and its setter. */
export interface ProgressBar {
  readonly node: HTMLElement;
  /** Sets value/max and the text read out (`aria-valuetext`) and shown beside the bar. */
  set(value: number, max: number, text: string): void;
}

/** Creates a bar labelled `label` for screen readers. */
export function createProgressBar(label: string): ProgressBar {
  const node = document.createElement("div");
  node.className = "splatbook-bar";
  node.setAttribute("role", "progressbar");
  node.setAttribute("aria-label", label);
  node.setAttribute("aria-valuemin", "0");
  const fill = document.createElement("div");
  fill.className = "splatbook-bar-fill";
  const caption = document.createElement("span");
  caption.className = "splatbook-bar-text";
  node.append(fill, caption);
  return {
    node,
    set(value, max, text) {
      const safeMax = max > 0 ? max : 1;
      const clamped = Math.min(safeMax, Math.max(0, value));
      node.setAttribute("aria-valuemax", String(safeMax));
      node.setAttribute("aria-valuenow", String(Math.round(clamped * 100) / 100));
      node.setAttribute("aria-valuetext", text);
      fill.style.width = `${(clamped / safeMax) * 100}%`;
      caption.textContent = text;
    },
  };
}
