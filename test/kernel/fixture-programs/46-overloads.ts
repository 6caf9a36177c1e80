// Overloaded functions (signatures and implementation stay together).
function pad(x: number): string;
function pad(x: string, width: number): string;
function pad(x: number | string, width = 3) { return String(x).padStart(width, "0"); }
const afterPad = 1;
console.log(pad(7), pad("ab", 4 + afterPad));
class Fmt {
  show(x: number): string;
  show(x: string): string;
  show(x: unknown) { return `<${x}>`; }
}
console.log(new Fmt().show(1), new Fmt().show("s"));
