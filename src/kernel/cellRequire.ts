/**
 * The `require` cells run with: Node's resolution from the kernel's working directory, plus
 * three kernel-specific answers: `tslab` is tslab's public API (its display functions), local
 * TypeScript modules a cell imports (`./helper`) are the converter's compiled output of them,
 * and `splatbook` is this package unless a locally installed copy exists.
 */
import Module, { createRequire } from "node:module";
import { dirname, extname, join, resolve } from "node:path";
import { splitSourceMaps } from "./tsHost.js";

/** The cell require function and the store of local modules it can load. */
export interface CellRequire {
  readonly require: NodeJS.Require;
  /** Records compiled local modules (CommonJS text by absolute `.js` path); reloaded on next use. */
  addLocalModules(outputs: readonly { path: string; data: string }[]): void;
}

/** Creates the cell require for `cwd`; `tslabPublic` is what `require("tslab")` returns. */
export function createCellRequire(options: {
  cwd: string;
  packageRoot: string;
  tslabPublic: unknown;
}): CellRequire {
  const compiled = new Map<string, string>();
  const loaded = new Map<string, NodeJS.Module>();
  const self = createRequire(join(options.packageRoot, "package.json"));

  function requireFrom(dir: string): NodeJS.Require {
    const base = createRequire(join(dir, "__cell__.js"));
    const req = ((id: string) => {
      if (id === "tslab") return options.tslabPublic;
      if (id.startsWith("./") || id.startsWith("../")) {
        const local = requireLocal(dir, id);
        if (local !== undefined) return local;
      }
      if (id === "splatbook" || id.startsWith("splatbook/")) {
        // A locally installed splatbook wins, as Node would have it; else this package.
        try {
          return base(id);
        } catch (err) {
          if ((err as NodeJS.ErrnoException).code !== "MODULE_NOT_FOUND") throw err;
          return self(id);
        }
      }
      return base(id);
    }) as NodeJS.Require;
    return Object.assign(req, { resolve: base.resolve, cache: base.cache, main: base.main });
  }

  function requireLocal(dir: string, id: string): unknown {
    let file = resolve(dir, id);
    if (extname(file) === "") file += ".js";
    const cached = loaded.get(file);
    if (cached) return cached.exports;
    const code = compiled.get(file);
    if (code === undefined) return undefined;
    const mod = new Module(file) as NodeJS.Module & {
      _compile(code: string, file: string): void;
      paths: string[];
    };
    mod.filename = file;
    mod.paths = (Module as unknown as { _nodeModulePaths(d: string): string[] })._nodeModulePaths(
      dirname(file),
    );
    mod.require = requireFrom(dirname(file));
    loaded.set(file, mod);
    mod._compile(splitSourceMaps(code).code, file);
    return mod.exports;
  }

  return {
    require: requireFrom(options.cwd),
    addLocalModules(outputs) {
      for (const out of outputs) {
        loaded.delete(out.path);
        compiled.set(out.path, out.data);
      }
    },
  };
}
