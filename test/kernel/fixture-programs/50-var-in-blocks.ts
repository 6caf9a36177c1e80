// `var` declared in top-level if/try/switch/labelled blocks.
const mode = "b";
if (mode === "b") { var chosen = "bee"; }
console.log(chosen);
try { var parsed = JSON.parse("[1,2]") as number[]; } catch { var failed = true; }
console.log(parsed, failed);
switch (mode) { case "b": var branch = 2; break; default: var branch = 0; }
console.log(branch);
named: { var inLabel = "L"; if (inLabel) break named; }
console.log(inLabel);
if (true) { var { x: vx, ...vrest } = { x: 1, y: 2 }; }
console.log(vx, vrest);
