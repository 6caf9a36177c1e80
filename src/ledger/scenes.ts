import { readdirSync } from "node:fs";
import { join, resolve } from "node:path";
import { SplatbookError } from "../util/errors.js";
import type { IndexTask } from "./indexRunner.js";

/**
 * The batch's indices: every folder directly under the scenes root (hidden ones ignored),
 * sorted by name (code-point order, so it does not depend on the locale); index i writes
 * `<outputs root>/<scene name>`.
 */
export function listScenes(scenesRoot: string, outputsRoot: string): IndexTask[] {
  const root = resolve(scenesRoot);
  let names: string[];
  try {
    names = readdirSync(root, { withFileTypes: true })
      .filter((e) => !e.name.startsWith(".") && (e.isDirectory() || e.isSymbolicLink()))
      .filter((e) => e.isDirectory() || isDirectory(join(root, e.name)))
      .map((e) => e.name)
      .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const cause = code === "ENOENT" ? "folder does not exist" : `cannot read folder (${code})`;
    throw new SplatbookError(`${root}: ${cause}`, { file: root });
  }
  const outputs = resolve(outputsRoot);
  if (outputs === root) {
    throw new SplatbookError(`${outputs}: the outputs root must differ from the scenes root`, {
      file: outputs,
    });
  }
  return names.map((scene, idx) => ({
    idx,
    scene,
    input: join(root, scene),
    output: join(outputs, scene),
  }));
}

function isDirectory(path: string): boolean {
  try {
    return readdirSync(path) !== undefined;
  } catch {
    return false;
  }
}
