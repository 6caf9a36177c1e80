/** The latest preview render beside the held-out view it should match. */

/** Two labelled images; sources are data: or blob: URLs (blob URLs are revoked on change). */
export class PreviewPair {
  readonly node = document.createElement("div");
  private readonly preview: HTMLImageElement;
  private readonly truth: HTMLImageElement;

  constructor() {
    this.node.className = "splatbook-previews";
    this.preview = this.figure("Preview (held-out view)", "splatbook-preview");
    this.truth = this.figure("Ground truth", "splatbook-ground-truth");
    this.node.hidden = true;
  }

  /** Sets either image; null leaves it as it is. */
  set(preview: string | null, truth: string | null): void {
    if (preview) this.swap(this.preview, preview);
    if (truth) this.swap(this.truth, truth);
    this.node.hidden = !this.preview.src;
    (this.truth.parentElement as HTMLElement).hidden = !this.truth.src;
  }

  /** Releases blob URLs. */
  dispose(): void {
    for (const img of [this.preview, this.truth]) {
      if (img.src.startsWith("blob:")) URL.revokeObjectURL(img.src);
    }
  }

  private figure(caption: string, className: string): HTMLImageElement {
    const fig = document.createElement("figure");
    const img = document.createElement("img");
    img.className = className;
    img.alt = caption;
    const cap = document.createElement("figcaption");
    cap.textContent = caption;
    fig.append(img, cap);
    this.node.appendChild(fig);
    return img;
  }

  private swap(img: HTMLImageElement, src: string): void {
    if (img.src === src) return;
    if (img.src.startsWith("blob:")) URL.revokeObjectURL(img.src);
    img.src = src;
  }
}

/** A data: URL for an embedded base64 PNG, or null. */
export function pngDataUrl(base64: string | null | undefined): string | null {
  return base64 ? `data:image/png;base64,${base64}` : null;
}

/** A blob: URL for PNG bytes. */
export function pngBlobUrl(bytes: ArrayBuffer): string {
  return URL.createObjectURL(new Blob([bytes], { type: "image/png" }));
}
