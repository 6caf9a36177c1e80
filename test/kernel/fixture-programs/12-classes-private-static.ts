// Private fields and methods, static fields and blocks, `#x in obj`.
const unit = 7;
class Counter {
  #n = 0;
  static created = 0;
  static #secret = "s";
  static { Counter.created = unit * 100; }
  #bump() { return ++this.#n; }
  inc() { return this.#bump(); }
  get n() { return this.#n; }
  static has(x: object) { return #n in x; }
  static secret() { return Counter.#secret; }
}
const c = new Counter();
c.inc();
c.inc();
console.log(c.n, Counter.created, Counter.has(c), Counter.has({}), Counter.secret());
console.log(Object.keys(c), JSON.stringify(c));
