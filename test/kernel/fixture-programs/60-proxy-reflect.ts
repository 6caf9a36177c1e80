// A Proxy around an object from an earlier statement.
const target = { a: 1, b: 2 };
const reads: string[] = [];
const watched = new Proxy(target, {
  get(t, key, receiver) { reads.push(String(key)); return Reflect.get(t, key, receiver); },
});
console.log(watched.a + watched.b, reads);
console.log(Reflect.ownKeys(watched), Reflect.has(watched, "a"));
