// `var` declared in top-level loops is a top-level name: read after the loop, by later statements.
for (var i = 0; i < 3; i++) {}
console.log(i);
const fns: (() => number)[] = [];
for (var j = 0; j < 3; j++) fns.push(() => j);
console.log(fns.map((f) => f()));
for (var key in { a: 1, b: 2 }) {}
console.log(key);
for (var [k2, v2] of Object.entries({ x: 1 })) {}
console.log(k2, v2);
