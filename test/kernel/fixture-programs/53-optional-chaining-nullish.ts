// Optional chaining, nullish coalescing and logical assignment.
type Node = { value: number; next?: Node };
const list: Node = { value: 1, next: { value: 2 } };
console.log(list.next?.next?.value ?? "end", list.next?.value);
const fn: ((x: number) => number) | undefined = undefined;
console.log(fn?.(3) ?? "no fn");
let a: number | null = null;
let b = 0;
let c = "x";
a ??= 5;
b ||= 7;
c &&= c + "y";
console.log(a, b, c);
