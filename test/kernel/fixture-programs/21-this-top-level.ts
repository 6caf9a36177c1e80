// `this` at the top level of a module is undefined, also in arrows defined there.
const self = this;
console.log(typeof self, self === undefined);
const arrow = () => this;
console.log(arrow());
const obj = { name: "o", regular() { return this.name; }, arrowed: () => typeof this };
console.log(obj.regular(), obj.arrowed());
function loose(this: unknown) { return this; }
console.log(loose.call(5), loose());
