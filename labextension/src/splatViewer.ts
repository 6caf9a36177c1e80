/**
 * Renderer of `application/vnd.splatbook.splat+json`: an interactive viewer of the exported
 * model (drag to orbit, wheel to zoom, Reset), with Spark on WebGL2, loaded lazily. Without
 * WebGL2, or when the file cannot be fetched, it shows the embedded preview image instead.
 */
import type { IRenderMime } from "@jupyterlab/rendermime-interfaces";
import { Panel, Widget } from "@lumino/widgets";
import {
  SPLAT_MIME,
  SplatPayloadSchema,
  ViewCamerasSchema,
  type SplatPayload,
  type ViewCameras,
} from "@splatbook/contracts";
import type { SplatbookApi } from "./api";
import type { LabContext } from "./context";
import { formatCount } from "./format";
import { readPayload } from "./payload";
import { pngDataUrl } from "./previewPair";
import type { SplatScene } from "./sparkScene";

/** Whether this browser can create a WebGL2 context. */
export function hasWebGL2(doc: Document = document): boolean {
  try {
    return doc.createElement("canvas").getContext("webgl2") !== null;
  } catch {
    return false;
  }
}

/** Reads the capture cameras (`cameras.json`); undefined when there are none or unreadable. */
async function fetchCameras(
  api: SplatbookApi,
  file: string | null | undefined,
): Promise<ViewCameras | undefined> {
  if (!file) return undefined;
  try {
    const bytes = await api.file(file);
    const parsed = ViewCamerasSchema.safeParse(JSON.parse(new TextDecoder().decode(bytes)));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

/** The viewer (also used by the panel's job view for a job's exported model). */
export class SplatViewer extends Widget {
  private scene: SplatScene | undefined;
  private readonly canvas = document.createElement("canvas");
  private readonly status = document.createElement("div");
  private resizeObserver: ResizeObserver | undefined;
  private shown: string | null = null;
  private readonly next = document.createElement("button");
  private cameraIndex = 0;
  /** Height over width of the first capture camera (0.6 without cameras). */
  private aspect = 0.6;

  constructor(private readonly api: SplatbookApi) {
    super();
    this.addClass("splatbook-viewer");
    const bar = document.createElement("div");
    bar.className = "splatbook-viewer-bar";
    const reset = document.createElement("button");
    reset.className = "jp-Button jp-mod-styled jp-mod-reject splatbook-reset";
    reset.textContent = "Reset view";
    reset.title = "Drag to orbit, scroll to zoom, right-drag to pan";
    reset.addEventListener("click", () => {
      this.cameraIndex = 0;
      this.scene?.reset();
    });
    this.next.className = "jp-Button jp-mod-styled jp-mod-reject splatbook-next-camera";
    this.next.textContent = "Next camera";
    this.next.title = "Move to the next capture camera";
    this.next.hidden = true;
    this.next.addEventListener("click", () => this.nextCamera());
    this.status.className = "splatbook-viewer-status";
    bar.append(this.status, this.next, reset);
    this.canvas.className = "splatbook-canvas";
    this.canvas.tabIndex = 0;
    this.canvas.setAttribute("aria-label", "3D Gaussian splat model; drag to orbit");
    this.node.append(this.canvas, bar);
  }

  /** Loads the payload's model (once per file), or shows the fallback image. */
  async load(s: SplatPayload): Promise<void> {
    const count = s.gaussian_count === null ? "" : ` · ${formatCount(s.gaussian_count)} splats`;
    if (!s.file || !hasWebGL2()) {
      this.fallback(
        s,
        !s.file ? "the model is outside the server root" : "WebGL2 is not available",
      );
      return;
    }
    if (this.shown === s.file) return;
    this.shown = s.file;
    this.status.textContent = `loading ${s.file}…`;
    try {
      const [bytes, spark, cameras] = await Promise.all([
        this.api.file(s.file),
        import(/* webpackChunkName: "splatbook-spark" */ "./sparkScene"),
        fetchCameras(this.api, s.cameras_file),
      ]);
      this.scene?.dispose();
      const first = cameras?.cameras[0];
      this.aspect = first ? first.height / first.width : 0.6;
      // The canvas takes the capture camera's shape; portrait captures are kept ≤ 480 px tall.
      this.canvas.style.aspectRatio = first ? `${first.width} / ${first.height}` : "";
      this.canvas.style.maxWidth = this.aspect > 1 ? `${Math.round(480 / this.aspect)}px` : "";
      this.scene = await spark.createSplatScene(this.canvas, bytes, s.file, cameras);
      this.cameraIndex = 0;
      this.next.hidden = this.scene.cameraCount < 2;
      this.node.dataset.camera = first?.name ?? "";
      this.resizeObserver ??= new ResizeObserver(() => this.fitCanvas());
      this.resizeObserver.observe(this.node);
      this.fitCanvas();
      this.node.dataset.state = "ready";
      this.status.textContent = `${s.file}${count}`;
    } catch (err) {
      this.shown = null;
      this.fallback(s, (err as Error).message);
    }
  }

  override dispose(): void {
    if (this.isDisposed) return;
    this.resizeObserver?.disconnect();
    this.scene?.dispose();
    super.dispose();
  }

  private fitCanvas(): void {
    const width = this.canvas.clientWidth;
    this.scene?.resize(width, Math.round(width * this.aspect));
  }

  private nextCamera(): void {
    if (!this.scene) return;
    this.cameraIndex++;
    const name = this.scene.showCamera(this.cameraIndex);
    this.node.dataset.camera = name ?? "";
    const n = this.scene.cameraCount;
    if (name) this.status.textContent = `camera ${(this.cameraIndex % n) + 1}/${n}: ${name}`;
  }

  private fallback(s: SplatPayload, why: string): void {
    this.node.dataset.state = "fallback";
    const src = pngDataUrl(s.preview_png);
    this.canvas.hidden = true;
    let img = this.node.querySelector<HTMLImageElement>("img.splatbook-fallback");
    if (src && !img) {
      img = document.createElement("img");
      img.className = "splatbook-fallback";
      img.alt = "preview of the model";
      this.node.insertBefore(img, this.canvas);
    }
    if (img && src) img.src = src;
    this.status.textContent = `viewer unavailable (${why}); ${src ? "last training preview shown" : "no preview embedded"}`;
  }
}

/** The rendermime renderer around {@link SplatViewer}. */
export class SplatViewerWidget extends Panel implements IRenderMime.IRenderer {
  private readonly viewer: SplatViewer;

  constructor(ctx: LabContext) {
    super();
    this.addClass("splatbook-splat");
    this.viewer = new SplatViewer(ctx.api);
    this.addWidget(this.viewer);
  }

  /** Renders the bundle from the kernel. */
  async renderModel(model: IRenderMime.IMimeModel): Promise<void> {
    const payload = readPayload(this.node, model, SPLAT_MIME, SplatPayloadSchema, "splat");
    if (payload) await this.viewer.load(payload);
  }
}
