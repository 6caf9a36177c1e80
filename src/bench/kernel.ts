/**
 * `npm run bench:kernel`: kernel cold start (spawn → kernel_info_reply, → first cell, splatbook
 * import). The cached-rerun half (run the example notebook twice) is added with the notebook API.
 */
import { measureKernelColdStart } from "../kernel/coldStart.js";

const runs = Number(process.env.BENCH_RUNS ?? 3);
const result = await measureKernelColdStart({ runs });
console.log(`kernel cold start (median of ${result.runs} runs):`);
console.log(`  spawn -> kernel_info_reply   ${result.kernelInfoMs} ms`);
console.log(`  spawn -> first cell reply    ${result.firstCellMs} ms`);
console.log(`  import from "splatbook" cell ${result.splatbookImportMs} ms`);
