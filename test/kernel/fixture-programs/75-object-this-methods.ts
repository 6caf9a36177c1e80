// Methods of earlier objects keep their `this`; detached functions do not.
const counter = { n: 0, inc() { this.n++; return this.n; } };
const { inc } = counter;
counter.inc();
console.log(counter.n, counter.inc());
function whoAmI(this: unknown) { return this === undefined ? "undefined" : typeof this; }
const holder = { whoAmI };
console.log(whoAmI(), holder.whoAmI(), whoAmI.call("s"));
try { inc(); } catch (e) { console.log((e as Error).constructor.name); }
