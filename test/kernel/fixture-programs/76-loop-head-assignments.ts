// Loop heads that assign names declared by earlier statements or by the same statement group.
const frames = [{ id: 1, tags: ["a"] }, { id: 2, tags: ["b", "c"] }];
let lastId = 0;
let lastTag = "";
let key = "";
for ({ id: lastId, tags: [lastTag] } of frames);
console.log(lastId, lastTag);
for (key in { first: 1, second: 2 }) {}
console.log(key);
let a = 0, rest: number[] = [];
for ([a, ...rest] of [[1, 2, 3]]) console.log(a, rest);
const report = () => `${lastId}/${key}/${a}/${rest}`;
console.log(report());
