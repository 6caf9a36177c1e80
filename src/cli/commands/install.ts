/**
 * `splatbook install [--user|--sys-prefix|--prefix P]` and `splatbook uninstall`: developer mode.
 * In a clone, the Python package (editable: server extension module, papermill translator), the
 * kernelspec running the clone's kernel, the prebuilt JupyterLab extension and the server
 * extension's enabling config, each a step of {@link installSteps} run with the same scope. The
 * npm package holds only the kernel: there `install` writes the kernelspec and points at the
 * Python package (pip install splatbook-jupyter), which brings the rest.
 */
import { Command } from "commander";
import { SplatbookError } from "../../util/errors.js";
import type { InstallScope } from "../../jupyter/paths.js";
import { installKernelSpec, uninstallKernelSpec } from "../../kernel/kernelspecInstall.js";
import { isClone, PYTHON_DIST, pythonPackageStep } from "../pythonPackage.js";
import {
  disableServerExtension,
  enableServerExtension,
  installLabExtension,
  scopeJupyterNodeScripts,
  uninstallLabExtension,
} from "../labInstall.js";

/** One thing `install` puts in place and `uninstall` removes. */
export interface InstallStep {
  readonly name: string;
  /** Installs for the scope; returns a line for the user (e.g. the folder written). */
  install(scope: InstallScope): Promise<string>;
  /** Removes; `scope` undefined means wherever it is found. Returns lines for the user. */
  uninstall(scope: InstallScope | undefined): Promise<string[]>;
}

/** The install steps, in order; uninstall runs them in reverse. */
export const installSteps: InstallStep[] = [
  {
    // The Python package goes into the Python that runs Jupyter; an explicit --prefix names a
    // data location only (tests and packagers use it), so it leaves that Python alone.
    name: pythonPackageStep.name,
    async install(scope) {
      if (scope.kind === "prefix") return `${PYTHON_DIST} not touched (--prefix)`;
      return pythonPackageStep.install();
    },
    async uninstall(scope) {
      return scope?.kind === "prefix" ? [] : pythonPackageStep.uninstall();
    },
  },
  {
    name: "kernelspec",
    async install(scope) {
      return `kernelspec splatbook installed in ${await installKernelSpec({ scope })}`;
    },
    async uninstall(scope) {
      const removed = await uninstallKernelSpec({ scope });
      return removed.map((d) => `kernelspec removed from ${d}`);
    },
  },
  {
    name: "lab extension",
    async install(scope) {
      // A prefix only receives files; the Jupyter environment itself is left alone.
      const trap = scope.kind === "prefix" ? undefined : await scopeJupyterNodeScripts();
      const line = await installLabExtension(scope);
      return trap ? `${trap}\n${line}` : line;
    },
    uninstall: uninstallLabExtension,
  },
  {
    name: "server extension",
    install: enableServerExtension,
    uninstall: disableServerExtension,
  },
];

interface ScopeFlags {
  user?: boolean;
  sysPrefix?: boolean;
  prefix?: string;
}

/** The scope named by the flags (at most one); `fallback` when none is given. */
export function scopeFromFlags<T extends InstallScope | undefined>(
  flags: ScopeFlags,
  fallback: T,
): InstallScope | T {
  const given = [flags.user, flags.sysPrefix, flags.prefix !== undefined].filter(Boolean).length;
  if (given > 1) throw new SplatbookError("use only one of --user, --sys-prefix, --prefix");
  if (flags.prefix !== undefined) return { kind: "prefix", prefix: flags.prefix };
  if (flags.sysPrefix) return { kind: "sys-prefix" };
  if (flags.user) return { kind: "user" };
  return fallback;
}

function withScopeOptions(cmd: Command): Command {
  return cmd
    .option("--user", "the per-user Jupyter data dir (default for install)")
    .option("--sys-prefix", "sys.prefix of the Python running Jupyter (e.g. the project's .venv)")
    .option("--prefix <dir>", "<dir>/share/jupyter");
}

/** The steps that apply to this package: all in a clone, the kernelspec alone otherwise. */
function applicableSteps(): InstallStep[] {
  return isClone() ? installSteps : installSteps.filter((s) => s.name === "kernelspec");
}

/** The `install` command. */
export function installCommand(): Command {
  return withScopeOptions(
    new Command("install").description(
      "install the splatbook Jupyter kernel from this clone (developer mode), with the lab and server extensions",
    ),
  ).action(async (flags: ScopeFlags) => {
    const scope = scopeFromFlags(flags, { kind: "user" } as InstallScope);
    for (const step of applicableSteps()) console.log(await step.install(scope));
    if (!isClone()) {
      console.log(
        `the JupyterLab extension, server extension and papermill translator come with the Python package: pip install ${PYTHON_DIST}`,
      );
    }
  });
}

/** The `uninstall` command. */
export function uninstallCommand(): Command {
  return withScopeOptions(
    new Command("uninstall").description(
      "remove the splatbook kernel (everywhere, unless a scope is given)",
    ),
  ).action(async (flags: ScopeFlags) => {
    const scope = scopeFromFlags(flags, undefined);
    let lines = 0;
    for (const step of [...applicableSteps()].reverse()) {
      for (const line of await step.uninstall(scope)) {
        console.log(line);
        lines++;
      }
    }
    if (lines === 0) console.log("splatbook kernel was not installed");
  });
}
