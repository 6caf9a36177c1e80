// Composition and currying with functions from several statements.
const compose = <A, B, C>(f: (b: B) => C, g: (a: A) => B) => (a: A) => f(g(a));
const double = (x: number) => x * 2;
const inc = (x: number) => x + 1;
const both = compose(double, inc);
console.log(both(3), [1, 2, 3].map(compose(inc, double)));
const curry = (a: number) => (b: number) => (c: number) => a + b * c;
console.log(curry(1)(2)(3));
const pipeline = [inc, double, inc].reduce((f, g) => (x: number) => g(f(x)));
console.log(pipeline(5));
