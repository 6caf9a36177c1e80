// Parameters destructure objects whose types come from earlier statements.
interface Job { input: string; steps: number; opts?: { fast: boolean } }
const job: Job = { input: "scene", steps: 100, opts: { fast: true } };
function describe({ input: where, steps: n = 1, opts: { fast } = { fast: false } }: Job) {
  return `${where}:${n}:${fast}`;
}
console.log(describe(job));
const total = ({ steps: s }: typeof job, [first]: number[]) => s + first;
console.log(total(job, [5]));
console.log([job, { ...job, steps: 7 }].map(({ steps: st }) => st));
