// The two cells: renaming in a destructuring pattern of an earlier cell's object.
const cfg = { input: "in", n: 3 };
const { n: n2 } = cfg;
const { input: i2, n: n3 = 9, ...rest } = { ...cfg, extra: 1 };
console.log(n2, i2, n3, rest);
