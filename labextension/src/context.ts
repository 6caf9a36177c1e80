/** What the renderers and the panel share: the server API and the user's settings. */
import type { SplatbookApi } from "./api";

/** Settings of the extension (schema/panel.json). */
export interface SplatbookSettings {
  /** Folder the panel lists jobs under, relative to the server root ("" is the root). */
  folder: string;
  /** How many folder levels below it are searched. */
  depth: number;
  /** Seconds between polls of a live widget or the panel. */
  pollInterval: number;
  /** Seconds without an update after which a running job is marked stale. */
  staleAfter: number;
}

/** Defaults, matching schema/panel.json. */
export const DEFAULT_SETTINGS: SplatbookSettings = {
  folder: "",
  depth: 3,
  pollInterval: 2,
  staleAfter: 300,
};

/** Shared by every widget of one JupyterLab page; settings may change while it runs. */
export interface LabContext {
  api: SplatbookApi;
  settings(): SplatbookSettings;
}
