// `super` in object literal methods and prototypes set across statements.
const base = { greet() { return "base"; } };
const derived = { greet() { return `derived+${super.greet()}`; } };
Object.setPrototypeOf(derived, base);
console.log(derived.greet());
function Legacy(this: { v: number }, v: number) { this.v = v; }
Legacy.prototype.double = function () { return this.v * 2; };
const legacy = new (Legacy as unknown as new (v: number) => { v: number; double(): number })(4);
console.log(legacy.double(), legacy);
