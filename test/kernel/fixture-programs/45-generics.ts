// Generic functions, classes and type aliases across statements.
function first<T>(xs: readonly T[]): T | undefined { return xs[0]; }
class Box<T> {
  constructor(public v: T) {}
  map<U>(f: (v: T) => U): Box<U> { return new Box(f(this.v)); }
}
const ident = <T,>(x: T) => x;
type Pair<A, B = A> = [A, B];
const pair: Pair<number> = [1, 2];
console.log(first(["a", "b"]), new Box(2).map((x) => `${x * 10}`).v, ident(true), pair);
function keysOf<O extends object>(o: O) { return Object.keys(o) as (keyof O)[]; }
console.log(keysOf({ a: 1, b: 2 }));
