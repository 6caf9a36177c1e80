// Promise chains and microtask ordering. The event loop turns between cells, so orderings
// are observed within one statement.
const order: string[] = [];
async function ordering() {
  const p = Promise.resolve(1).then((v) => { order.push(`then ${v}`); return v + 1; });
  queueMicrotask(() => order.push("microtask"));
  order.push("sync");
  return p;
}
const v = await ordering();
console.log(v, order);
const settled = await Promise.allSettled([Promise.reject(new Error("no")), Promise.resolve("yes")]);
console.log(settled.map((s) => s.status));
console.log(await Promise.race([new Promise((r) => setTimeout(() => r("slow"), 20)), Promise.resolve("fast")]));
