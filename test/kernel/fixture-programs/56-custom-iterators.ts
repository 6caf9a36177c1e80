// A class implementing the iterator protocol, consumed by later statements.
class Range implements Iterable<number> {
  constructor(private from: number, private to: number) {}
  *[Symbol.iterator]() { for (let i = this.from; i < this.to; i++) yield i; }
}
const r = new Range(2, 6);
console.log([...r], Math.max(...r), Array.from(r, (x) => x * x));
const manual = {
  n: 0,
  [Symbol.iterator]() { return this; },
  next() { return this.n < 3 ? { value: this.n++, done: false } : { value: undefined, done: true }; },
};
console.log([...(manual as Iterable<number>)]);
