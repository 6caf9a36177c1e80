// The notebook API with shorthand properties: Job.open({ input, output }).
import { mkdirSync } from "node:fs";
import { Job } from "splatbook";
const input = "diff-capture";
const output = "diff-job-out";
mkdirSync(input, { recursive: true });
const job = await Job.open({ input, output, display: false });
console.log(job.outputFolder.endsWith("/diff-job-out"), typeof job.validate);
