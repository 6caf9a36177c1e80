// Driving JupyterLab in Debian's Chromium through playwright-core: launch, console capture,
// app commands (the app is exposed with --LabApp.expose_app_in_browser), screenshots.
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { chromium, type Browser, type Locator, type Page } from "playwright-core";
import { ROOT } from "./jupyterServer.js";

export const ARTIFACTS = join(ROOT, "test-artifacts", "labextension");

/** Chromium with SwiftShader's WebGL, headless. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: "/usr/bin/chromium",
    headless: true,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-background-networking",
      "--disable-component-update",
      "--use-angle=swiftshader",
      "--enable-unsafe-swiftshader",
      "--ignore-gpu-blocklist",
    ],
  });
}

/** Console errors and uncaught exceptions of a page, as lines. */
export function collectErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on("console", (m) => {
    if (m.type() === "error") errors.push(`console: ${m.text()}`);
  });
  page.on("pageerror", (e) => errors.push(`pageerror: ${e.message}`));
  return errors;
}

/**
 * Opens JupyterLab at `url` and waits until it has restored its layout: a command that shows a
 * side panel before then is undone when the restorer brings back the saved sidebar (the panel
 * stays in the page, hidden).
 */
export async function openLab(page: Page, url: string): Promise<void> {
  await page.goto(url);
  await page.waitForFunction(() => "jupyterapp" in window, undefined, { timeout: 120_000 });
  await page.evaluate(
    () => (window as unknown as { jupyterapp: { restored: Promise<void> } }).jupyterapp.restored,
  );
  await page.locator("#jp-main-dock-panel").waitFor({ timeout: 120_000 });
}

/**
 * Runs a JupyterLab command. With `wait`, resolves when the command has finished (opening a
 * document: once it is ready); without, once it has started (`notebook:run-all-cells` would
 * only resolve after the last cell), and callers wait for what they expect to see.
 */
export async function command(
  page: Page,
  id: string,
  args: object = {},
  opts: { wait?: boolean } = {},
): Promise<void> {
  await page.evaluate(
    async ([id, args, wait]) => {
      const app = (
        window as unknown as {
          jupyterapp: { commands: { execute(i: string, a: object): Promise<unknown> } };
        }
      ).jupyterapp;
      const done = app.commands.execute(id as string, args as object);
      if (wait) await done;
      else void done.catch((err) => console.error(`${id}: ${err}`));
    },
    [id, args, opts.wait ?? false] as const,
  );
}

/** Switches the theme and waits until the page uses it. */
export async function setTheme(page: Page, dark: boolean): Promise<void> {
  const theme = dark ? "JupyterLab Dark" : "JupyterLab Light";
  await command(page, "apputils:change-theme", { theme });
  await page.waitForFunction(
    (light) => document.body.dataset.jpThemeLight === light,
    String(!dark),
  );
  await page.waitForTimeout(500);
}

/** Saves a screenshot of `target` as `<name>.png` under the artifacts folder; returns its path. */
export async function shot(target: Locator | Page, name: string): Promise<string> {
  mkdirSync(ARTIFACTS, { recursive: true });
  const path = join(ARTIFACTS, `${name}.png`);
  await target.screenshot({ path });
  return path;
}

/** Fraction of a canvas' pixels that differ from its corner pixel (0 for a blank canvas). */
export function canvasCoverage(canvas: Locator): Promise<number> {
  return canvas.evaluate((node) => {
    const c = node as HTMLCanvasElement;
    const probe = document.createElement("canvas");
    probe.width = c.width;
    probe.height = c.height;
    const ctx = probe.getContext("2d")!;
    ctx.drawImage(c, 0, 0);
    const { data } = ctx.getImageData(0, 0, c.width, c.height);
    const bg = [data[0], data[1], data[2], data[3]];
    let differ = 0;
    for (let i = 0; i < data.length; i += 4) {
      const d =
        Math.abs(data[i]! - bg[0]!) +
        Math.abs(data[i + 1]! - bg[1]!) +
        Math.abs(data[i + 2]! - bg[2]!) +
        Math.abs(data[i + 3]! - bg[3]!);
      if (d > 24) differ++;
    }
    return differ / (data.length / 4);
  });
}

/** Waits until the current notebook's kernel is idle (started and ready for cells). */
export async function waitForKernelIdle(page: Page, timeout = 120_000): Promise<void> {
  await page.waitForFunction(
    () =>
      (window as any).jupyterapp.shell.currentWidget?.sessionContext?.session?.kernel?.status ===
      "idle",
    undefined,
    { timeout },
  );
}
