/**
 * splatbook's JupyterLab extension: renderers for the kernel's progress, training, splat and
 * georeference bundles, and a left-area panel listing every job under a folder. Both read job state through
 * the splatbook server extension and share one settings object.
 */
import type { JupyterFrontEnd, JupyterFrontEndPlugin } from "@jupyterlab/application";
import { ICommandPalette } from "@jupyterlab/apputils";
import { IRenderMimeRegistry } from "@jupyterlab/rendermime";
import type { IRenderMime } from "@jupyterlab/rendermime-interfaces";
import { ISettingRegistry } from "@jupyterlab/settingregistry";
import { GEOREF_MIME, PROGRESS_MIME, SPLAT_MIME, TRAINING_MIME } from "@splatbook/contracts";
import { createApi } from "./api";
import { GeorefWidget } from "./georefWidget";
import { DEFAULT_SETTINGS, type LabContext, type SplatbookSettings } from "./context";
import { splatbookIcon } from "./icon";
import { JobsPanel } from "./jobsPanel";
import { ProgressWidget } from "./progressWidget";
import { SplatViewerWidget } from "./splatViewer";
import { TrainingWidget } from "./trainingWidget";

const PANEL_PLUGIN = "splatbook-labextension:panel";
const OPEN_PANEL = "splatbook:open-jobs";

let current: SplatbookSettings = { ...DEFAULT_SETTINGS };
const context: LabContext = { api: createApi(), settings: () => current };

/** Renderer factories for the four MIME types (rank below JSON's so ours wins). */
export function rendererFactories(ctx: LabContext): IRenderMime.IRendererFactory[] {
  const make = (mime: string, create: () => IRenderMime.IRenderer) => ({
    safe: true,
    mimeTypes: [mime],
    defaultRank: 40,
    createRenderer: create,
  });
  return [
    make(PROGRESS_MIME, () => new ProgressWidget(ctx)),
    make(TRAINING_MIME, () => new TrainingWidget(ctx)),
    make(SPLAT_MIME, () => new SplatViewerWidget(ctx)),
    make(GEOREF_MIME, () => new GeorefWidget()),
  ];
}

const renderers: JupyterFrontEndPlugin<void> = {
  id: "splatbook-labextension:renderers",
  description: "Live progress, training and splat viewer outputs of the splatbook kernel.",
  autoStart: true,
  requires: [IRenderMimeRegistry],
  activate: (_app: JupyterFrontEnd, rendermime: IRenderMimeRegistry) => {
    for (const factory of rendererFactories(context)) rendermime.addFactory(factory, 40);
  },
};

function readSettings(s: ISettingRegistry.ISettings): SplatbookSettings {
  const get = <K extends keyof SplatbookSettings>(key: K) =>
    (s.composite[key] as SplatbookSettings[K] | undefined) ?? DEFAULT_SETTINGS[key];
  return {
    folder: get("folder").replace(/^\/+|\/+$/g, ""),
    depth: get("depth"),
    pollInterval: Math.max(0.5, get("pollInterval")),
    staleAfter: get("staleAfter"),
  };
}

const panel: JupyterFrontEndPlugin<void> = {
  id: PANEL_PLUGIN,
  description: "A left-area panel listing every splatbook job under a folder.",
  autoStart: true,
  optional: [ISettingRegistry, ICommandPalette],
  activate: async (
    app: JupyterFrontEnd,
    registry: ISettingRegistry | null,
    palette: ICommandPalette | null,
  ) => {
    const widget = new JobsPanel(context);
    widget.title.icon = splatbookIcon;
    widget.title.caption = "Splatbook jobs";
    app.shell.add(widget, "left", { rank: 650 });
    app.commands.addCommand(OPEN_PANEL, {
      label: "Show Splatbook Jobs",
      caption: "Open the panel listing every splatbook job",
      icon: splatbookIcon,
      execute: () => app.shell.activateById(widget.id),
    });
    palette?.addItem({ command: OPEN_PANEL, category: "Splatbook" });
    if (registry) {
      try {
        const settings = await registry.load(PANEL_PLUGIN);
        current = readSettings(settings);
        settings.changed.connect(() => {
          current = readSettings(settings);
          widget.refresh();
        });
      } catch (err) {
        console.warn(`splatbook: settings not loaded, using defaults (${String(err)})`);
      }
    }
  },
};

export default [renderers, panel];
