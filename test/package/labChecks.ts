// JupyterLab from the installed venv, in Debian's Chromium (the e2e harness of
// test/labextension): the jobs panel lists the job the headless notebook ran and reports no
// version mismatch, and a notebook cell run on the installed kernel renders its inline progress
// widget. The kernel is found through SPLATBOOK_COMMAND (the configured path), with the npm
// prefix left off PATH.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { expect } from "vitest";
import { code, splatbookNotebook } from "../runner/helpers.js";
import { startJupyter } from "../labextension/jupyterServer.js";
import {
  collectErrors,
  command,
  launchChromium,
  openLab,
  shot,
  waitForKernelIdle,
} from "../labextension/labPage.js";
import { installedEnv, type Installation } from "./installed.js";

function writeLiveNotebook(inst: Installation): void {
  const nb = splatbookNotebook([
    code(
      'import { Job } from "splatbook";\n' +
        'const job = await Job.open({ input: "scenes/scene", output: "out/scene" });\n' +
        "await job.exportSplat();",
    ),
  ]);
  writeFileSync(join(inst.cwd, "live.ipynb"), JSON.stringify(nb, null, 1));
}

/** Runs the checks; throws (expect) on the first that fails. */
export async function runLabChecks(inst: Installation): Promise<void> {
  writeLiveNotebook(inst);
  const path = [join(inst.venv, "bin"), "/usr/local/bin", "/usr/bin", "/bin"];
  const server = await startJupyter({
    app: "lab",
    root: inst.cwd,
    jupyter: join(inst.venv, "bin", "jupyter"),
    inheritEnv: false,
    env: {
      ...installedEnv(inst, path),
      SPLATBOOK_COMMAND: join(inst.prefix, "bin", "splatbook"),
    },
    args: [
      "--LabApp.expose_app_in_browser=True",
      `--LabApp.user_settings_dir=${join(inst.work, "lab", "user")}`,
      `--LabApp.workspaces_dir=${join(inst.work, "lab", "workspaces")}`,
    ],
  });
  const browser = await launchChromium();
  try {
    const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    const errors = collectErrors(page);
    await openLab(page, `${server.url}lab?token=${server.token}`);

    await command(page, "splatbook:open-jobs");
    const panel = page.locator("#splatbook-jobs");
    const job = panel.locator('li.splatbook-job[data-path="out/scene"]');
    // The first listing waits on a lab that may share two cores with the rest of the suite; a
    // failure says what the panel showed instead (its header names a listing error).
    await job.waitFor({ timeout: 180_000 }).catch(async (err: Error) => {
      throw new Error(`no row for out/scene; the panel shows: ${await panel.innerText()}`, {
        cause: err,
      });
    });
    expect(await job.locator(".splatbook-job-stage").textContent()).toBe("Completed");
    const notice = panel.locator(".splatbook-version-notice");
    await expect.poll(() => notice.getAttribute("data-checked"), { timeout: 60_000 }).toBe("true");
    expect(await notice.isHidden(), (await notice.textContent()) ?? "").toBe(true);
    await shot(panel, "installed-panel");

    await command(page, "docmanager:open", { path: "live.ipynb" }, { wait: true });
    const nb = page.locator(".jp-NotebookPanel");
    await waitForKernelIdle(page);
    await command(page, "notebook:run-all-cells");
    const progress = nb.locator(".splatbook-progress").last();
    await expect
      .poll(() => progress.locator('[role="progressbar"]').getAttribute("aria-valuenow"), {
        timeout: 180_000,
      })
      .toBe("100");
    await shot(progress, "installed-inline-progress");
    expect(errors, errors.join("\n")).toEqual([]);
  } finally {
    await browser.close();
    await server.stop();
  }
}
