// BigInt arithmetic and symbols, shared across statements.
let big = 10n ** 20n;
const half = big / 2n;
console.log(big, half, typeof big, big > 5);
const tag = Symbol("tag");
const registered = Symbol.for("splat");
const holder = { [tag]: "hidden", visible: 1 };
console.log(holder[tag], Object.keys(holder), registered === Symbol.for("splat"), tag.toString());
big += 1n;
console.log(big % 7n, BigInt.asUintN(8, 257n));
