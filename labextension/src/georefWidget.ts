/**
 * Renderer of `application/vnd.splatbook.georef+json` (`job.georeference()`): the cameras
 * top-down in the local frame (north up, equal axes), each GPS fix joined to its fitted position,
 * rejected fixes in red, then the residuals per image with the inlier threshold. Drawn with
 * plotly.js, loaded on first use.
 */
import type { IRenderMime } from "@jupyterlab/rendermime-interfaces";
import { Widget } from "@lumino/widgets";
import { GEOREF_MIME, GeorefPayloadSchema, type GeorefPayload } from "@splatbook/contracts";
import { readPayload } from "./payload";
import { loadPlotly } from "./psnrPlot";

type Payload = GeorefPayload["georef"];
type Camera = Payload["cameras"][number];

const label = (c: Camera) => (c.frame === undefined ? c.image : `${c.image}#${c.frame}`);

/** The top-down plot's traces: fitted positions, fixes, residual segments, rejected fixes. */
export function topDownTraces(g: Payload): object[] {
  const fitted = g.cameras;
  const located = fitted.filter((c) => c.gps);
  const segment = (c: Camera) => [c.enu, c.gps!, null] as const;
  const segs = located.flatMap(segment);
  const trace = (
    name: string,
    cs: readonly Camera[],
    pick: (c: Camera) => readonly number[],
    marker: object,
  ) => ({
    name,
    type: "scatter",
    mode: "markers",
    x: cs.map((c) => pick(c)[0]),
    y: cs.map((c) => pick(c)[1]),
    text: cs.map(label),
    hovertemplate: "%{text}<br>%{x:.2f}, %{y:.2f}<extra></extra>",
    marker,
  });
  return [
    {
      name: "residual",
      type: "scatter",
      mode: "lines",
      x: segs.map((p) => (p ? p[0] : null)),
      y: segs.map((p) => (p ? p[1] : null)),
      line: { color: "rgba(127,127,127,0.6)", width: 1 },
      hoverinfo: "skip",
    },
    trace("fitted camera", fitted, (c) => c.enu, { color: "#1f77b4", size: 6 }),
    trace(
      "GPS fix",
      located.filter((c) => !c.outlier),
      (c) => c.gps!,
      {
        color: "rgba(0,0,0,0)",
        line: { color: "#2ca02c", width: 1.5 },
        size: 7,
      },
    ),
    trace(
      "rejected GPS",
      located.filter((c) => c.outlier),
      (c) => c.gps!,
      {
        color: "#d62728",
        symbol: "x",
        size: 9,
      },
    ),
  ];
}

/** The residual bars, largest first, with the horizontal threshold as a line. */
export function residualTraces(g: Payload): object[] {
  const cs = g.cameras.filter((c) => typeof c.residual_m === "number");
  cs.sort((a, b) => b.residual_m! - a.residual_m!);
  const out: object[] = [
    {
      name: "residual (m)",
      type: "bar",
      x: cs.map(label),
      y: cs.map((c) => c.residual_m),
      marker: { color: cs.map((c) => (c.outlier ? "#d62728" : "#1f77b4")) },
      xaxis: "x2",
      yaxis: "y2",
    },
  ];
  if (g.threshold_m) {
    out.push({
      name: "inlier threshold (horizontal)",
      type: "scatter",
      mode: "lines",
      x: [cs[0] ? label(cs[0]) : "", cs.at(-1) ? label(cs.at(-1)!) : ""],
      y: [g.threshold_m.horizontal, g.threshold_m.horizontal],
      line: { color: "#ff7f0e", dash: "dash" },
      xaxis: "x2",
      yaxis: "y2",
    });
  }
  return out;
}

/** The whole figure: top-down above (equal axes, north up), residuals below. */
export function georefFigure(g: Payload): { data: object[]; layout: object } {
  const unit = g.scale === null ? "model units" : "m";
  const gps = g.method === "gps";
  return {
    data: [...topDownTraces(g), ...(gps ? residualTraces(g) : [])],
    layout: {
      height: gps ? 620 : 420,
      margin: { l: 56, r: 16, t: 28, b: 40 },
      paper_bgcolor: "rgba(0,0,0,0)",
      plot_bgcolor: "rgba(0,0,0,0)",
      title: { text: g.summary, font: { size: 11 } },
      legend: { orientation: "h", y: -0.08 },
      xaxis: { title: { text: `east (${unit})` }, domain: [0, 1] },
      yaxis: {
        title: { text: `north (${unit})` },
        scaleanchor: "x",
        scaleratio: 1,
        domain: gps ? [0.38, 1] : [0, 1],
      },
      xaxis2: { anchor: "y2", showticklabels: false },
      yaxis2: { title: { text: "residual (m)" }, domain: [0, 0.26], anchor: "x2" },
    },
  };
}

/** The renderer. */
export class GeorefWidget extends Widget implements IRenderMime.IRenderer {
  constructor() {
    super();
    this.addClass("splatbook-georef");
  }

  /** Draws the payload; a plotly failure is said in place of the plot. */
  async renderModel(model: IRenderMime.IMimeModel): Promise<void> {
    const payload = readPayload(this.node, model, GEOREF_MIME, GeorefPayloadSchema, "georef");
    if (!payload) return;
    this.node.dataset.cameras = String(payload.georef.cameras.length);
    try {
      const Plotly = await loadPlotly();
      const { data, layout } = georefFigure(payload.georef);
      await Plotly.react(this.node, data as never, layout as never, {
        displayModeBar: false,
        responsive: true,
      });
    } catch (err) {
      this.node.textContent = `georeference plot unavailable: ${(err as Error).message}`;
    }
  }
}
