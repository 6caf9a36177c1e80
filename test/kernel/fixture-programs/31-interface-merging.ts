// An interface declared in two statements merges: values must have both parts.
interface Options { steps: number }
const defaults: Options = { steps: 10 };
interface Options { fast?: boolean }
const chosen: Options = { ...defaults, fast: true };
console.log(chosen);
function describe(o: Options) { return `${o.steps}/${o.fast ?? false}`; }
console.log(describe(chosen), describe(defaults));
