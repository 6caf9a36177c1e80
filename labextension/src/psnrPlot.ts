/**
 * PSNR (and SSIM, on a second axis) over training steps, drawn with plotly.js. The plotly bundle
 * is large, so it is imported on first use and webpack puts it in its own chunk.
 */
import { Widget } from "@lumino/widgets";

type Series = readonly (readonly [number, number])[];

type PlotlyModule = typeof import("plotly.js");

let plotly: Promise<PlotlyModule> | undefined;

/** plotly.js, loaded once (a UMD bundle: webpack may wrap it as the default export). */
export function loadPlotly(): Promise<PlotlyModule> {
  plotly ??= import(/* webpackChunkName: "splatbook-plotly" */ "plotly.js-basic-dist-min").then(
    (m) => ((m as { default?: PlotlyModule }).default ?? m) as PlotlyModule,
  );
  return plotly;
}

function cssVar(name: string, fallback: string): string {
  const value = getComputedStyle(document.body).getPropertyValue(name).trim();
  return value || fallback;
}

/** The plot's traces and layout, coloured from the current JupyterLab theme. */
export function plotSpec(psnr: Series, ssim: Series): { data: object[]; layout: object } {
  const font = cssVar("--jp-ui-font-color1", "#333");
  const grid = cssVar("--jp-border-color2", "#ddd");
  const axis = { color: font, gridcolor: grid, zerolinecolor: grid };
  const data: object[] = [
    {
      name: "PSNR (dB)",
      x: psnr.map((p) => p[0]),
      y: psnr.map((p) => p[1]),
      type: "scatter",
      mode: "lines+markers",
      line: { color: cssVar("--jp-brand-color1", "#1976d2") },
    },
  ];
  if (ssim.length > 0) {
    data.push({
      name: "SSIM",
      x: ssim.map((p) => p[0]),
      y: ssim.map((p) => p[1]),
      type: "scatter",
      mode: "lines+markers",
      yaxis: "y2",
      line: { color: cssVar("--jp-warn-color1", "#f57c00"), dash: "dot" },
    });
  }
  const layout = {
    height: 220,
    margin: { l: 48, r: 48, t: 8, b: 36 },
    paper_bgcolor: "rgba(0,0,0,0)",
    plot_bgcolor: "rgba(0,0,0,0)",
    font: { color: font, family: cssVar("--jp-ui-font-family", "sans-serif"), size: 11 },
    showlegend: true,
    legend: { orientation: "h", x: 0, y: 1.12 },
    xaxis: { ...axis, title: { text: "step" } },
    yaxis: { ...axis, title: { text: "PSNR (dB)" } },
    yaxis2: { ...axis, overlaying: "y", side: "right", range: [0, 1], showgrid: false },
  };
  return { data, layout };
}

/** The plot widget; `draw` redraws with new series. */
export class PsnrPlot extends Widget {
  private drawn: Promise<void> = Promise.resolve();
  private last: [Series, Series] | undefined;
  // Plot colours come from the theme's CSS variables: redraw when the theme changes.
  private readonly themeObserver = new MutationObserver(() => {
    if (this.last) void this.draw(...this.last);
  });

  constructor() {
    super();
    this.addClass("splatbook-plot");
    this.node.dataset.points = "0";
    this.themeObserver.observe(document.body, { attributeFilter: ["data-jp-theme-name"] });
  }

  /** Redraws; resolves once plotly has drawn (or failed, shown in place of the plot). */
  draw(psnr: Series, ssim: Series = []): Promise<void> {
    this.last = [psnr, ssim];
    this.drawn = this.drawn.then(async () => {
      if (this.isDisposed) return;
      if (psnr.length === 0) {
        this.node.textContent = "PSNR: no evaluation yet";
        this.node.dataset.points = "0";
        return;
      }
      try {
        const Plotly = await loadPlotly();
        if (this.node.textContent && !this.node.querySelector(".js-plotly-plot, .plot-container"))
          this.node.textContent = "";
        const { data, layout } = plotSpec(psnr, ssim);
        await Plotly.react(this.node, data as never, layout as never, {
          displayModeBar: false,
          responsive: true,
        });
        this.node.dataset.points = String(psnr.length);
      } catch (err) {
        this.node.textContent = `PSNR plot unavailable: ${(err as Error).message}`;
      }
    });
    return this.drawn;
  }

  override dispose(): void {
    if (this.isDisposed) return;
    this.themeObserver.disconnect();
    void loadPlotly()
      .then((Plotly) => Plotly.purge(this.node))
      .catch(() => {});
    super.dispose();
  }
}
