// JSON with replacers and revivers defined in earlier statements.
const data = { when: "2024-01-02", n: 1, nested: { big: 12345678901234567890n.toString() } };
const replacer = (key: string, value: unknown) => (key === "n" ? undefined : value);
const text = JSON.stringify(data, replacer, 2);
console.log(text);
const revived = JSON.parse(text, (k, v) => (k === "when" ? v.split("-").map(Number) : v));
console.log(revived);
