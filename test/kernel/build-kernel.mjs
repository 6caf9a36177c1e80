// Builds lib/ with tsc unless it is newer than every source file. Run under flock by the kernel
// tests (see helpers.ts) so parallel test files build once. Type errors in files other helpers
// are still writing do not stop tsc from emitting; lib/kernel/main.js must exist afterwards.
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, statSync, utimesSync, writeFileSync } from "node:fs";
import { join } from "node:path";

const root = new URL("../..", import.meta.url).pathname;
const stamp = join(root, "lib", ".kernel-build-stamp");

function newest(dir) {
  let t = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    t = Math.max(t, e.isDirectory() ? newest(p) : e.name.endsWith(".ts") ? statSync(p).mtimeMs : 0);
  }
  return t;
}

const fresh = existsSync(stamp) && statSync(stamp).mtimeMs > newest(join(root, "src"));
if (!fresh) {
  const r = spawnSync("npx", ["tsc", "-p", "tsconfig.build.json"], { cwd: root, encoding: "utf8" });
  if (r.status !== 0) process.stderr.write(`tsc reported errors (emitting anyway):\n${r.stdout}`);
  if (!existsSync(join(root, "lib", "kernel", "main.js"))) {
    process.stderr.write("lib/kernel/main.js was not emitted\n");
    process.exit(1);
  }
  writeFileSync(stamp, "");
  const now = new Date();
  utimesSync(stamp, now, now);
}
