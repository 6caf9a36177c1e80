// Functions and classes assigned to `var`s in blocks keep their names.
if (true) { var handler = () => 1; var Klass = class {}; }
console.log(handler.name, Klass.name, handler());
let named = function () { return 2; };
const arrow = () => 3;
console.log(named.name, arrow.name, [named, arrow].map((f) => f()));
