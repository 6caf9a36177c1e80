/**
 * Client of the splatbook server extension's REST API (`<base>/splatbook/api/...`), through
 * JupyterLab's ServerConnection so the server's token/cookie authentication applies.
 */
import { URLExt } from "@jupyterlab/coreutils";
import { ServerConnection } from "@jupyterlab/services";
import type { Checkpoint, TrainingStatus } from "@splatbook/contracts";
import type { VersionReport } from "./version";

/** One job folder as the server extension reports it (paths relative to the server root). */
export interface JobFiles {
  path: string;
  checkpoint: Checkpoint | null;
  training_status: TrainingStatus | null;
  /** Files that exist but could not be parsed, one line each. */
  errors: string[];
  /** Unix seconds of the newest state file. */
  updated: number | null;
  metrics: string | null;
  preview: string | null;
  ground_truth: string | null;
  model: string | null;
  /** The capture cameras beside the model (`cameras.json`), when training wrote them. */
  cameras?: string | null;
}

/** A failed request: HTTP status (0 for a network failure) and the server's message. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = "ApiError";
  }
}

/** What the widgets need from the server; tests substitute their own. */
export interface SplatbookApi {
  listJobs(folder: string, depth: number): Promise<JobFiles[]>;
  job(path: string): Promise<JobFiles>;
  /** The bytes of a job artefact (metrics.arrow, a preview PNG, model.splat). */
  file(path: string): Promise<ArrayBuffer>;
  /** The server extension's version and the Node kernel's. */
  version(): Promise<VersionReport>;
}

async function request(
  settings: ServerConnection.ISettings,
  route: string,
  query: Record<string, string>,
): Promise<Response> {
  const url =
    URLExt.join(settings.baseUrl, "splatbook", "api", route) + URLExt.objectToQueryString(query);
  let response: Response;
  try {
    response = await ServerConnection.makeRequest(url, {}, settings);
  } catch (err) {
    throw new ApiError(0, `cannot reach the Jupyter server: ${(err as Error).message}`);
  }
  if (!response.ok) {
    let message = response.statusText;
    try {
      message = ((await response.json()) as { message?: string }).message ?? message;
    } catch {
      // not JSON: keep the status text
    }
    throw new ApiError(response.status, `${route} ${query.path ?? query.folder ?? ""}: ${message}`);
  }
  return response;
}

/** The API on the running Jupyter server. */
export function createApi(
  settings: ServerConnection.ISettings = ServerConnection.makeSettings(),
): SplatbookApi {
  return {
    async listJobs(folder, depth) {
      const r = await request(settings, "jobs", { folder, depth: String(depth) });
      return ((await r.json()) as { jobs: JobFiles[] }).jobs;
    },
    async job(path) {
      return (await (await request(settings, "job", { path })).json()) as JobFiles;
    },
    async file(path) {
      return (await request(settings, "file", { path })).arrayBuffer();
    },
    async version() {
      return (await (await request(settings, "version", {})).json()) as VersionReport;
    },
  };
}
