// Maps, Sets and WeakMaps filled by later statements.
const seen = new Set<string>();
const counts = new Map<string, number>();
const meta = new WeakMap<object, string>();
function visit(word: string) { seen.add(word); counts.set(word, (counts.get(word) ?? 0) + 1); }
"the cat saw the other cat".split(" ").forEach(visit);
console.log(seen.size, [...counts].sort(), counts);
const key = {};
meta.set(key, "m");
console.log(meta.get(key), meta.has({}));
