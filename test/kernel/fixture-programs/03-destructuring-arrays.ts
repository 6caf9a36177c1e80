// Array patterns with holes, defaults, rest and nesting.
const points = [[1, 2], [3, 4], [5, 6]] as const;
const [[x0, y0], , [x2 = 0, y2]] = points;
console.log(x0, y0, x2, y2);
const [head, ...tail] = points.map(([x, y]) => x * y);
console.log(head, tail);
const [a = 10, b = a * 2] = [undefined, undefined] as (number | undefined)[];
console.log(a, b);
let left = "L", right = "R";
[left, right] = [right, left];
console.log(left, right);
