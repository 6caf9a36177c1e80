// End to end in a real JupyterLab (PyPI, the project's venv) with the installed extension,
// server extension and kernel, in Debian's Chromium with SwiftShader's WebGL:
//  1. a job started with `splatbook process` in a terminal shows up and progresses in the
//     jobs panel, no notebook open;
//  2. a notebook on the splatbook kernel continues that job (training + export): the inline
//     progress reaches 100 %, the PSNR plot has points, the preview loads, the viewer draws;
//  3. the panel lists the job and shows its details; no browser console errors.
// Screenshots (light and dark) go to test-artifacts/labextension/.
import { tableFromIPC } from "apache-arrow";
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Browser, Locator, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CheckpointSchema, TrainingStatusSchema } from "../../src/contracts/index.js";
import { metricsHistories } from "../../src/notebook/views.js";
import { renderSample } from "../../src/sample/index.js";
import { ssim } from "../../src/train/imageMetrics.js";
import { previewFileName } from "../../src/train/preview.js";
import { dataUrlBytes, decodePng, resizeArea } from "./imageCompare.js";
import { code, splatbookNotebook } from "../runner/helpers.js";
import { ROOT, startJupyter, type RunningServer } from "./jupyterServer.js";
import {
  canvasCoverage,
  collectErrors,
  command,
  launchChromium,
  openLab,
  setTheme,
  shot,
  waitForKernelIdle,
} from "./labPage.js";

const FRAMES = 16;
const STEPS = 300;
const root = mkdtempSync(join(tmpdir(), "splatbook-lab-e2e-"));
const settingsDir = mkdtempSync(join(tmpdir(), "splatbook-lab-settings-"));
let server: RunningServer;
let browser: Browser;
let page: Page;
let errors: string[] = [];
const shots: string[] = [];

function writeNotebook(): void {
  const train = `await job.train({ steps: ${STEPS}, maxResolution: 64, evalEvery: 50, previewEvery: 50 });`;
  const nb = splatbookNotebook([
    code(
      `import { Job } from "splatbook";\nconst job = await Job.open({ input: "capture", output: "out/scene", params: { framesPerVideo: ${FRAMES} } });`,
    ),
    code(train),
    code("await job.exportPly();\nawait job.exportSplat();"),
    // The same call again: cached, it shows the training summary it showed when it ran.
    code(train),
  ]);
  writeFileSync(join(root, "e2e.ipynb"), JSON.stringify(nb, null, 1));
}

/** `splatbook process` from a terminal, up to COLMAP; resolves with its exit code. */
function processFromTerminal(): Promise<number | null> {
  const child = spawn(
    process.execPath,
    [
      join(ROOT, "lib", "cli", "main.js"),
      "process",
      "capture",
      "out/scene",
      "--frames-per-video",
      String(FRAMES),
      "--until",
      "ColmapReconstruction",
    ],
    { cwd: root, stdio: ["ignore", "pipe", "pipe"] },
  );
  let out = "";
  child.stdout.on("data", (d) => (out += d));
  child.stderr.on("data", (d) => (out += d));
  return new Promise((ok) =>
    child.on("exit", (code) => {
      if (code !== 0) console.error(out);
      ok(code);
    }),
  );
}

beforeAll(async () => {
  await renderSample(join(root, "capture"), { framesPerOrbit: FRAMES });
  writeNotebook();
  server = await startJupyter({
    app: "lab",
    root,
    args: [
      "--LabApp.expose_app_in_browser=True",
      `--LabApp.user_settings_dir=${join(settingsDir, "user")}`,
      `--LabApp.workspaces_dir=${join(settingsDir, "workspaces")}`,
    ],
  });
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  errors = collectErrors(page);
  await openLab(page, `${server.url}lab?token=${server.token}`);
}, 600_000);

afterAll(async () => {
  await browser?.close();
  await server?.stop();
  rmSync(root, { recursive: true, force: true });
  rmSync(settingsDir, { recursive: true, force: true });
  if (shots.length) console.log(`screenshots:\n${shots.join("\n")}`);
});

/** The job's own files, the reference for the numbers the page shows. */
const jobDir = () => join(root, "out", "scene");
const readJson = (name: string) => JSON.parse(readFileSync(join(jobDir(), name), "utf8"));
const psnrHistory = () =>
  metricsHistories(tableFromIPC(readFileSync(join(jobDir(), "metrics.arrow")))).psnr;

/** The [step, PSNR] points a PSNR plot drew (plotly keeps its traces on the plot's node). */
function plottedPsnr(plot: Locator): Promise<[number, number][]> {
  return plot.evaluate((node) => {
    const trace = (node as unknown as { data?: { x: number[]; y: number[] }[] }).data?.[0];
    return trace ? trace.x.map((x, i) => [x, trace.y[i]!] as [number, number]) : [];
  });
}

/** The plot shows exactly metrics.arrow's PSNR history (float32 there, so to 4 decimals). */
async function expectPlotMatchesMetrics(plot: Locator): Promise<void> {
  const history = psnrHistory();
  expect(history.length).toBeGreaterThan(1);
  await expect
    .poll(async () => Number(await plot.getAttribute("data-points")), { timeout: 60_000 })
    .toBe(history.length);
  const drawn = await plottedPsnr(plot);
  expect(drawn.map(([step]) => step)).toEqual(history.map(([step]) => step));
  drawn.forEach(([, db], i) => expect(db).toBeCloseTo(history[i]![1], 4));
}

const panel = () => page.locator("#splatbook-jobs");
const jobItem = () => panel().locator('li.splatbook-job[data-path="out/scene"]');

describe("JupyterLab with the splatbook extension", () => {
  it("shows a job started from a terminal in the panel as it progresses, with no notebook open", async () => {
    await command(page, "application:close-all");
    await command(page, "splatbook:open-jobs");
    await expect.poll(() => panel().isVisible()).toBe(true);
    await expect.poll(() => panel().textContent(), { timeout: 30_000 }).toContain("No jobs yet");
    const exited = processFromTerminal();
    await jobItem().waitFor({ timeout: 120_000 });
    const bar = jobItem().locator('[role="progressbar"]');
    const seen = new Set<string>();
    const percents: number[] = [];
    let code: number | null | undefined;
    void exited.then((c) => (code = c));
    while (code === undefined) {
      seen.add((await jobItem().locator(".splatbook-job-stage").textContent()) ?? "");
      percents.push(Number(await bar.getAttribute("aria-valuenow")));
      await page.waitForTimeout(500);
    }
    expect(code).toBe(0);
    // The panel ends on what the job's checkpoint says (Training next, 62.5 %), having risen to it.
    const cp = CheckpointSchema.parse(readJson(".checkpoint.json"));
    expect([cp.stage, cp.progress_percentage]).toEqual(["Training", 62.5]);
    await expect
      .poll(async () => Number(await bar.getAttribute("aria-valuenow")), { timeout: 30_000 })
      .toBe(cp.progress_percentage);
    expect(await jobItem().locator(".splatbook-job-stage").textContent()).toBe(cp.stage);
    expect(percents).toEqual([...percents].sort((a, b) => a - b));
    expect(percents[0]).toBeLessThan(cp.progress_percentage);
    // The stage after the last one run: the stages before COLMAP may all finish between two polls.
    seen.add((await jobItem().locator(".splatbook-job-stage").textContent()) ?? "");
    expect(seen.size, `stages seen: ${[...seen].join(", ")}`).toBeGreaterThanOrEqual(2);
    shots.push(await shot(panel(), "panel-terminal-job-light"));
  }, 600_000);

  it("runs the job's training and export in a notebook with live outputs", async () => {
    await command(page, "docmanager:open", { path: "e2e.ipynb" }, { wait: true });
    const nb = page.locator(".jp-NotebookPanel");
    await nb.waitFor();
    await expect
      .poll(() => page.locator(".jp-NotebookPanel-toolbar .jp-Toolbar-kernelName").textContent(), {
        timeout: 60_000,
      })
      .toContain("splatbook");
    await waitForKernelIdle(page);
    // Resolves when the last cell has run; awaited at the end.
    const ran = command(page, "notebook:run-all-cells", {}, { wait: true });
    const training = nb.locator(".splatbook-training").first();
    await training.waitFor({ timeout: 300_000 }).catch(async (err) => {
      throw new Error(`${err}\nnotebook: ${await nb.textContent()}\nbrowser: ${errors.join("\n")}`);
    });
    const stepBar = training.locator('[role="progressbar"]');
    const view = training.locator(".splatbook-training-view");
    // Mid-run: some steps done, training not finished yet.
    await expect
      .poll(
        async () =>
          Number(await stepBar.getAttribute("aria-valuenow")) > 0 &&
          (await view.getAttribute("data-status")) !== "completed",
        { timeout: 300_000, interval: 250 },
      )
      .toBe(true);
    await training.scrollIntoViewIfNeeded();
    shots.push(await shot(training, "training-midrun-light"));
    await setTheme(page, true);
    shots.push(await shot(training, "training-midrun-dark"));
    await setTheme(page, false);

    const progress = nb.locator(".splatbook-progress").last();
    await expect
      .poll(async () => progress.locator('[role="progressbar"]').getAttribute("aria-valuenow"), {
        timeout: 600_000,
        interval: 1000,
      })
      .toBe("100");
    expect(await training.locator(".splatbook-training-view").getAttribute("data-status")).toBe(
      "completed",
    );
    expect(await stepBar.getAttribute("aria-valuenow")).toBe(String(STEPS));
    // The numbers shown against the job's files: the summary's last PSNR is training_status.json's
    // (the last row of metrics.arrow), the plot's points are metrics.arrow's.
    const status = TrainingStatusSchema.parse(readJson("training_status.json"));
    expect(status.last_eval_psnr).toBeCloseTo(psnrHistory().at(-1)![1], 4);
    await expect
      .poll(() => training.locator(".splatbook-summary").textContent())
      .toContain(`PSNR ${status.last_eval_psnr!.toFixed(2)} dB`);
    const plot = training.locator(".splatbook-plot");
    await expectPlotMatchesMetrics(plot);
    expect(await plot.locator(".scatterlayer .trace").count()).toBeGreaterThan(0);
    const preview = training.locator("img.splatbook-preview");
    await expect
      .poll(() => preview.evaluate((i) => (i as HTMLImageElement).naturalWidth))
      .toBeGreaterThan(0);

    const viewer = nb.locator(".splatbook-viewer").first();
    await expect.poll(() => viewer.getAttribute("data-state"), { timeout: 180_000 }).toBe("ready");
    const canvas = viewer.locator("canvas");
    await expect.poll(() => canvasCoverage(canvas), { timeout: 60_000 }).toBeGreaterThan(0.02);
    // The viewer opens at the held-out camera the previews render: its first frame and the
    // last preview (same model, same view) agree.
    const heldOut = decodePng(
      readFileSync(join(root, "out/scene/previews", previewFileName(STEPS))),
    );
    const drawn = decodePng(
      dataUrlBytes(await canvas.evaluate((c) => (c as HTMLCanvasElement).toDataURL("image/png"))),
    );
    const agreement = ssim(resizeArea(drawn, heldOut.width, heldOut.height), heldOut);
    console.log(
      `viewer first frame vs held-out preview: SSIM ${agreement.toFixed(3)} (canvas ${drawn.width}×${drawn.height}, preview ${heldOut.width}×${heldOut.height})`,
    );
    expect(agreement).toBeGreaterThanOrEqual(0.5);
    expect(await viewer.getAttribute("data-camera")).toBeTruthy();
    await training.scrollIntoViewIfNeeded();
    shots.push(await shot(training, "training-completed-light"));
    await viewer.scrollIntoViewIfNeeded();
    shots.push(await shot(viewer, "viewer-light"));
    await setTheme(page, true);
    await training.scrollIntoViewIfNeeded();
    shots.push(await shot(training, "training-completed-dark"));
    await viewer.scrollIntoViewIfNeeded();
    await expect.poll(() => canvasCoverage(canvas), { timeout: 30_000 }).toBeGreaterThan(0.02);
    shots.push(await shot(viewer, "viewer-dark"));
    await setTheme(page, false);
    await ran;
    // The last cell called train() again: cached, it shows the PSNR plot and the preview.
    const cachedCell = nb.locator(".jp-Cell").last();
    const cached = cachedCell.locator(".splatbook-training");
    await expect
      .poll(
        async () => Number(await cached.locator(".splatbook-plot").getAttribute("data-points")),
        {
          timeout: 60_000,
        },
      )
      .toBeGreaterThan(1);
    expect(await cached.locator(".splatbook-training-view").getAttribute("data-status")).toBe(
      "completed",
    );
    expect(await cachedCell.locator(".jp-OutputArea").textContent()).toMatch(
      /Training: cached .*psnr \d+\.\d\d dB/,
    );
    expect(await cachedCell.locator(".jp-OutputArea").textContent()).not.toMatch(/params_path/);
  }, 1_200_000);

  it("lists the job in the panel and shows its stages, PSNR plot, preview and viewer", async () => {
    await command(page, "splatbook:open-jobs");
    await expect
      .poll(() => jobItem().locator(".splatbook-job-stage").textContent(), { timeout: 30_000 })
      .toBe("Completed");
    await jobItem().click();
    const detail = panel().locator(".splatbook-detail");
    await expect
      .poll(() => detail.locator("tr.splatbook-state-completed").count(), { timeout: 30_000 })
      .toBe(8);
    await expectPlotMatchesMetrics(detail.locator(".splatbook-plot"));
    await expect
      .poll(
        () =>
          detail
            .locator("img.splatbook-preview")
            .evaluate((i) => (i as HTMLImageElement).naturalWidth),
        {
          timeout: 30_000,
        },
      )
      .toBeGreaterThan(0);
    await expect
      .poll(() => detail.locator(".splatbook-viewer").getAttribute("data-state"), {
        timeout: 120_000,
      })
      .toBe("ready");
    shots.push(await shot(panel(), "panel-light"));
    await setTheme(page, true);
    shots.push(await shot(panel(), "panel-dark"));
    await setTheme(page, false);
    expect(errors, errors.join("\n")).toEqual([]);
    // JupyterLab found a working Node (no build-status warning, no ES-module crash of its scripts).
    expect(server.log()).not.toMatch(/without nodejs|Dynamic require|ERR_REQUIRE_ESM|SyntaxError/);
  }, 600_000);

  it("offers the splatbook kernel with its logo in the launcher", async () => {
    await command(page, "launcher:create");
    const card = page
      .locator('.jp-LauncherCard[data-category="Notebook"][title="TypeScript (splatbook)"]')
      .filter({ visible: true })
      .first();
    await card.waitFor({ timeout: 30_000 });
    const logo = card.locator("img");
    await expect
      .poll(() => logo.evaluate((i) => (i as HTMLImageElement).naturalWidth))
      .toBeGreaterThan(0);
    expect(await logo.getAttribute("src")).toMatch(/kernelspecs\/splatbook\/logo-64x64\.png/);
  });
});
