// Spread in calls, arrays and objects; rest parameters.
const base = { k: 1, j: 2 };
const nums = [3, 1, 2];
function maxOf(...xs: number[]) { return Math.max(...xs); }
console.log(maxOf(...nums, ...new Set([7, 7])));
const merged = { ...base, j: 20, all: [...nums, ...[4]] };
console.log(merged);
const { k, ...withoutK } = merged;
console.log(k, withoutK);
console.log([..."héllo"].length, [...new Map([[1, "a"]]).keys()]);
