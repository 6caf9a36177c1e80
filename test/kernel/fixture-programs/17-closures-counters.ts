// Closures created by factories; each keeps its own state.
function makeCounter(start = 0) {
  let n = start;
  return { inc: () => ++n, get value() { return n; } };
}
const first = makeCounter();
const second = makeCounter(10);
first.inc();
first.inc();
second.inc();
console.log(first.value, second.value);
const adders = [1, 2, 3].map((k) => (x: number) => x + k);
console.log(adders.map((f) => f(10)));
let captured = "before";
const read = () => captured;
captured = "after";
console.log(read());
