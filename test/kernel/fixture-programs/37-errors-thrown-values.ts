// Non-Error values thrown and caught; the program ends by throwing an object.
function fail(kind: number): never {
  if (kind === 0) throw "a string";
  if (kind === 1) throw 42;
  throw { code: "E_BAD", detail: [1, 2] };
}
for (const k of [0, 1, 2]) {
  try { fail(k); } catch (e) { console.log(typeof e, JSON.stringify(e)); }
}
const attempt = () => fail(2);
attempt();
