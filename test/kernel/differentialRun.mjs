// The reference side of the differential cell test, step 2: runs one compiled program under
// Node as an ES module; an error that ends it is written to stderr after a marker line, named
// as the kernel names errors (lib/kernel/traceback.js).
// Usage: node differentialRun.mjs <repo root> <program.mjs>
import { join } from "node:path";
import { pathToFileURL } from "node:url";

const [root, program] = process.argv.slice(2);
const { errorNameAndMessage } = await import(
  pathToFileURL(join(root, "lib/kernel/traceback.js")).href
);
try {
  await import(pathToFileURL(program).href);
} catch (err) {
  process.stderr.write(`\n@@program-error@@${JSON.stringify(errorNameAndMessage(err))}\n`);
  process.exitCode = 1;
}
