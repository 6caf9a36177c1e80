// Generators: delegation, return values, iteration across statements.
function* range(n: number) { for (let i = 0; i < n; i++) yield i; return "done"; }
function* evens(n: number) { for (const i of range(n)) if (i % 2 === 0) yield i; }
function* both(): Generator<number, string> { const r = yield* range(2); yield 100; return r; }
console.log([...range(4)], [...evens(7)]);
const g = both();
console.log(g.next(), g.next(), g.next(), g.next(), g.next());
const it = range(3);
it.next();
console.log([...it]);
