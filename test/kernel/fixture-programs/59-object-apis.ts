// Object.defineProperty, freeze and property order, across statements.
const record: Record<string, unknown> = { b: 1, a: 2, 10: "ten", 2: "two" };
Object.defineProperty(record, "hidden", { value: "h", enumerable: false });
console.log(Object.keys(record), record.hidden, JSON.stringify(record));
const frozen = Object.freeze({ x: 1 });
try { (frozen as { x: number }).x = 2; } catch (e) { console.log((e as Error).name); }
console.log(frozen.x, Object.isFrozen(frozen));
const entries = Object.entries(record).map(([k, v]) => `${k}=${String(v)}`);
console.log(entries);
