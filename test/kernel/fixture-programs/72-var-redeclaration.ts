// Top-level `var` declared again by a later statement, read by functions defined in between.
var total = 1;
var label = "first";
const show = () => `${label}:${total}`;
console.log(show());
var total = total + 10;
var label = "second";
console.log(show(), total);
