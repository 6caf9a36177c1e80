// Top-level await in loops, conditions and try/finally.
const trail: string[] = [];
async function step(s: string) { await new Promise((r) => setTimeout(r, 1)); trail.push(s); return s.length; }
let sum = 0;
for (const w of ["a", "bb", "ccc"]) sum += await step(w);
console.log(sum);
if ((await step("x")) === 1) trail.push("one");
try { await step("t"); } finally { await step("f"); }
while (trail.length < 8) await step("w");
console.log(trail);
const results = await Promise.all([step("p"), step("qq")]);
console.log(results);
