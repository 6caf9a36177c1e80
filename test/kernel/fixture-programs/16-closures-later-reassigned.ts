// Functions defined early read names reassigned by later statements.
let count = 0;
let step = 1;
const bump = () => (count += step);
function report() { return `count=${count} step=${step}`; }
bump();
step = 10;
bump();
console.log(report());
count = 100;
console.log(bump(), report());
let greeting = (name: string) => `hi ${name}`;
const greetAll = (names: string[]) => names.map((n) => greeting(n));
greeting = (name) => `hello ${name}`;
console.log(greetAll(["a", "b"]));
