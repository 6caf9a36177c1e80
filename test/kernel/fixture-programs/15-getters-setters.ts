// Accessors on classes and object literals, used from later statements.
class Temperature {
  #c = 0;
  get fahrenheit() { return this.#c * 9 / 5 + 32; }
  set fahrenheit(f: number) { this.#c = (f - 32) * 5 / 9; }
  get celsius() { return this.#c; }
}
const t = new Temperature();
t.fahrenheit = 212;
console.log(t.celsius, t.fahrenheit);
let reads = 0;
const lazy = { get value() { reads++; return 10; }, set value(v: number) { reads += v; } };
lazy.value = 5;
console.log(lazy.value + lazy.value, reads);
console.log(Object.getOwnPropertyDescriptor(Temperature.prototype, "celsius")!.set);
