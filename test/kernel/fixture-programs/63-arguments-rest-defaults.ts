// Default parameters referring to earlier names, rest parameters and `arguments`.
const fallbackSteps = 30;
function train(steps = fallbackSteps, ...extra: string[]) { return `${steps} ${extra.join(",")}`; }
function count() { return arguments.length; }
console.log(train(), train(5, "a", "b"), count.apply(null, [1, 2, 3] as never));
const withDefaults = ({ a = fallbackSteps, b = a + 1 } = {}) => [a, b];
console.log(withDefaults(), withDefaults({ a: 1 }));
