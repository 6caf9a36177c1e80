// `using` needs TypeScript 5.2; with the kernel's TypeScript it does not parse, split or not.
const resource = { [Symbol.for("dispose")]: () => console.log("disposed") };
console.log("start");
using handle = resource;
