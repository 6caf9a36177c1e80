// Inner scopes shadow names declared by earlier statements; the outer ones stay.
const cfg = { n: 1 };
let count = 5;
{ const cfg = { n: 2 }; let count = 0; count++; console.log(cfg.n, count); }
function inner(cfg: number, count = cfg * 2) { return cfg + count; }
console.log(inner(3), cfg.n, count);
try { throw new Error("e"); } catch (cfg) { console.log((cfg as Error).message, count); }
for (const count of [7]) console.log(count, cfg);
console.log(count);
