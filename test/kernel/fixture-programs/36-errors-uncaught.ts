// A program that ends with an uncaught error after printing.
function load(path: string): string { throw new RangeError(`cannot load ${path}`); }
console.log("before");
const data = [1, 2, 3];
console.log(data.length);
load("scene.json");
console.log("never");
