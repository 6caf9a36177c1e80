// Shorthand properties and shorthand assignment targets naming earlier variables.
let input = "capture";
let output = "splats";
const job = { input, output };
console.log(job);
const make = () => ({ input, nested: { output } });
output = "changed";
console.log(make());
({ input, output } = { input: "i2", output: "o2" });
console.log(input, output, make());
