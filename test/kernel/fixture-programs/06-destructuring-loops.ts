// Destructuring in for-of heads and callbacks, over an earlier array of objects.
const frames = [{ id: 1, path: "a.png", size: { w: 2 } }, { id: 2, path: "b.png", size: { w: 3 } }];
for (const { id: frameId, size: { w } } of frames) console.log(frameId, w);
const byId = new Map(frames.map(({ id, path: file }) => [id, file]));
for (const [key, { length }] of byId) console.log(key, length);
for (const [index, { path: p }] of frames.entries()) console.log(index, p);
let sum = 0;
for ({ id: sum } of frames);
console.log(sum);
