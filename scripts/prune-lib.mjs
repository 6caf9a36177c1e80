#!/usr/bin/env node
// Removes from lib/ what tsc left there for a source that no longer exists in src/ (tsc never
// deletes outputs): `npm run build` runs it, so neither the tests nor `npm pack` see a module
// that was deleted or renamed. Prints each file removed.
import { existsSync, readdirSync, rmSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(fileURLToPath(import.meta.url), "..", "..");
const src = join(root, "src");
const lib = join(root, "lib");

/** The source a lib/ file was compiled from (`x.js`, `x.d.ts`, `x.js.map` → `src/x.ts`). */
function sourceOf(file) {
  const rel = relative(lib, file).replace(/(\.d\.ts|\.js\.map|\.d\.ts\.map|\.js)$/, ".ts");
  return join(src, rel);
}

function prune(dir) {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) {
      prune(p);
      if (readdirSync(p).length === 0) rmSync(p, { recursive: true });
    } else if (!existsSync(sourceOf(p))) {
      rmSync(p);
      console.log(`removed ${relative(root, p)} (its source is gone)`);
    }
  }
}

if (existsSync(lib)) prune(lib);
