// A type error in the last statement (earlier ones would run in a notebook).
interface Job { steps: number }
const job: Job = { steps: 1 };
console.log(job.steps);
const wrong: string = job.steps;
