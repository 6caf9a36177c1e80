// Async generators and for await at the top level.
async function* ticks(n: number) {
  for (let i = 0; i < n; i++) {
    await new Promise((r) => setTimeout(r, 1));
    yield i * 10;
  }
}
let total = 0;
for await (const v of ticks(4)) total += v;
console.log(total);
const seen: unknown[] = [];
for await (const v of [Promise.resolve("a"), "b"]) seen.push(v);
console.log(seen);
