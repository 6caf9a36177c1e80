// Labelled loops: break and continue to an outer label.
let found = -1;
outer: for (let i = 0; i < 5; i++) {
  for (let j = 0; j < 5; j++) {
    if (i * j === 6) { found = i * 10 + j; break outer; }
  }
}
console.log(found);
const skipped: number[] = [];
rows: for (let r = 0; r < 3; r++) {
  for (let c = 0; c < 3; c++) {
    if (c > r) continue rows;
    skipped.push(r * 3 + c);
  }
}
console.log(skipped);
block: {
  if (found > 0) break block;
  found = 0;
}
console.log(found);
