// What the artifacts contain: `npm pack --dry-run`'s file list, and every path of the build
// machine found inside the wheel or the tarball (each file read whole, as bytes).
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { homedir, tmpdir } from "node:os";
import { join, relative } from "node:path";
import { ROOT, TARBALL, WHEEL, type Installation } from "./installed.js";

/** The files `npm pack --dry-run` would put in the npm package, relative to it. */
export function packedFiles(): string[] {
  const r = spawnSync("npm", ["pack", "--dry-run", "--json", "--silent"], {
    cwd: ROOT,
    encoding: "utf8",
  });
  if (r.status !== 0) throw new Error(`npm pack --dry-run: ${r.stderr}`);
  return (JSON.parse(r.stdout) as { files: { path: string }[] }[])[0]!.files.map((f) => f.path);
}

/** Absolute paths of this machine that must not appear in a shipped file. */
function needles(inst: Installation): string[] {
  const home = homedir();
  return [ROOT, inst.work, tmpdir() + "/splatbook", ...(home.length > 1 ? [`${home}/`] : [])];
}

function walk(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? walk(join(dir, e.name)) : [join(dir, e.name)],
  );
}

/** `<artifact>:<file>: <path found>` for every needle inside either artifact; empty when clean. */
export function artifactFindings(inst: Installation): string[] {
  const found: string[] = [];
  const unpacked = mkdtempSync(join(tmpdir(), "splatbook-artifacts-"));
  try {
    const tar = spawnSync("tar", ["xzf", join(inst.dist, TARBALL), "-C", join(unpacked)]);
    if (tar.status !== 0) throw new Error(`tar: ${tar.stderr}`);
    const wheelDir = join(unpacked, "wheel");
    const unzip = spawnSync("python3", ["-m", "zipfile", "-e", join(inst.dist, WHEEL), wheelDir]);
    if (unzip.status !== 0) throw new Error(`unzip: ${unzip.stderr}`);
    const files = walk(unpacked);
    if (files.length < 50) throw new Error(`only ${files.length} files unpacked`);
    for (const file of files) {
      const text = readFileSync(file).toString("latin1");
      for (const needle of needles(inst)) {
        if (text.includes(needle)) found.push(`${relative(unpacked, file)}: ${needle}`);
      }
    }
  } finally {
    rmSync(unpacked, { recursive: true, force: true });
  }
  return found;
}
