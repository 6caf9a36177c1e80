// Const enums are inlined; their members are usable in later statements.
const enum Flag { None = 0, A = 1, B = 2, AB = A | B }
const flags = Flag.A | Flag.B;
console.log(flags === Flag.AB, Flag.B, flags & Flag.A);
function has(f: Flag, g: Flag) { return (f & g) === g; }
console.log(has(flags, Flag.B), has(Flag.None, Flag.A));
