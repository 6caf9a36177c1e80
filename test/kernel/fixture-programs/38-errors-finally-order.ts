// try/catch/finally ordering and return overriding in functions from earlier statements.
const order: string[] = [];
function inner() {
  try { order.push("try"); throw new Error("x"); }
  catch { order.push("catch"); return "from catch"; }
  finally { order.push("finally"); }
}
function overriding(): string {
  try { return "try"; } finally { order.push("override"); }
}
console.log(inner(), overriding());
try { try { throw new TypeError("inner"); } finally { order.push("outer finally"); } } catch (e) { order.push((e as Error).message); }
console.log(order);
